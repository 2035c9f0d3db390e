"""The verdict model (design.md) on top of pytest outcomes, and the run's exit code.

pass  the check held;
fail  a MUST clause is violated (pytest: failed in the call phase);
warn  a SHOULD clause is violated: reported, does not fail the run unless ``--gws-level should``
      (pytest: the failure is turned into an xfail whose reason starts with "WARN");
error the check could not run: target unreachable, setup failed (pytest: failed outside the
      call phase, i.e. in a fixture);
skip  the check does not apply, with its reason (no queue configured, no customer probe, ...);
waived a failure listed in a waiver file (conformance.report.waivers): does not fail the run;
stale  a waiver that no longer applies (the check passes, or the waiver expired): fails the run
      unless stale waivers are allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

import pytest

from conformance.errors import EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE
from conformance.internals import xfail_reason
from conformance.spec.clauses import Clause, Level, clause

CLAUSE_MARKER = "clause"
WARN_PREFIX = "WARN"


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"
    SKIP = "skip"
    WAIVED = "waived"
    STALE = "stale"


class Unjudgeable(Exception):
    """Raised by a check whose subject did not happen (nothing was announced, too few requests were
    accepted): it cannot judge its clause either way, so its verdict is error, not pass or fail."""


def requirement(clause_id: str) -> pytest.MarkDecorator:
    """Mark a check with the clause it tests: ``@requirement("sms.consult.notify.order")``.

    The clause must exist in the catalogue, so a typo fails at import, not in a report.
    """
    return pytest.mark.clause(clause(clause_id).id)


def clause_of(item: pytest.Item) -> Clause | None:
    marker = item.get_closest_marker(CLAUSE_MARKER)
    return clause(marker.args[0]) if marker else None


def verdict_of(report: pytest.TestReport) -> Verdict:
    """The verdict of one report phase (call them for every phase; see :func:`combine`)."""
    if report.skipped:
        reason = xfail_reason(report)
        return Verdict.WARN if reason.startswith(WARN_PREFIX) else Verdict.SKIP
    if report.failed:
        unjudgeable = report.when == "call" and getattr(report, "gws_unjudgeable", False)
        return Verdict.FAIL if report.when == "call" and not unjudgeable else Verdict.ERROR
    return Verdict.PASS


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """One verdict per check from its phases: an error anywhere dominates, then fail, stale, warn,
    waived, skip."""
    found = set(verdicts)
    for verdict in (Verdict.ERROR, Verdict.FAIL, Verdict.STALE, Verdict.WARN, Verdict.WAIVED, Verdict.SKIP):
        if verdict in found:
            return verdict
    return Verdict.PASS


def should_warn_only(item_clause: Clause | None, strict: bool) -> bool:
    return item_clause is not None and item_clause.level is Level.SHOULD and not strict


def exit_code(verdicts: Iterable[Verdict], *, allow_stale: bool = False) -> int:
    """0: every MUST check passed (warnings and waived failures allowed); 1: a MUST check failed,
    some check could not run, or a waiver is stale (unless ``allow_stale``); 3: no check could run
    (target unreachable). 2 (usage) is decided before a run."""
    counted = list(verdicts)
    ran = [v for v in counted if v is not Verdict.SKIP]
    if all(v is Verdict.ERROR for v in ran):  # also true when nothing ran at all
        return EXIT_UNREACHABLE
    failing = {Verdict.FAIL, Verdict.ERROR} | (set() if allow_stale else {Verdict.STALE})
    if any(v in failing for v in counted):
        return EXIT_FAILED
    return EXIT_OK
