"""Judging what a scenario observed, for every page's checks: the first notification that
matches, schema problems as one line, the participants and messages a notification carries,
predicates over session snapshots and messages, and the judgements every page shares (a GWS
refusal, an acceptance, a documented order, a join, referenceIds).

A judgement raises a :class:`Violation` (or :func:`expect` does): the clause it violates is the
calling check's, and its level the catalogue's, so nothing here names either.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from conformance.client.rest import Exchange
from conformance.engine.context import Conformance
from conformance.engine.judge import Arrival, Expected, judge_sequence, ordering_violation
from conformance.engine.notation import body as said
from conformance.engine.notation import describe
from conformance.engine.observation import Observation
from conformance.engine.stage import is_participants_updated
from conformance.engine.timestamps import disagreement
from conformance.engine.verdicts import FailureKind, NotApplicable, Unjudgeable, Violation, expect
from conformance.spec.schemas import validate

Predicate = Callable[[Mapping[str, Any]], bool]


def first(arrivals: list[Arrival], predicate: Predicate) -> Mapping[str, Any] | None:
    return next((a.data for a in arrivals if predicate(a.data)), None)


def schema_problems(shape: str, data: object) -> str:
    return "; ".join(f"{v.path}: {v.message} ({v.keyword})" for v in validate(shape, data))


def received_valid(arrivals: list[Arrival], expected: Expected, shape: str) -> Mapping[str, Any]:
    """The first notification ``expected`` recognises, which must exist and conform to ``shape``."""
    data = first(arrivals, expected.matches)
    if data is None:
        raise Violation(f"no {expected.name} arrived", expected=expected.name, observed=received_names(arrivals))
    problems = schema_problems(shape, data)
    expect(not problems, f"{expected.name}: {problems}")
    return data


def participant_ids(session: Mapping[str, Any]) -> set[str]:
    participants = session.get("participants", [])
    return {str(p.get("participantId")) for p in participants if isinstance(p, Mapping) and "participantId" in p}


def messages_in(arrivals: list[Arrival]) -> list[Mapping[str, Any]]:
    return [m for a in arrivals for m in a.data.get("messages", []) if isinstance(m, Mapping)]


def assert_message_indexes(seen: Observation, role: str = "originator") -> None:
    """sms.common.notify.index, on every page that adds messages: in the message log after the
    operation and in what ``role``'s stream announced during it, indexes are integers that strictly
    increase and never repeat; an announced message continues the log (its index above every
    index the log held before: a new message with an old index repeats it), and the log holds it
    (MessageLogUpdated: the log was updated, so an empty log is a failure, not a pass). The very
    same message delivered twice is notify.once's warning, not a reused index. Only what arrived
    after the request was sent is the operation's: a stream's window may open on the tail of the
    session's setup (a consult's join still on its way to the consultant)."""
    during = [a for a in seen.received.get(role, []) if a.after >= 0]
    delivered = {json.dumps(m, sort_keys=True): m for m in messages_in(during)}
    streamed: list[Any] = [m.get("index") for m in delivered.values()]
    if not streamed:
        raise Unjudgeable(f"the {role}'s stream announced no message during the operation to judge")
    indexes: list[Any] = [m.get("index") for m in seen.log_after]
    expect(set(streamed) <= set(indexes), f"the message log (indexes {indexes}) lacks the announced indexes {streamed}")
    expect(
        all(isinstance(i, int) for i in indexes) and indexes == sorted(set(indexes)), f"message log indexes {indexes}"
    )
    expect(
        all(isinstance(i, int) for i in streamed) and streamed == sorted(set(streamed)), f"streamed indexes {streamed}"
    )
    expect(
        min(streamed) > seen.last_index_before,
        f"announced indexes {streamed} do not continue the log: it already held index {seen.last_index_before}",
    )


def assert_notified_once(
    expected: Sequence[Expected], arrivals: list[Arrival], deadline: float, note: str = ""
) -> None:
    """sms.common.notify.once, on every page: no documented notification of the operation reached
    the stream twice (a SHOULD: no page says; a repeat warns)."""
    problems = [p for p in judge_sequence(expected, arrivals, deadline=deadline) if p.kind is FailureKind.DUPLICATE]
    if problems:
        raise ordering_violation(problems, arrivals, expected, note=note)


def assert_timestamps_agree(seen: Observation, role: str = "originator") -> None:
    """sms.common.timestamp, on every page that adds messages: in the log after the operation and
    in what ``role``'s stream announced, timestampSeconds is the same instant as timestamp."""
    messages = [*seen.log_after, *messages_in(seen.received.get(role, []))]
    if not messages:
        raise Unjudgeable("the session has no message to compare")
    wrong = [
        (m.get("timestamp"), m.get("timestampSeconds"), why)
        for m in messages
        if (why := disagreement(m.get("timestamp"), m.get("timestampSeconds")))
    ]
    expect(
        not wrong,
        "timestamp and timestampSeconds disagree: "
        + "; ".join(f"{stamp} vs {seconds}: {why}" for stamp, seconds, why in wrong),
    )


