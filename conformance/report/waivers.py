"""Waivers: known failures a team accepts for a while, with a reason, an owner and an expiry.

The file (``--waivers FILE``) is TOML::

    [[waiver]]
    check = "test_consult.py::test_the_consult_notifies_exactly_the_documented_sequence[consultant]"
    reason = "VENDOR-123: the consultant's stream drops the join; fixed in 9.1"
    owner = "qa-team@example.com"
    expires = 2027-03-31

``check`` is a check ID as ``gws-conformance list`` prints it; without its ``[...]`` part it
waives every parametrization of the check. What a waiver does to a check's verdict:

- active, the check fails (or warns): **waived**; the run does not fail because of it;
- active, the check passes: **stale** (remove the waiver);
- past ``expires``, the check passes or warns: **stale**; past it and failing: a plain **fail**
  (an expired waiver waives nothing).

A stale waiver fails the run unless ``--allow-stale-waivers``.

The same file accepts **gaps**: MUST clauses a team knows its run cannot judge (no queue, no
supervisor, no customer probe), by clause glob, each with its reason::

    [[gap]]
    clause = "sms.intrude.*"
    reason = "no supervisor account on staging (agents.supervisor)"

A run in which a MUST clause was judged by no check exits 4 unless a gap accepts it; a gap whose
clauses were judged after all is stale, as a waiver whose check passes.
"""

from __future__ import annotations

import datetime
import fnmatch
from dataclasses import dataclass
from pathlib import Path

from conformance.config import checked_table, read_toml
from conformance.engine.verdicts import Verdict
from conformance.errors import ConfigError


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    owner: str
    expires: datetime.date

    def covers(self, check_id: str) -> bool:
        return check_id == self.check or check_id.split("[", 1)[0] == self.check

    def expired(self, today: datetime.date) -> bool:
        return today > self.expires

    def as_record(self) -> dict[str, str]:
        return {"check": self.check, "reason": self.reason, "owner": self.owner, "expires": self.expires.isoformat()}


@dataclass(frozen=True)
class Gap:
    """MUST clauses a team accepts its run leaves unjudged, by glob, with the reason."""

    clause: str
    reason: str

    def covers(self, clause_id: str) -> bool:
        return fnmatch.fnmatchcase(clause_id, self.clause)

    def as_record(self) -> dict[str, str]:
        return {"clause": self.clause, "reason": self.reason}


def load_gaps(path: Path) -> list[Gap]:
    document = read_toml(path, "--waivers")
    entries = checked_table(document, f"--waivers {path}", {"waiver", "gap"}).get("gap", [])
    if not isinstance(entries, list):
        raise ConfigError(f"--waivers {path}: gap: expected [[gap]] tables")
    gaps = []
    for n, entry in enumerate(entries):
        table = checked_table(entry, f"--waivers {path}: gap[{n}]", {"clause", "reason"})
        for name in ("clause", "reason"):
            if not isinstance(table.get(name), str) or not table[name].strip():
                raise ConfigError(f"--waivers {path}: gap[{n}].{name}: expected a non-empty string")
        gaps.append(Gap(table["clause"], table["reason"]))
    return gaps


def load_waivers(path: Path) -> list[Waiver]:
    document = read_toml(path, "--waivers")
    entries = checked_table(document, f"--waivers {path}", {"waiver", "gap"}).get("waiver", [])
    if not isinstance(entries, list):
        raise ConfigError(f"--waivers {path}: waiver: expected [[waiver]] tables")
    return [_waiver(entry, f"--waivers {path}: waiver[{n}]") for n, entry in enumerate(entries)]


def _waiver(entry: object, key: str) -> Waiver:
    table = checked_table(entry, key, {"check", "reason", "owner", "expires"})
    for name in ("check", "reason", "owner"):
        if not isinstance(table.get(name), str) or not table[name].strip():
            raise ConfigError(f"{key}.{name}: expected a non-empty string")
    expires = table.get("expires")
    if isinstance(expires, str):
        try:
            expires = datetime.date.fromisoformat(expires)
        except ValueError:
            raise ConfigError(f"{key}.expires: expected a date such as 2027-03-31, got {expires!r}") from None
    if isinstance(expires, datetime.datetime) or not isinstance(expires, datetime.date):
        raise ConfigError(f"{key}.expires: expected a date such as 2027-03-31, got {expires!r}")
    return Waiver(table["check"], table["reason"], table["owner"], expires)


def waiver_for(waivers: list[Waiver], check_id: str) -> Waiver | None:
    return next((w for w in waivers if w.covers(check_id)), None)


def judge(waiver: Waiver, verdict: Verdict, today: datetime.date) -> tuple[Verdict, str]:
    """The verdict of a waived check, and why (for the report)."""
    if verdict in (Verdict.SKIP, Verdict.ERROR):
        return verdict, ""
    if waiver.expired(today):
        if verdict is Verdict.FAIL:
            return Verdict.FAIL, f"waiver expired on {waiver.expires}; it waives nothing"
        return Verdict.STALE, f"stale waiver: expired on {waiver.expires}"
    if verdict is Verdict.PASS:
        return Verdict.STALE, "stale waiver: the check passes now; remove the waiver"
    return Verdict.WAIVED, f"waived until {waiver.expires} by {waiver.owner}: {waiver.reason}"
