"""Checks of the documentation page "SMS Session API: Accept", one clause each.

Page: https://docs.genesys.com/Documentation/HTCC/latest/API/SMSAccept
Clauses: conformance/spec/lifecycle_clauses.py.

The originator accepts a session offered to it (Invited, from the session source); its stream
is judged against the page's three notifications. Accept's parameter checks each take an Invited
session of their own, since a refusal must leave the session as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from conformance.engine.context import Conformance
from conformance.engine.judge import Expected
from conformance.engine.notation import names
from conformance.engine.observation import Observation
from conformance.engine.scheduling import REFUSED_WHEN_CHATTING, Lease, Scenario, Scenarios, scenario_fixture
from conformance.engine.sessions import CHATTING, INVITED
from conformance.engine.stage import carries_message, status_change
from conformance.engine.verdicts import Unjudgeable, expect, requirement
from conformance.redaction import register_own_content
from conformance.suites.judging import (
    assert_accepted,
    assert_carries_reference_id,
    assert_in_documented_order,
    assert_ok_response,
    assert_reference_ids_match,
    assert_refusal,
    customer_saw,
    first,
    messages_in,
    phone_nickname,
    phone_summary,
    received_valid,
    sent_by_customer,
)

NICKNAME = register_own_content("gws-conformance agent")  # ours, so readable in redacted observations
CHATTING_CAPABILITIES = {
    "Transfer",
    "Complete",
    "Leave",
    "SendMessage",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
}

ACCEPT_SEQUENCE = (
    Expected("StatusChange[Chatting]", status_change(CHATTING)),
    Expected("ParticipantsUpdated", lambda d: d.get("notificationType") == "ParticipantsUpdated"),
    Expected(
        "NewMessages(history)",
        lambda d: d.get("notificationType") == "NewMessages" and carries_message(d, "ParticipantJoined"),
    ),
)


def _accept(gws: Conformance, session: Lease, body: Mapping[str, Any], documented: bool = True) -> Observation:
    expected = ACCEPT_SEQUENCE if documented else ()
    return gws.observe(session, {"operationName": "Accept", **body}, expected={"originator": expected})


SCENARIOS = {
    "accept": Scenario(lambda gws, s: _accept(gws, s, {"nickname": NICKNAME, "saveLAR": True}), takes=INVITED),
    "accept_with_bad_save_lar": Scenario(
        lambda gws, s: _accept(gws, s, {"nickname": NICKNAME, "saveLAR": "yes"}, documented=False), takes=INVITED
    ),
    "accept_when_chatting": Scenario(
        lambda gws, s: _accept(gws, s, {"nickname": NICKNAME}, documented=False), shares=REFUSED_WHEN_CHATTING
    ),
}


ALSO = {"accept_as_answered": ("accept",)}  # a fixture that stands for a scenario of another name


@pytest.fixture(scope="module")
def accept_as_answered(scenarios: Scenarios) -> Observation:
    return scenarios.result("accept")


@pytest.fixture(scope="module")
def accept(accept_as_answered: Observation) -> Observation:
    """The Accept, which must have been accepted for its notifications to be judged."""
    seen = accept_as_answered
    assert_accepted(seen)
    return seen


accept_with_bad_save_lar = scenario_fixture("accept_with_bad_save_lar")
accept_when_chatting = scenario_fixture("accept_when_chatting")


def _status(accept: Observation) -> Mapping[str, Any] | None:
    return first(accept.received["originator"], ACCEPT_SEQUENCE[0].matches)


@requirement("sms.accept.response")
def test_an_accepted_accept_answers_status_0(accept_as_answered: Observation) -> None:
    assert_ok_response(accept_as_answered)


@requirement("sms.accept.state")
def test_accept_takes_an_invited_session_and_refuses_a_chatting_one(
    accept: Observation, accept_when_chatting: Observation
) -> None:
    """The Invited session was accepted (the fixture); the one already Chatting is refused and
    stays Chatting."""
    assert_refusal(accept_when_chatting, documented_code=2)
    expect(
        accept_when_chatting.after.get("state") == CHATTING,
        f"the refused Accept left the session {accept_when_chatting.after.get('state')}",
    )


@requirement("sms.accept.param.nickname")
def test_the_customer_sees_the_agent_under_the_nickname_given(accept: Observation) -> None:
    """Whatever the customer's phone received from an agent since the Accept carries the nickname
    (the sender's name as the phone shows it; a message naming no sender is nobody's)."""
    phone = customer_saw(accept)
    from_agents = [m for m in phone if not sent_by_customer(m, accept.after) and phone_nickname(m) is not None]
    if not from_agents:
        raise Unjudgeable(
            "nothing from the agent reached the customer's phone after the Accept (the customer probe shows no join; "
            f"{phone_summary(phone)})"
        )
    wrong = [phone_nickname(m) for m in from_agents if phone_nickname(m) != NICKNAME]
    expect(not wrong, f"the customer sees the agent as {wrong}, not {NICKNAME!r}")


@requirement("sms.accept.param.save-lar")
def test_accept_takes_save_lar_true_or_false_only(accept: Observation, accept_with_bad_save_lar: Observation) -> None:
    """saveLAR true was accepted (the fixture); saveLAR "yes" is refused and the session stays Invited."""
    assert_refusal(accept_with_bad_save_lar)
    expect(
        accept_with_bad_save_lar.after.get("state") == INVITED,
        f"the refused Accept left the session {accept_with_bad_save_lar.after.get('state')}",
    )


@requirement("sms.accept.notify.status")
def test_the_first_notification_shows_the_session_chatting(accept: Observation) -> None:
    status = received_valid(accept.received["originator"], ACCEPT_SEQUENCE[0], "notifications/status-change")
    expect(
        status["smssession"].get("id") == accept.session_id,
        f"the StatusChange is about {status['smssession'].get('id')}",
    )


@requirement("sms.accept.notify.participants")
def test_participants_updated_lists_the_agent_and_the_customer(accept: Observation) -> None:
    updated = received_valid(
        accept.received["originator"],
        ACCEPT_SEQUENCE[1],
        "notifications/participants-updated",
    )
    types = {p.get("type") for p in updated["smssession"]["participants"]}
    expect(
        {"Agent", "Customer"} <= types,
        f"participants of types {sorted(map(str, types))}, not the agent and the customer",
    )


@requirement("sms.accept.notify.history")
def test_new_messages_carry_the_history_up_to_the_join(accept: Observation) -> None:
    """The customer's ParticipantJoined, and every message of the log up to the last one the
    notifications carry (the history may come in one NewMessages, as the page shows, or several)."""
    received_valid(accept.received["originator"], ACCEPT_SEQUENCE[2], "notifications/new-messages")
    carried = messages_in([a for a in accept.received["originator"] if a.data.get("notificationType") == "NewMessages"])
    expect(
        any(m.get("type") == "ParticipantJoined" and (m.get("from") or {}).get("type") == "Customer" for m in carried),
        "the customer's ParticipantJoined is not carried",
    )
    last = max((m["index"] for m in carried if isinstance(m.get("index"), int)), default=0)
    logged: set[int] = {m["index"] for m in accept.log_after if isinstance(m.get("index"), int) and m["index"] <= last}
    missing = sorted(logged - {m.get("index") for m in carried})
    expect(not missing, f"the history lacks the messages of index {names(missing)}")


@requirement("sms.accept.notify.order")
def test_status_change_then_participants_then_history(accept: Observation, gws: Conformance) -> None:
    assert_in_documented_order(ACCEPT_SEQUENCE, accept.received["originator"], gws.deadline)


@requirement("sms.accept.notify.capabilities")
def test_a_chatting_session_offers_transfer_complete_leave_and_sending(accept: Observation) -> None:
    snapshot = (_status(accept) or {}).get("smssession") or accept.after
    missing = CHATTING_CAPABILITIES - set(snapshot.get("capabilities") or [])
    expect(not missing, f"capabilities lack {sorted(missing)}")


@requirement("sms.common.reference-id.match")
def test_the_status_change_carries_the_accepts_reference_id(accept: Observation) -> None:
    assert_reference_ids_match(accept, _status(accept))


@requirement("sms.common.reference-id.notify")
def test_the_status_change_of_an_accept_carries_a_reference_id(accept: Observation) -> None:
    assert_carries_reference_id(_status(accept), "Accept")