def assert_own_reference_ids(seen: Observation) -> None:
    """sms.common.reference-id.unique, on every page whose scenario prepares the session with
    requests of the same agent (the same client session): the accepted ones and the page's own
    request each answered a referenceId of their own. A response without one is its page's
    response clause's to judge, not a repeat."""
    numbered = [
        (e, e.body["referenceId"])
        for e in (*seen.setup, seen.exchange)
        if e.succeeded and isinstance(e.body.get("referenceId"), int)
    ]
    if len(numbered) < 2 or numbered[-1][0] is not seen.exchange:
        raise Unjudgeable(f"needs two accepted requests of one agent answering a referenceId; {len(numbered)} did")
    ids = [i for _, i in numbered]
    expect(
        len(set(ids)) == len(ids),
        "one agent's accepted requests answered referenceIds "
        + ", ".join(f"{_operation(e.request_body)} {i}" for e, i in numbered),
    )


def _operation(body: object) -> str:
    return str(body.get("operationName")) if isinstance(body, Mapping) else "?"


def snapshot_where(predicate: Predicate) -> Predicate:
    """A notification carrying a session snapshot that satisfies ``predicate``."""
    return lambda data: isinstance(data.get("smssession"), Mapping) and predicate(data["smssession"])


def message_where(predicate: Predicate) -> Predicate:
    """A notification carrying a message that satisfies ``predicate``."""
    return lambda data: any(isinstance(m, Mapping) and predicate(m) for m in data.get("messages", []))


def received_names(arrivals: list[Arrival]) -> str:
    return " -> ".join(describe(a.data) for a in arrivals) or "nothing"


def received_summary(seen: Observation) -> str:
    """What each agent received, in the suite's notation."""
    return "received: " + "; ".join(f"{role}: {received_names(a)}" for role, a in seen.received.items())


# --- the answers every page shares ------------------------------------------------------------------


def assert_refusal(seen: Observation, documented_code: int | None = None) -> None:
    """The GWS way of saying no (page Return Values): a 4xx-or-200 answer, never a 5xx, with a
    non-zero statusCode, a statusMessage and no referenceId."""
    status, body = seen.response_status, seen.response_body
    expect(status < 500, f"bad input answered with HTTP {status}: {said(body)}")
    problems = [f"{v.path}: {v.message}" for v in validate("responses/error", body)]
    hint = f" (documented statusCode: {documented_code})" if documented_code is not None else ""
    expect(not problems, f"not a GWS refusal{hint}: HTTP {status} {said(body)}: {'; '.join(problems)}")


def assert_accepted(seen: Observation) -> None:
    assert_taken(seen.exchange)


def assert_taken(exchange: Exchange) -> None:
    """The request was accepted: a 2xx with statusCode 0."""
    expect(
        exchange.status < 300 and exchange.succeeded,
        f"the request was refused: HTTP {exchange.status} {said(exchange.body)}",
    )


def assert_answered_as(exchange: Exchange, shape: str) -> None:
    """An accepted request's response is the one its page shows (``shape``: the bare
    {statusCode: 0} of responses/ok, or responses/accepted with its integer referenceId)."""
    assert_taken(exchange)
    problems = schema_problems(shape, exchange.body)
    expect(not problems, f"HTTP {exchange.status} {said(exchange.body)}: {problems}")


def assert_ok_response(seen: Observation) -> None:
    """The bare {statusCode: 0} the lifecycle pages show (a referenceId beside it is allowed)."""
    assert_answered_as(seen.exchange, "responses/ok")


ORDER_PROBLEMS = (FailureKind.MISSING, FailureKind.LATE, FailureKind.REORDERED)


def assert_in_documented_order(expected: tuple[Expected, ...], arrivals: list[Arrival], deadline: float) -> None:
    """Each documented notification arrived within the deadline, in the documented order;
    notifications of other kinds in between are tolerated, a repeat is notify.once's."""
    problems = [p for p in judge_sequence(expected, arrivals, deadline=deadline) if p.kind in ORDER_PROBLEMS]
    if problems:
        raise ordering_violation(problems, arrivals, expected)


