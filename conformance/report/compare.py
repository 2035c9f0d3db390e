"""Two runs compared: what ``gws-conformance diff A B`` prints and ``run --baseline`` gates on.

A run is read from its ``results.json``. Per check, the comparison names what changed between
the earlier run (A, or the accepted baseline) and the later one (B): a **new failure** (failing in
B, not failing or absent in A), a **fix**, a **new skip**, a check that exists on **one side
only**, or another change of verdict (pass to warn, fail to error). Per clause, it names the
clauses whose combined verdict changed. A failure present on both sides is **known**: reported,
but not a regression. "Failing" is what fails a run: fail, error, and stale.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.engine.verdicts import Verdict

FAILING = frozenset({Verdict.FAIL.value, Verdict.ERROR.value, Verdict.STALE.value})


class ChangeKind(enum.Enum):
    NEW_FAILURE = "new failure"
    FIXED = "fixed"
    NEW_SKIP = "new skip"
    ONLY_BEFORE = "only in A"
    ONLY_AFTER = "only in B"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    """One check whose verdict differs between the runs (None: the run has no such check)."""

    check: str
    clause: str | None
    before: str | None
    after: str | None

    @property
    def kind(self) -> ChangeKind:
        if self.after in FAILING and self.before not in FAILING:
            return ChangeKind.NEW_FAILURE
        if self.after is None:
            return ChangeKind.ONLY_BEFORE
        if self.before is None:
            return ChangeKind.ONLY_AFTER
        if self.before in FAILING and self.after not in FAILING:
            return ChangeKind.FIXED
        if self.after == Verdict.SKIP.value:
            return ChangeKind.NEW_SKIP
        return ChangeKind.CHANGED

    def as_record(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "clause": self.clause,
            "kind": self.kind.value,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class ClauseChange:
    clause: str
    level: str
    before: str | None
    after: str | None


@dataclass
class Comparison:
    """What changed from run A to run B, per check and per clause, and the failures both share."""

    changes: list[Change] = field(default_factory=list)
    clause_changes: list[ClauseChange] = field(default_factory=list)
    known_failures: list[str] = field(default_factory=list)  # failing (fail, error, stale) in both runs
    known_unjudged: list[str] = field(default_factory=list)  # MUST clauses the accepted run (A) judged by no check

    def of_kind(self, kind: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind is kind]

    @property
    def new_failures(self) -> list[Change]:
        return self.of_kind(ChangeKind.NEW_FAILURE)

    def counts(self) -> dict[str, int]:
        counts = {kind.value: len(self.of_kind(kind)) for kind in ChangeKind}
        return counts | {"known failure": len(self.known_failures)}

    def as_record(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "checks": [c.as_record() for c in self.changes],
            "clauses": [
                {"clause": c.clause, "level": c.level, "before": c.before, "after": c.after}
                for c in self.clause_changes
            ],
            "known_failures": self.known_failures,
            "known_unjudged": self.known_unjudged,
        }

    def summary(self) -> str:
        shown = [f"{kind}: {n}" for kind, n in self.counts().items() if n]
        return ", ".join(shown) or "no verdict changed"


# Per check: (clause, verdict); per clause: (level, combined verdict).
Verdicts = Mapping[str, tuple[str | None, str]]


def verdicts_of(document: Mapping[str, Any]) -> dict[str, tuple[str | None, str]]:
    return {c["id"]: (c.get("clause"), c["verdict"]) for c in document["checks"]}


def clause_verdicts_of(document: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    return {row["clause"]: (row["level"], row["verdict"]) for row in document.get("clauses", [])}


def compare(
    before: Verdicts,
    after: Verdicts,
    clauses_before: Mapping[str, tuple[str, str]] | None = None,
    clauses_after: Mapping[str, tuple[str, str]] | None = None,
) -> Comparison:
    """What changed from ``before`` to ``after``: checks in B's order, then those only in A."""
    comparison = Comparison()
    for check in [*after, *(c for c in before if c not in after)]:
        clause_b, verdict_b = after.get(check, (None, None))
        clause_a, verdict_a = before.get(check, (None, None))
        if verdict_a in FAILING and verdict_b in FAILING:  # failing in both, perhaps otherwise (fail, error)
            comparison.known_failures.append(check)
        if verdict_a != verdict_b:
            comparison.changes.append(Change(check, clause_b or clause_a, verdict_a, verdict_b))
    clauses_before, clauses_after = clauses_before or {}, clauses_after or {}
    for clause in [*clauses_after, *(c for c in clauses_before if c not in clauses_after)]:
        level, verdict_b = clauses_after.get(clause, (clauses_before.get(clause, ("", None))[0], None))
        verdict_a = clauses_before.get(clause, (level, None))[1]
        if verdict_a != verdict_b:
            comparison.clause_changes.append(ClauseChange(clause, level, verdict_a, verdict_b))
    return comparison


def compare_documents(before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
    return compare(verdicts_of(before), verdicts_of(after), clause_verdicts_of(before), clause_verdicts_of(after))


def lines(comparison: Comparison, limit: int | None = None) -> Iterable[str]:
    """One line per changed check (new failures first), then per changed clause."""
    order = list(ChangeKind)
    changes = sorted(comparison.changes, key=lambda c: order.index(c.kind))
    for change in changes[:limit]:
        yield (
            f"{change.kind.value.upper():<12} {change.check}  {change.clause or ''}: "
            f"{change.before or '(absent)'} -> {change.after or '(absent)'}"
        )
    if limit is not None and len(changes) > limit:
        yield f"... and {len(changes) - limit} more (the JSON and HTML outputs list every one)"
    for clause in comparison.clause_changes[:limit]:
        before, after = clause.before or "(absent)", clause.after or "(absent)"
        yield f"CLAUSE       {clause.clause} [{clause.level}]: {before} -> {after}"


# The baseline of ``run --baseline``, found by the plugin and read by the console.
BASELINE = pytest.StashKey[Comparison]()
