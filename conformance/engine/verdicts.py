"""The verdict model and how a check says what it found, as values.

A check judges one clause (its :func:`requirement` marker). What it finds travels as typed fields,
never as text to be parsed back:

- :class:`Violation`: the clause is not met; it carries the failure kinds (for ordering
  failures) and what was expected and observed. The clause is the check's, the level the
  catalogue's: a violation never names either, so no helper can cite the wrong one.
- :class:`Unjudgeable`: the check could not judge (its subject never happened, the notifications
  cannot be observed, a precondition did not hold): an error, with its :class:`ErrorCause`.
- :class:`NotApplicable`: the check does not apply to this configuration or session source: a
  skip, naming the configuration key that would make it apply.

The plugin turns each into a verdict (:class:`Verdict`) and stores the fields on the report, where
results.json, the console, JUnit, HTML, recheck and selftest read them.

pass   the check held;
fail   a MUST clause is violated;
warn   a SHOULD clause is violated: reported, fails the run only with ``--level should``;
error  the check could not judge: target unreachable, setup failed, the subject never happened;
skip   the check does not apply, with its reason;
waived a failure listed in a waiver file (conformance.report.waivers): does not fail the run;
stale  a waiver that no longer applies (the check passes, or the waiver expired): fails the run
       unless stale waivers are allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import pytest

from conformance.client.bayeux import BayeuxError
from conformance.client.rest import TargetUnreachable
from conformance.errors import EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE
from conformance.spec.clauses import Clause, Level, clause

CLAUSE_MARKER = "clause"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"
    SKIP = "skip"
    WAIVED = "waived"
    STALE = "stale"


class FailureKind(StrEnum):
    """How a documented sequence of notifications was not met (an ordering failure)."""

    MISSING = "missing"  # an expected notification never arrived
    LATE = "late"  # it arrived after the deadline
    DUPLICATE = "duplicate"  # it arrived more than once
    EXTRA = "extra"  # something arrived that the page does not announce
    REORDERED = "reordered"  # everything arrived, in another order than documented


class ErrorCause(StrEnum):
    """Why a check could not judge (its verdict is error, never pass or fail)."""

    NOT_HAPPENED = "not-happened"  # what the check judges never happened (nothing was announced, ...)
    PRECONDITION = "precondition"  # the scenario's setup did not hold (a consult that never joined, ...)
    UNOBSERVABLE = "unobservable"  # the session's notifications cannot be observed at all
    UNREACHABLE = "unreachable"  # the target gave no usable answer
    NOT_RECORDED = "not-recorded"  # recheck: the recording lacks a call the check makes
    CRASH = "crash"  # an unexpected exception: a defect of the suite or of the target's answers


class Violation(AssertionError):
    """The check's clause is not met.

    ``message`` is for people; ``kinds``, ``expected`` and ``observed`` are for every report.
    """

    def __init__(
        self,
        message: str,
        *,
        kinds: Iterable[FailureKind] = (),
        expected: str | None = None,
        observed: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kinds = tuple(dict.fromkeys(kinds))
        self.expected = expected
        self.observed = observed

    def text(self) -> str:
        """The message with what was expected and observed, as the reports print it."""
        lines = [self.message]
        if self.expected is not None:
            lines.append(f"expected: {self.expected}")
        if self.observed is not None:
            lines.append(f"observed: {self.observed}")
        return "\n".join(lines)


def expect(
    holds: object,
    message: str,
    *,
    kinds: Iterable[FailureKind] = (),
    expected: str | None = None,
    observed: str | None = None,
) -> None:
    """Raise a :class:`Violation` unless ``holds``: a check's ``assert`` with typed fields."""
    if not holds:
        raise Violation(message, kinds=kinds, expected=expected, observed=observed)


class Unjudgeable(Exception):
    """The check cannot judge its clause either way: its verdict is error, with ``cause``."""

    def __init__(self, message: str, cause: ErrorCause = ErrorCause.NOT_HAPPENED) -> None:
        super().__init__(message)
        self.message = message
        self.cause = cause


class NotApplicable(Exception):
    """The check does not apply here (no queue configured, no customer probe, ...): a skip.

    ``key`` names the configuration key that would make it apply, where one would.
    """

    def __init__(self, reason: str, key: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.key = key


def cause_of(error: BaseException) -> ErrorCause:
    """Why an exception stopped a check from judging."""
    if isinstance(error, Unjudgeable):
        return error.cause
    if isinstance(error, TargetUnreachable):
        return ErrorCause.UNREACHABLE
    if isinstance(error, BayeuxError):
        return ErrorCause.UNOBSERVABLE
    return ErrorCause.CRASH


def requirement(clause_id: str) -> pytest.MarkDecorator:
    """Mark a check with the clause it tests: ``@requirement("sms.consult.notify.order")``.

    The clause must exist in the catalogue, so a typo fails at import, not in a report.
    """
    return pytest.mark.clause(clause(clause_id).id)


def clause_of(item: pytest.Item) -> Clause | None:
    marker = item.get_closest_marker(CLAUSE_MARKER)
    return clause(marker.args[0]) if marker else None


def violation_verdict(level: Level, strict: bool) -> Verdict:
    """What a violation of a clause of ``level`` is: a MUST fails; a SHOULD warns unless ``strict``."""
    return Verdict.WARN if level is Level.SHOULD and not strict else Verdict.FAIL


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """One verdict per check from its phases: an error anywhere dominates, then fail, stale, warn,
    waived, skip."""
    found = set(verdicts)
    for verdict in (Verdict.ERROR, Verdict.FAIL, Verdict.STALE, Verdict.WARN, Verdict.WAIVED, Verdict.SKIP):
        if verdict in found:
            return verdict
    return Verdict.PASS


def exit_code(verdicts: Iterable[Verdict], *, allow_stale: bool = False) -> int:
    """0: every MUST check passed (warnings and waived failures allowed); 1: a MUST check failed,
    some check could not run, or a waiver is stale (unless ``allow_stale``); 3: no check could run
    (target unreachable). 2 (usage) is decided before a run, 4 (incomplete) from the clause matrix."""
    counted = list(verdicts)
    ran = [v for v in counted if v is not Verdict.SKIP]
    if all(v is Verdict.ERROR for v in ran):  # also true when nothing ran at all
        return EXIT_UNREACHABLE
    failing = {Verdict.FAIL, Verdict.ERROR} | (set() if allow_stale else {Verdict.STALE})
    if any(v in failing for v in counted):
        return EXIT_FAILED
    return EXIT_OK
