"""Checks of the documentation page "SMS Session API: Leave", one clause each.

Page: https://docs.genesys.com/Documentation/HTCC/latest/API/SMSLeave
Clauses: conformance/spec/lifecycle_clauses.py.

The page's two cases: the agent alone with the customer leaves (LeftChat; the session ends for
the customer, the agent still wraps up), and an agent leaves a conference or a consultation
(Completed; the session goes on for the customer and the other agent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.context import Conformance
from conformance.engine.judge import Expected
from conformance.engine.observation import Observation
from conformance.engine.scheduling import Lease, Scenario, scenario_fixture
from conformance.engine.stage import PARTICIPANT_JOINS, status_change
from conformance.engine.verdicts import ErrorCause, Unjudgeable, expect, requirement
from conformance.suites.judging import (
    assert_accepted,
    assert_carries_reference_id,
    assert_ok_response,
    assert_reference_ids_match,
    first,
    received_summary,
    received_valid,
)

LEFT_CHAT = Expected("StatusChange[LeftChat]", status_change("LeftChat"))
WRAP_UP_DATA = {"gws-conformance": "wrap-up"}


def _leave_alone(gws: Conformance, session: Lease) -> tuple[Observation, Observation, Observation]:
    """The originator, alone with the customer, leaves; then updates user data and completes."""
    seen = gws.observe(session, {"operationName": "Leave"}, expected={"originator": (LEFT_CHAT,)})
    update = gws.request(seen.session_id, {"operationName": "UpdateUserData", "userData": WRAP_UP_DATA})
    return seen, update, gws.request(seen.session_id, {"operationName": "Complete"})


def _leave_with_another_agent(gws: Conformance, session: Lease, how: str) -> Observation:
    """The consultant joins (Consult, or Invite: a conference), then leaves."""
    target = gws.target("consultant", "uri").as_params()
    operation = "Consult" if how == "consultation" else "Invite"
    joined = gws.observe(session, {"operationName": operation, **target}, expected={"originator": PARTICIPANT_JOINS})
    if joined.listed.get("consultant") is None:
        raise Unjudgeable(
            f"the {how} never reached the consultant (its session list lacks session {joined.session_id})",
            ErrorCause.PRECONDITION,
        )
    return gws.follow_up(
        joined, "consultant", {"operationName": "Leave"}, awaited={"consultant": status_change("Completed")}
    )


SCENARIOS = {
    "leave_alone": Scenario(_leave_alone),
    "leave_with_another_agent[conference]": Scenario(lambda gws, s: _leave_with_another_agent(gws, s, "conference")),
    "leave_with_another_agent[consultation]": Scenario(
        lambda gws, s: _leave_with_another_agent(gws, s, "consultation")
    ),
}


leave_alone = scenario_fixture("leave_alone")
leave_with_another_agent = scenario_fixture("leave_with_another_agent", ["conference", "consultation"])


def _left_chat(seen: Observation) -> Mapping[str, Any] | None:
    return first(seen.received["originator"], LEFT_CHAT.matches)


@requirement("sms.leave.response")
def test_an_accepted_leave_answers_status_0(leave_alone: tuple[Observation, Observation, Observation]) -> None:
    assert_ok_response(leave_alone[0])


@requirement("sms.leave.state.not-in-conference")
def test_an_agent_alone_that_leaves_is_left_chat(leave_alone: tuple[Observation, Observation, Observation]) -> None:
    seen = leave_alone[0]
    status = received_valid(seen.received["originator"], LEFT_CHAT, "notifications/status-change")
    expect(
        status["smssession"].get("id") == seen.session_id, f"the StatusChange is about {status['smssession'].get('id')}"
    )


@requirement("sms.leave.state.wrap-up")
def test_after_leaving_the_agent_still_updates_user_data_and_completes(
    leave_alone: tuple[Observation, Observation, Observation],
) -> None:
    seen, update, complete = leave_alone
    assert_accepted(seen)
    assert_accepted(update)
    assert_accepted(complete)


@requirement("sms.leave.state.in-conference")
def test_an_agent_leaving_a_conference_or_consultation_is_completed(
    leave_with_another_agent: Observation, gws: Conformance
) -> None:
    """The leaver gets StatusChange Completed (a LeftChat before it is tolerated); the session stays
    open for the other agent: the originator's session list shows it Chatting, and nothing in the
    originator's stream after the Leave says otherwise (what else it receives no page lists: any
    other notification is tolerated)."""
    seen = leave_with_another_agent
    assert_accepted(seen)
    expect(
        seen.found.get("consultant") is not None,
        f"within {gws.deadline:g}s the leaver never received StatusChange Completed; {received_summary(seen)}",
    )
    kept = seen.listed.get("originator")
    expect(
        kept is not None and kept.get("state") == "Chatting",
        f"the originator's session list shows the session as {kept and kept.get('state')}, not Chatting",
    )
    ended = first(seen.received.get("originator", []), _ends_the_session)
    expect(
        ended is None,
        f"the agent who stays was told its session is {ended and ended['smssession'].get('state')} "
        "while the session goes on for it",
    )


def _ends_the_session(data: Mapping[str, Any]) -> bool:
    session = data.get("smssession")
    return (
        data.get("notificationType") == "StatusChange"
        and isinstance(session, Mapping)
        and session.get("state") in ("Completed", "LeftChat")
    )


@requirement("sms.common.reference-id.match")
def test_left_chat_carries_the_leaves_reference_id(leave_alone: tuple[Observation, Observation, Observation]) -> None:
    assert_reference_ids_match(leave_alone[0], _left_chat(leave_alone[0]))


@requirement("sms.common.reference-id.notify")
def test_left_chat_carries_a_reference_id(leave_alone: tuple[Observation, Observation, Observation]) -> None:
    assert_carries_reference_id(_left_chat(leave_alone[0]), "Leave")
