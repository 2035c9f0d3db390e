"""Checks of the documentation page "SMS Session API: Intrude", one clause each.

Page: https://docs.genesys.com/Documentation/HTCC/latest/API/SMSIntrude
Clauses: conformance/spec/lifecycle_clauses.py.

The configured supervisor ([agents.supervisor], one that supervises the originator) intrudes in
a session the originator handles, through the originator's user resource, in each visibility
mode. The page makes the mode optional only for a supervisor already monitoring the agent
(page Monitor, not covered here), so every request names one.
"""

from __future__ import annotations

from typing import Any

from conformance.engine.context import Conformance, Observation, scenario_fixture
from conformance.engine.stage import status_change
from conformance.engine.verdicts import requirement
from conformance.suites.judging import (
    assert_ok_response,
    received_summary,
)

MODES = ("Monitor", "Coach", "BargeIn")
OFFERED = status_change("Invited")


def _intrude(gws: Conformance, mode: str, *, completed_first: bool = False) -> Observation:
    """A fresh session of the originator (completed first, if asked: then the originator no
    longer handles it), and the supervisor's Intrude in ``mode``."""
    session = gws.new_session().id
    if completed_first:
        gws.request(session, {"operationName": "Complete"})
    return gws.intrude(session, {"operationName": "Intrude", "supervisorVisibilityMode": mode}, awaited=OFFERED)


def page_scenarios(gws: Conformance) -> dict[str, Any]:
    return {
        **{f"intrude[{mode}]": (lambda mode=mode: _intrude(gws, mode)) for mode in MODES},
        "intrude_with_an_unknown_mode": lambda: _intrude(gws, "Spy"),
        "intrude_in_a_session_not_handled": lambda: _intrude(gws, "Monitor", completed_first=True),
    }


intrude = scenario_fixture("intrude", MODES)
intrude_with_an_unknown_mode = scenario_fixture("intrude_with_an_unknown_mode")
intrude_in_a_session_not_handled = scenario_fixture("intrude_in_a_session_not_handled")


@requirement("sms.intrude.response")
def test_an_accepted_intrude_answers_status_0(intrude: Observation) -> None:
    assert_ok_response(intrude, "sms.intrude.response")


@requirement("sms.intrude.param.visibility-mode")
def test_each_visibility_mode_is_taken(intrude: Observation) -> None:
    Conformance.assert_accepted(intrude, "sms.intrude.param.visibility-mode")


@requirement("sms.intrude.param.visibility-mode")
def test_an_unknown_visibility_mode_is_refused(intrude_with_an_unknown_mode: Observation) -> None:
    Conformance.assert_refusal(intrude_with_an_unknown_mode, "sms.intrude.param.visibility-mode")


@requirement("sms.intrude.endpoint")
def test_a_session_the_agent_does_not_handle_is_refused(
    intrude: Observation, intrude_in_a_session_not_handled: Observation
) -> None:
    """The active session was intruded in (the other check); the completed one is refused."""
    Conformance.assert_accepted(intrude, "sms.intrude.endpoint")
    Conformance.assert_refusal(intrude_in_a_session_not_handled, "sms.intrude.endpoint")


@requirement("sms.intrude.notify.invited")
def test_the_supervisor_is_offered_the_session(intrude: Observation, gws: Conformance) -> None:
    Conformance.assert_accepted(intrude, "sms.intrude.notify.invited")
    assert intrude.found.get("supervisor") is not None, (
        f"sms.intrude.notify.invited [MUST] within {gws.deadline:g}s the supervisor received no notification "
        f"showing the session Invited; {received_summary(intrude)}"
    )
