"""Judging what a scenario observed, for every page's checks: the first notification that
matches, schema problems as one line, the participants and messages a notification carries, and
predicates over session snapshots and messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from conformance.context import Observation
from conformance.judge import Arrival, Expected, describe
from conformance.spec.schemas import validate


def first(arrivals: list[Arrival], predicate) -> Mapping[str, Any] | None:
    return next((a.data for a in arrivals if predicate(a.data)), None)


def schema_problems(shape: str, data: object) -> str:
    return "; ".join(f"{v.path}: {v.message} ({v.keyword})" for v in validate(shape, data))


def received_valid(arrivals: list[Arrival], expected: Expected, shape: str, clause_id: str,
                   level: str = "MUST") -> Mapping[str, Any]:
    """The first notification ``expected`` recognises, which must exist and conform to ``shape``."""
    data = first(arrivals, expected.matches)
    assert data is not None, f"{clause_id} [{level}] no {expected.name} arrived"
    problems = schema_problems(shape, data)
    assert not problems, f"{clause_id} [{level}] {expected.name}: {problems}"
    return data


def participant_ids(session: Mapping[str, Any]) -> set[str]:
    return {p.get("participantId") for p in session.get("participants", []) if isinstance(p, Mapping)}


def messages_in(arrivals: list[Arrival]) -> list[Mapping[str, Any]]:
    return [m for a in arrivals for m in a.data.get("messages", []) if isinstance(m, Mapping)]


def snapshot_where(predicate) -> Callable[[Mapping[str, Any]], bool]:
    """A notification carrying a session snapshot that satisfies ``predicate``."""
    return lambda data: isinstance(data.get("smssession"), Mapping) and predicate(data["smssession"])


def message_where(predicate) -> Callable[[Mapping[str, Any]], bool]:
    """A notification carrying a message that satisfies ``predicate``."""
    return lambda data: any(isinstance(m, Mapping) and predicate(m) for m in data.get("messages", []))


def received_summary(seen: Observation) -> str:
    return f"received: { {r: [describe(a.data) for a in arrivals] for r, arrivals in seen.received.items()} }"
