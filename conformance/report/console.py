"""The console of ``gws-conformance run``: made for this suite, in place of pytest's.

- check IDs as ``gws-conformance list`` prints them (``test_consult.py::...``), never install paths;
- one line per check that did not pass, as it happens: verdict, check, then the clause, its level,
  and what was seen, which starts with the failure kind where there is one (``reordered: ...``):
  the check's own message, without pytest's introspection;
  an error whose cause was already printed is only counted, and the cause is printed once;
- progress: on a terminal one updating line (checks done / total, the current clause); in a CI log
  a line every ten seconds;
- at the end, a table per clause (pass, fail, warn, error, skip, waived, stale) of the clauses
  where something did not simply pass (the others are counted in one line: the HTML report lists
  every clause; with so many pages, a whole table would not fit one screen), the skip reasons,
  expired or stale waivers, where the reports are, and one closing line with the exit code.

Colour on a terminal (not with ``NO_COLOR``), plain text in CI logs.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pytest

from conformance.engine.verdicts import Verdict, clause_of, combine
from conformance.redaction import redact_secrets
from conformance.report.compare import BASELINE, lines
from conformance.report.results import COVERAGE, clause_coverage, unaccepted_unjudged
from conformance.report.waivers import load_waivers

PROGRESS_EVERY = 10.0  # seconds between progress lines in a log
COLOURS = {"pass": "32", "fail": "31", "error": "31", "stale": "31", "warn": "33", "waived": "33", "skip": "90"}
COLUMNS = ("pass", "fail", "warn", "error", "skip", "waived", "stale")


@dataclass
class _Check:
    clause: str
    level: str
    verdicts: list[Verdict] = field(default_factory=list)
    message: str = ""

    @property
    def verdict(self) -> Verdict:
        return combine(self.verdicts)


class Console:
    def __init__(self, out: TextIO | None = None, *, closing: bool = True) -> None:
        self.out = out or sys.stdout
        self.tty = self.out.isatty()
        self.colour = self.tty and "NO_COLOR" not in os.environ
        self.width = shutil.get_terminal_size((160, 24)).columns if self.tty else 0
        self.checks: dict[str, _Check] = {}
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self.last_progress = self.started
        self.causes: Counter[str] = Counter()  # error causes already printed -> how many checks they stopped
        self._progress_shown = False
        self.judged_exit: int | None = None  # the exit code of a session that ran checks (the plugin's)
        self.closing = closing  # print the closing line (a command that adds to it prints its own)
        self.tally = ""  # the closing line's counts: "200 checks: 198 pass, 2 fail; MUST clauses judged ..."

    # --- output --------------------------------------------------------------------------------

    def _paint(self, text: str, verdict: str) -> str:
        return f"\033[{COLOURS[verdict]}m{text}\033[0m" if self.colour and verdict in COLOURS else text

    def line(self, text: str = "") -> None:
        if self._progress_shown:
            self.out.write("\r\033[K")
            self._progress_shown = False
        self.out.write(redact_secrets(text) + "\n")
        self.out.flush()

    def _fit(self, text: str) -> str:
        return text if not self.width or len(text) <= self.width else text[: self.width - 1] + "…"

    def progress(self, clause: str) -> None:
        now = time.monotonic()
        if self.tty:
            self.out.write(f"\r\033[K[{self.done}/{self.total}] {clause}")
            self.out.flush()
            self._progress_shown = True
        elif now - self.last_progress >= PROGRESS_EVERY:
            self.line(f"… {self.done}/{self.total} checks done in {now - self.started:.0f} s, at {clause}")
            self.last_progress = now

    # --- pytest hooks -------------------------------------------------------------------------------

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        checks = [item for item in session.items if clause_of(item) is not None]
        self.total = len(checks)
        for item in checks:
            found = clause_of(item)
            if found is not None:
                self.checks[item.nodeid] = _Check(found.id, found.level.value)
        self.line(f"gws-conformance: {self.total} checks")

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids: list[str]) -> None:
        """Under --jobs the workers collect; each tells the controller what it has."""
        if not self.total:
            self.total = len(ids)
            self.line(f"gws-conformance: {self.total} checks")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        verdict = getattr(report, "gws_verdict", None)
        properties = dict(report.user_properties)
        check = self.checks.get(report.nodeid)
        if check is None and verdict is not None and "clause" in properties:  # from an xdist worker
            check = self.checks[report.nodeid] = _Check(str(properties["clause"]), str(properties["level"]))
        if check is None or verdict is None:
            return
        check.verdicts.append(Verdict(verdict))
        message = getattr(report, "gws_message", "")
        if message and not check.message:
            check.message = message
        if report.when != "teardown":
            return
        self.done += 1
        if check.verdict not in (Verdict.PASS, Verdict.SKIP):
            self.report_check(report.nodeid, check)
        self.progress(check.clause)

    def report_check(self, check_id: str, check: _Check) -> None:
        verdict = check.verdict.value
        first = check.message.splitlines()[0] if check.message else ""
        if verdict == "error" and first in self.causes:
            self.causes[first] += 1
            return
        if verdict == "error":
            self.causes[first] += 1
        self.line(
            self._fit(
                f"{self._paint(verdict.upper().ljust(7), verdict)}{check_id}  {check.clause} [{check.level}] {first}"
            )
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self._progress_shown:
            self.line()
        if not self.checks:
            return
        if session.shouldstop:
            self.line(f"gws-conformance: {session.shouldstop}")
        for cause, count in self.causes.items():
            if count > 1:
                self.line(f"ERROR ×{count} checks stopped by the same cause: {cause}")
        self.clause_table()
        self.skip_reasons()
        self.expired_waivers(session.config)
        self.where(session.config)
        counted = Counter(c.verdict.value for c in self.checks.values() if c.verdicts)
        not_run = sum(not c.verdicts for c in self.checks.values())
        parts = ", ".join(
            [f"{counted[v]} {v}" for v in COLUMNS if counted[v]] + ([f"{not_run} not run"] if not_run else [])
        )
        coverage = session.config.stash.get(COVERAGE, None) or clause_coverage(
            (c.clause, c.level, c.verdict) for c in self.checks.values() if c.verdicts
        )
        self.baseline(session.config)
        must = coverage.get("MUST", {})
        comparison = session.config.stash.get(BASELINE, None)
        unjudged = unaccepted_unjudged(coverage, comparison.known_unjudged if comparison else ())
        if unjudged:
            self.line(
                f"UNJUDGED  {len(unjudged)} MUST clause(s) judged by no check (every check skipped or errored): "
                + ", ".join(unjudged[:6])
                + (", ..." if len(unjudged) > 6 else "")
                + "; not green unless the waiver file accepts them as a [[gap]] with a reason"
            )
        for gap in must.get("stale_gaps", []):
            self.line(f"stale gap: {gap} was judged after all; remove the [[gap]] from the waiver file")
        judged = "; ".join(f"{level} clauses judged {c['judged']}/{c['clauses']}" for level, c in coverage.items())
        self.tally = f"{len(self.checks)} checks: {parts}; {judged}"
        self.judged_exit = int(session.exitstatus)
        if self.closing:
            self.line(
                f"gws-conformance: {self.tally} in {time.monotonic() - self.started:.1f} s; exit {self.judged_exit}"
            )

    def clause_table(self) -> None:
        by_clause: dict[str, Counter[str]] = defaultdict(Counter)
        for check in self.checks.values():
            by_clause[f"{check.clause} [{check.level}]"][check.verdict.value if check.verdicts else "not run"] += 1
        shown = {clause: counts for clause, counts in by_clause.items() if set(counts) != {"pass"}}
        self.line()
        if shown:
            width = max(len(c) for c in shown)
            self.line(f"{'clause':<{width}}  " + " ".join(f"{c:>6}" for c in COLUMNS))
            for clause, counts in shown.items():
                cells = " ".join(self._paint(f"{counts[c] or '.':>6}", c if counts[c] else "") for c in COLUMNS)
                self.line(f"{clause:<{width}}  {cells}")
        passed = len(by_clause) - len(shown)
        if passed:
            self.line(
                f"{'and ' if shown else ''}{passed} clause{'s' * (passed != 1)} whose every check passed "
                "(the HTML report lists each)"
            )

    def skip_reasons(self) -> None:
        reasons: Mapping[str, int] = Counter(
            c.message.splitlines()[0] for c in self.checks.values() if c.verdict is Verdict.SKIP and c.message
        )
        if reasons:
            self.line()
            for reason, count in reasons.items():
                self.line(f"skipped ({count}): {reason}")

    def expired_waivers(self, config: pytest.Config) -> None:
        waivers = config.getoption("--gws-waivers", None)
        today = datetime.date.today()
        for waiver in load_waivers(Path(waivers)) if waivers else []:
            if waiver.expired(today):
                self.line(
                    f"waiver expired on {waiver.expires}: {waiver.check} (owner {waiver.owner}); it waives nothing"
                )

    def baseline(self, config: pytest.Config) -> None:
        """With --baseline: the failures the accepted run had too (they do not fail this run), and
        what changed since it, new failures first."""
        comparison = config.stash.get(BASELINE, None)
        if comparison is None:
            return
        self.line()
        for line in lines(comparison, limit=20):
            self.line(line)
        self.line(
            f"baseline {config.getoption('--gws-baseline')}: {comparison.summary()}; "
            f"{len(comparison.known_failures)} known failure(s) do not fail this run"
        )

    def where(self, config: pytest.Config) -> None:
        written = [config.getoption(name, None) for name in ("--gws-results", "htmlpath", "xmlpath")]
        written = [str(path) for path in written if path]
        if written:
            self.line()
            self.line("reports: " + ", ".join(written))