def assert_joined(seen: Observation, joiners: tuple[str, ...]) -> None:
    """Accepted, a new participant in the originator's ParticipantsUpdated, and one of the agents
    in ``joiners`` (roles) now lists the session among its own: it is *that* agent that joined,
    not some participant."""
    assert_accepted(seen)
    updated = first(seen.received["originator"], is_participants_updated)
    expect(updated is not None, "accepted, but no ParticipantsUpdated showed anyone joining")
    joined = participant_ids((updated or {}).get("smssession", {})) - participant_ids(seen.before)
    expect(joined, "ParticipantsUpdated arrived but no new participant is in it")
    listed = [role for role in joiners if seen.listed.get(role) is not None]
    expect(
        listed,
        f"a participant joined, but the session is not among the sessions of the targeted agent "
        f"({' or '.join(joiners)}; GET /api/v2/me/smssessions)",
    )


def assert_carries_reference_id(status: Mapping[str, Any] | None, operation: str) -> None:
    """The outcome's StatusChange carries a referenceId, as the operation's page shows."""
    if status is None:
        raise Unjudgeable(f"no StatusChange of the {operation} arrived")
    expect(
        isinstance(status.get("referenceId"), int),
        f"{operation}'s StatusChange carries no referenceId (the page's does)",
    )


def assert_reference_ids_match(seen: Observation, notification: Mapping[str, Any] | None) -> None:
    """Where the response and the outcome's notification both carry a referenceId, they agree;
    either may lack one (erratum 7)."""
    body = seen.response_body if isinstance(seen.response_body, Mapping) else {}
    sent, echoed = body.get("referenceId"), (notification or {}).get("referenceId")
    if notification is None:
        raise Unjudgeable("no notification of the outcome arrived to compare")
    if sent is None or echoed is None:
        raise NotApplicable(f"only one side carries a referenceId (response {sent!r}, notification {echoed!r})")
    expect(sent == echoed, f"the notification carries referenceId {echoed!r}, the response {sent!r}")


def queue_name_or_skip(gws: Conformance) -> str:
    """The configured queue's name (Transfer's and Complete's queueName), or not applicable."""
    name = gws.queue_name()
    if not name:
        raise NotApplicable("no queue name configured ([queue] name)", key="queue.name")
    return name


def customer_saw(seen: Observation) -> list[Mapping[str, Any]]:
    """What reached the customer's phone during the operation; not applicable without a customer probe."""
    before, after = seen.customer_received()
    return after[len(before) :]


# The customer's phone, as the probe prints it (schemas/probe/customer-phone.json): only what a
# phone shows is relied on. A participantId, where the probe gives one, decides who sent a
# message; without one, the direction and the sender's nickname do (the agents' nicknames are
# the suite's own, from the sessions it observed).


def _sender(message: Mapping[str, Any]) -> Mapping[str, Any]:
    sender = message.get("from")
    return sender if isinstance(sender, Mapping) else {}


def phone_nickname(message: Mapping[str, Any]) -> Any:
    """The sender's name as the phone shows it."""
    return message.get("nickname", _sender(message).get("nickname"))


def sent_by_customer(message: Mapping[str, Any], session: Mapping[str, Any]) -> bool:
    """The customer wrote it: its direction says so, or its sender is the session's Customer."""
    customers = [p for p in session.get("participants", []) if isinstance(p, Mapping) and p.get("type") == "Customer"]
    return (
        message.get("direction") == "sent" or _sender(message).get("type") == "Customer" or sent_by(message, customers)
    )


def sent_by(message: Mapping[str, Any], participants: list[Mapping[str, Any]]) -> bool:
    """Whether one of ``participants`` sent it: by participantId where the phone gives one, else
    by the nickname the phone shows (a message naming no sender is nobody's)."""
    participant_id = _sender(message).get("participantId")
    if participant_id is not None:
        return participant_id in {p.get("participantId") for p in participants}
    nickname = phone_nickname(message)
    return nickname is not None and nickname in {p.get("nickname") for p in participants}


def phone_summary(messages: list[Mapping[str, Any]]) -> str:
    """What the probe showed, for a failure message: each message's type and who sent it."""
    if not messages:
        return "the probe showed no message"
    shown = [
        f"{m.get('type')} ({'from the customer' if m.get('direction') == 'sent' else phone_nickname(m) or 'no sender'})"
        for m in messages[-8:]
    ]
    return f"the probe showed {len(messages)} message(s){', the last' if len(messages) > 8 else ''}: " + ", ".join(
        shown
    )
