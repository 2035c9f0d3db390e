"""Checks of the documentation page "SMS Session API: Complete", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/8.5.2/API/SMSComplete
Clauses: conformance/spec/lifecycle_clauses.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.context import Conformance
from conformance.engine.judge import Expected
from conformance.engine.notation import body as said
from conformance.engine.observation import Observation
from conformance.engine.scheduling import Lease, Scenario, scenario_fixture
from conformance.engine.stage import status_change
from conformance.engine.verdicts import expect, requirement
from conformance.suites.judging import (
    assert_accepted,
    assert_ok_response,
    assert_refusal,
    queue_name_or_skip,
    received_valid,
)

COMPLETED = Expected("StatusChange[Completed]", status_change("Completed"))


def _complete(gws: Conformance, session: Lease, params: Mapping[str, Any]) -> tuple[Observation, Observation]:
    """Complete; then a SendMessage on the completed session (which must be refused)."""
    seen = gws.observe(session, {"operationName": "Complete", **params}, expected={"originator": (COMPLETED,)})
    return seen, gws.request(seen.session_id, {"operationName": "SendMessage", "text": "after Complete"})


SCENARIOS = {
    "complete": Scenario(lambda gws, s: _complete(gws, s, {"saveLAR": True})),
    "complete_into_queue": Scenario(lambda gws, s: _complete(gws, s, {"queueName": queue_name_or_skip(gws)})),
    "complete_with_bad_save_lar": Scenario(
        lambda gws, s: gws.observe(s, {"operationName": "Complete", "saveLAR": "yes"}, expected={"originator": ()})
    ),
}


complete = scenario_fixture("complete")
complete_into_queue = scenario_fixture("complete_into_queue")
complete_with_bad_save_lar = scenario_fixture("complete_with_bad_save_lar")


@requirement("sms.complete.response")
def test_an_accepted_complete_answers_status_0(complete: tuple[Observation, Observation]) -> None:
    assert_ok_response(complete[0])


@requirement("sms.complete.notify.status")
def test_the_agent_is_told_the_session_is_completed(complete: tuple[Observation, Observation]) -> None:
    seen = complete[0]
    status = received_valid(seen.received["originator"], COMPLETED, "notifications/status-change")
    expect(
        status["smssession"].get("id") == seen.session_id, f"the StatusChange is about {status['smssession'].get('id')}"
    )


def _assert_ended(seen: Observation, after: Observation) -> None:
    assert_accepted(seen)
    expect(
        after.response_status >= 300 or (after.response_body or {}).get("statusCode") != 0,
        f"the completed session still took a SendMessage: HTTP {after.response_status} {said(after.response_body)}",
    )
    listed = seen.listed.get("originator")
    expect(
        listed is None or listed.get("state") != "Chatting",
        "the agent's session list still shows the completed session Chatting",
    )


@requirement("sms.complete.state")
def test_a_completed_session_is_over(complete: tuple[Observation, Observation]) -> None:
    """No SendMessage is taken afterwards, and the agent's list no longer shows it Chatting."""
    _assert_ended(*complete)


@requirement("sms.complete.param.queue-name")
def test_complete_into_a_queue_completes_the_session(complete_into_queue: tuple[Observation, Observation]) -> None:
    _assert_ended(*complete_into_queue)


@requirement("sms.complete.param.save-lar")
def test_complete_takes_save_lar_true_or_false_only(
    complete: tuple[Observation, Observation], complete_with_bad_save_lar: Observation
) -> None:
    """saveLAR true was accepted; saveLAR "yes" is refused and the session goes on Chatting."""
    assert_accepted(complete[0])
    refused = complete_with_bad_save_lar
    assert_refusal(refused)
    expect(
        refused.after.get("state") == "Chatting", f"the refused Complete left the session {refused.after.get('state')}"
    )
