"""Judging what a scenario observed, for every page's checks: the first notification that
matches, schema problems as one line, the participants and messages a notification carries, and
predicates over session snapshots and messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from conformance.engine.context import Conformance, Observation
from conformance.engine.judge import (
    Arrival,
    Expected,
    describe,
    judge_sequence,
    problems_message,
)
from conformance.engine.stage import is_participants_updated
from conformance.engine.verdicts import Unjudgeable
from conformance.spec.schemas import validate


def first(arrivals: list[Arrival], predicate) -> Mapping[str, Any] | None:
    return next((a.data for a in arrivals if predicate(a.data)), None)


def schema_problems(shape: str, data: object) -> str:
    return "; ".join(f"{v.path}: {v.message} ({v.keyword})" for v in validate(shape, data))


def received_valid(
    arrivals: list[Arrival], expected: Expected, shape: str, clause_id: str, level: str = "MUST"
) -> Mapping[str, Any]:
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


def assert_ok_response(seen: Observation, clause_id: str) -> None:
    """The bare {statusCode: 0} the lifecycle pages show (a referenceId beside it is allowed)."""
    problems = schema_problems("responses/ok", seen.response_body)
    assert seen.response_status < 300 and not problems, (
        f"{clause_id} [MUST] HTTP {seen.response_status} {seen.response_body}: {problems or 'not a success'}"
    )


ORDER_PROBLEMS = ("missing", "late", "reordered")


def assert_in_documented_order(
    clause_id: str, expected: tuple[Expected, ...], arrivals: list[Arrival], deadline: float
) -> None:
    """Each documented notification arrived within the deadline, in the documented order;
    notifications of other kinds in between are tolerated, a repeat is notify.once's."""
    problems = [p for p in judge_sequence(expected, arrivals, deadline=deadline) if p.kind in ORDER_PROBLEMS]
    assert not problems, problems_message(clause_id, "MUST", problems, arrivals)


def assert_joined(seen: Observation, clause_id: str, joiners: tuple[str, ...]) -> None:
    """Accepted, a new participant in the originator's ParticipantsUpdated, and one of the agents
    in ``joiners`` (roles) now lists the session among its own: it is *that* agent that joined,
    not some participant."""
    Conformance.assert_accepted(seen, clause_id)
    updated = first(seen.received["originator"], is_participants_updated)
    assert updated is not None, f"{clause_id} [MUST] accepted, but no ParticipantsUpdated showed anyone joining"
    joined = participant_ids(updated.get("smssession", {})) - participant_ids(seen.before)
    assert joined, f"{clause_id} [MUST] ParticipantsUpdated arrived but no new participant is in it"
    listed = [role for role in joiners if seen.listed.get(role) is not None]
    assert listed, (
        f"{clause_id} [MUST] a participant joined, but the session is not among the sessions of the "
        f"targeted agent ({' or '.join(joiners)}; GET /api/v2/me/smssessions)"
    )


def assert_carries_reference_id(status: Mapping[str, Any] | None, operation: str) -> None:
    """sms.common.reference-id.notify: the outcome's StatusChange carries a referenceId, as the
    operation's page shows."""
    if status is None:
        raise Unjudgeable(f"sms.common.reference-id.notify: no StatusChange of the {operation} arrived")
    assert isinstance(status.get("referenceId"), int), (
        f"sms.common.reference-id.notify [SHOULD] {operation}'s StatusChange carries no referenceId (the page's does)"
    )


def assert_reference_ids_match(seen: Observation, notification: Mapping[str, Any] | None, clause_id: str) -> None:
    """Where the response and the outcome's notification both carry a referenceId, they agree
    (sms.common.reference-id.match); either may lack one (erratum 7)."""
    body = seen.response_body if isinstance(seen.response_body, Mapping) else {}
    sent, echoed = body.get("referenceId"), (notification or {}).get("referenceId")
    if notification is None:
        raise Unjudgeable(f"{clause_id}: no notification of the outcome arrived to compare")
    if sent is None or echoed is None:
        pytest.skip(f"only one side carries a referenceId (response {sent!r}, notification {echoed!r})")
    assert sent == echoed, f"{clause_id} [MUST] the notification carries referenceId {echoed!r}, the response {sent!r}"


def queue_name_or_skip(gws: Conformance) -> str:
    """The configured queue's name (Transfer's and Complete's queueName), or a skip saying so."""
    name = gws.queue_name()
    if not name:
        pytest.skip("no queue name configured ([queue] name)")
    return name


def customer_saw(seen: Observation) -> list[Mapping[str, Any]]:
    """What reached the customer's phone during the operation; skips without a customer probe."""
    before, after = seen.customer_received()
    return after[len(before) :]
