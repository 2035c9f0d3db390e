"""Judging what a check observed against what the documentation expects. Pure functions.

The ordering judge compares the notifications one session produced (in the order one client
received them) with the documented sequence, and names each problem by its kind:

- ``missing``: an expected notification never arrived (not even by the end of the check);
- ``late``: it arrived, but after the deadline;
- ``duplicate``: it arrived more than once;
- ``extra``: something arrived that the page does not announce;
- ``reordered``: everything arrived, in another order than documented.

A check turns problems into a :class:`~conformance.engine.verdicts.Violation` carrying their
kinds (:func:`ordering_violation`); the clause and its level come from the check, not from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.engine.notation import describe
from conformance.engine.verdicts import FailureKind, Violation

Notification = Mapping[str, Any]


@dataclass(frozen=True)
class Expected:
    """One documented notification: a name for messages and a predicate that recognises it."""

    name: str
    matches: Callable[[Notification], bool]


@dataclass(frozen=True)
class Arrival:
    """A notification as one client received it: its data and seconds since the request."""

    data: Notification
    after: float


@dataclass(frozen=True)
class Problem:
    kind: FailureKind
    detail: str

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.detail}"


def judge_sequence(expected: Sequence[Expected], observed: Sequence[Arrival], *, deadline: float) -> list[Problem]:
    """Compare ``observed`` (everything the session produced, in arrival order) with ``expected``."""
    problems: list[Problem] = []
    positions: dict[int, list[int]] = {i: [] for i in range(len(expected))}
    for position, arrival in enumerate(observed):
        index = next((i for i, e in enumerate(expected) if e.matches(arrival.data)), None)
        if index is None:
            problems.append(Problem(FailureKind.EXTRA, f"{describe(arrival.data)} at +{arrival.after:.3f}s"))
        else:
            positions[index].append(position)

    for index, found in positions.items():
        name = expected[index].name
        if not found:
            problems.append(Problem(FailureKind.MISSING, f"{name} never arrived"))
            continue
        first = observed[found[0]]
        if first.after > deadline:
            problems.append(Problem(FailureKind.LATE, f"{name} arrived at +{first.after:.3f}s, deadline {deadline:g}s"))
        if len(found) > 1:
            problems.append(Problem(FailureKind.DUPLICATE, f"{name} arrived {len(found)} times"))

    firsts = [(found[0], index) for index, found in positions.items() if found]
    if [index for _, index in sorted(firsts)] != sorted(index for _, index in firsts):
        seen = " < ".join(expected[index].name for _, index in sorted(firsts))
        wanted = " < ".join(e.name for e in expected)
        problems.append(Problem(FailureKind.REORDERED, f"observed {seen}; documented {wanted}"))
    return problems


def sequence(observed: Sequence[Arrival]) -> str:
    """A sequence as observed, in the suite's notation: ``ParticipantsUpdated@+0.012s -> ...``."""
    return " -> ".join(f"{describe(a.data)}@+{a.after:.3f}s" for a in observed) or "nothing"


def ordering_violation(
    problems: Sequence[Problem], observed: Sequence[Arrival], expected: Sequence[Expected] = (), note: str = ""
) -> Violation:
    """The violation of a documented sequence: each problem (its kind a field), and the sequence
    as observed and as documented."""
    said = "; ".join(str(p) for p in problems) or "the documented sequence did not hold"
    return Violation(
        said + (f" ({note})" if note else ""),
        kinds=[p.kind for p in problems],
        expected=" < ".join(e.name for e in expected) or None,
        observed=sequence(observed),
    )
