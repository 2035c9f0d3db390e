"""Checks of the documentation page "SMS Session API: Reject", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/latest/API/SMSReject
Clauses: conformance/spec/lifecycle_clauses.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.judge import Expected
from conformance.engine.observation import Observation
from conformance.engine.scheduling import Scenario, scenario_fixture
from conformance.engine.sessions import CHATTING, INVITED
from conformance.engine.stage import status_change
from conformance.engine.verdicts import expect, requirement
from conformance.suites.judging import (
    assert_accepted,
    assert_carries_reference_id,
    assert_ok_response,
    assert_reference_ids_match,
    assert_refusal,
    first,
    received_valid,
)

COMPLETED = Expected("StatusChange[Completed]", status_change("Completed"))


REJECT = {"operationName": "Reject"}
SCENARIOS = {
    "reject": Scenario(lambda gws, s: gws.observe(s, REJECT, expected={"originator": (COMPLETED,)}), takes=INVITED),
    "reject_when_chatting": Scenario(lambda gws, s: gws.observe(s, REJECT, expected={"originator": ()})),
}


reject = scenario_fixture("reject")
reject_when_chatting = scenario_fixture("reject_when_chatting")


def _status(seen: Observation) -> Mapping[str, Any] | None:
    return first(seen.received["originator"], COMPLETED.matches)


@requirement("sms.reject.response")
def test_an_accepted_reject_answers_status_0(reject: Observation) -> None:
    assert_ok_response(reject)


@requirement("sms.reject.state")
def test_reject_refuses_an_invited_session_not_a_chatting_one(
    reject: Observation, reject_when_chatting: Observation
) -> None:
    """The Invited session could be rejected; the Chatting one cannot, and goes on Chatting."""
    assert_accepted(reject)
    chatting = reject_when_chatting
    assert_refusal(chatting, documented_code=2)
    expect(
        chatting.after.get("state") == CHATTING, f"the refused Reject left the session {chatting.after.get('state')}"
    )


@requirement("sms.reject.notify.status")
def test_the_rejecting_agent_is_told_the_session_is_completed(reject: Observation) -> None:
    status = received_valid(reject.received["originator"], COMPLETED, "notifications/status-change")
    expect(
        status["smssession"].get("id") == reject.session_id,
        f"the StatusChange is about {status['smssession'].get('id')}",
    )


@requirement("sms.common.reference-id.match")
def test_the_status_change_carries_the_rejects_reference_id(reject: Observation) -> None:
    assert_reference_ids_match(reject, _status(reject))


@requirement("sms.common.reference-id.notify")
def test_the_status_change_of_a_reject_carries_a_reference_id(reject: Observation) -> None:
    assert_carries_reference_id(_status(reject), "Reject")
