"""Checks of the documentation page "SMS Session API: Reject", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/latest/API/SMSReject
Clauses: conformance/spec/lifecycle_clauses.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.context import Conformance, Observation, scenario_fixture
from conformance.engine.judge import Expected
from conformance.engine.sessions import CHATTING, INVITED
from conformance.engine.stage import status_change
from conformance.engine.verdicts import requirement
from conformance.suites.judging import (
    assert_carries_reference_id,
    assert_ok_response,
    first,
    received_valid,
)

COMPLETED = Expected("StatusChange[Completed]", status_change("Completed"))


def page_scenarios(gws: Conformance) -> dict[str, Any]:
    reject = {"operationName": "Reject"}
    return {
        "reject": lambda: gws.observe(reject, expected={"originator": (COMPLETED,)}, state=INVITED),
        "reject_when_chatting": lambda: gws.observe(reject, expected={"originator": ()}, state=CHATTING),
    }


reject = scenario_fixture("reject")
reject_when_chatting = scenario_fixture("reject_when_chatting")


def _status(seen: Observation) -> Mapping[str, Any] | None:
    return first(seen.received["originator"], COMPLETED.matches)


@requirement("sms.reject.response")
def test_an_accepted_reject_answers_status_0(reject: Observation) -> None:
    assert_ok_response(reject, "sms.reject.response")


@requirement("sms.reject.state")
def test_reject_refuses_an_invited_session_not_a_chatting_one(
    reject: Observation, reject_when_chatting: Observation
) -> None:
    """The Invited session could be rejected; the Chatting one cannot, and goes on Chatting."""
    Conformance.assert_accepted(reject, "sms.reject.state")
    chatting = reject_when_chatting
    Conformance.assert_refusal(chatting, "sms.reject.state", documented_code=2)
    assert chatting.after.get("state") == CHATTING, (
        f"sms.reject.state [MUST] the refused Reject left the session {chatting.after.get('state')}"
    )


@requirement("sms.reject.notify.status")
def test_the_rejecting_agent_is_told_the_session_is_completed(reject: Observation) -> None:
    status = received_valid(
        reject.received["originator"], COMPLETED, "notifications/status-change", "sms.reject.notify.status"
    )
    assert status["smssession"].get("id") == reject.session_id


@requirement("sms.common.reference-id.notify")
def test_the_status_change_of_a_reject_carries_a_reference_id(reject: Observation) -> None:
    assert_carries_reference_id(_status(reject), "Reject")
