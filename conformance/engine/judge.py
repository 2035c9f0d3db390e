"""Judging what a check observed against what the documentation expects. Pure functions.

The ordering judge compares the notifications one session produced (in the order one client
received them) with the documented sequence, and names each problem by its kind:

- ``missing``: an expected notification never arrived (not even by the end of the check);
- ``late``: it arrived, but after the deadline;
- ``duplicate``: it arrived more than once;
- ``extra``: something arrived that the page does not announce;
- ``reordered``: everything arrived, in another order than documented.

Checks turn problems into an :class:`AssertionError` whose first line names the clause, so a
report reader sees "sms.consult.notify.order [MUST] reordered: ..." without reading code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
    kind: str  # missing | late | duplicate | extra | reordered
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def describe(data: Notification) -> str:
    """A short, stable name for a notification: notificationType and its message types."""
    name = str(data.get("notificationType", "?"))
    messages = data.get("messages")
    if isinstance(messages, list):
        types = ",".join(str(m.get("type", "?")) for m in messages if isinstance(m, Mapping))
        name += f"({types})"
    state = (data.get("smssession") or {}).get("state") if isinstance(data.get("smssession"), Mapping) else None
    if state:
        name += f"[{state}]"
    return name


def judge_sequence(expected: Sequence[Expected], observed: Sequence[Arrival], *, deadline: float) -> list[Problem]:
    """Compare ``observed`` (everything the session produced, in arrival order) with ``expected``."""
    problems: list[Problem] = []
    positions: dict[int, list[int]] = {i: [] for i in range(len(expected))}
    for position, arrival in enumerate(observed):
        index = next((i for i, e in enumerate(expected) if e.matches(arrival.data)), None)
        if index is None:
            problems.append(Problem("extra", f"{describe(arrival.data)} at +{arrival.after:.3f}s"))
        else:
            positions[index].append(position)

    for index, found in positions.items():
        name = expected[index].name
        if not found:
            problems.append(Problem("missing", f"{name} never arrived"))
            continue
        first = observed[found[0]]
        if first.after > deadline:
            problems.append(Problem("late", f"{name} arrived at +{first.after:.3f}s, deadline {deadline:g}s"))
        if len(found) > 1:
            problems.append(Problem("duplicate", f"{name} arrived {len(found)} times"))

    firsts = [(found[0], index) for index, found in positions.items() if found]
    if [index for _, index in sorted(firsts)] != sorted(index for _, index in firsts):
        seen = " < ".join(expected[index].name for _, index in sorted(firsts))
        wanted = " < ".join(e.name for e in expected)
        problems.append(Problem("reordered", f"observed {seen}; documented {wanted}"))
    return problems


def problems_message(clause_id: str, level: str, problems: Iterable[Problem], observed: Sequence[Arrival]) -> str:
    """The failure text: clause first, then each problem, then the sequence as observed."""
    lines = [f"{clause_id} [{level}] " + "; ".join(str(p) for p in problems)]
    lines.append("observed: " + (" -> ".join(f"{describe(a.data)}@+{a.after:.3f}s" for a in observed) or "nothing"))
    return "\n".join(lines)


_KINDS = ("missing", "late", "duplicate", "extra", "reordered")


def problem_kinds(message: str) -> list[str]:
    """The problem kinds named in the first line of a :func:`problems_message` (none for other text)."""
    first_line = message.splitlines()[0] if message else ""
    if "] " not in first_line:
        return []
    named = {part.strip().split(":", 1)[0] for part in first_line.split("] ", 1)[1].split(";")}
    return [kind for kind in _KINDS if kind in named]
