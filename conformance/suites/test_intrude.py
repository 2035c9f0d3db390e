"""Checks of the documentation page "SMS Session API: Intrude", one clause each.

Page: https://docs.genesys.com/Documentation/HTCC/latest/API/SMSIntrude
Clauses: conformance/spec/lifecycle_clauses.py.

The configured supervisor ([agents.supervisor], one that supervises the originator) intrudes in
a session the originator handles, through the originator's user resource, in each visibility
mode. The page makes the mode optional only for a supervisor already monitoring the agent
(page Monitor, not covered here), so every request names one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from conformance.engine.context import Conformance
from conformance.engine.observation import Observation
from conformance.engine.scheduling import REFUSED_WHEN_CHATTING, Lease, Scenario, scenario_fixture
from conformance.engine.stage import session_arrivals, status_change
from conformance.engine.verdicts import expect, requirement
from conformance.suites.judging import (
    assert_accepted,
    assert_ok_response,
    assert_refusal,
    received_summary,
)

MODES = ("Monitor", "Coach", "BargeIn")
OFFERED = status_change("Invited")


def _intrude(gws: Conformance, session: Lease, mode: str, *, completed_first: bool = False) -> Observation:
    """A session of the originator (completed first, if asked: then the originator no longer
    handles it), and the supervisor's Intrude in ``mode``."""
    session_id = session.id
    if completed_first:
        gws.request(session_id, {"operationName": "Complete"})
    body = {"operationName": "Intrude", "supervisorVisibilityMode": mode}
    seen = gws.observed("intrude", lambda: _intruded(gws, session_id, body, OFFERED))
    seen.found = gws.found(seen, {"supervisor": OFFERED})
    return seen


def _intruded(
    gws: Conformance, session_id: str, body: object, awaited: Callable[[Mapping[str, Any]], bool]
) -> Observation:
    """The supervisor posts ``body`` to the originator's session through the originator's user
    resource (the page: /api/v2/users/{userId}/smssessions/{id}); if accepted, its stream is
    watched (with the deadline) for a notification about the session that ``awaited`` accepts."""
    gws.observable()  # a stream the calibration could not observe cannot show the supervisor's offer either
    supervisor = gws.agent("supervisor")  # not applicable (recorded as a skip) when none is configured
    mark, sent_at = supervisor.log.mark(), time.monotonic()
    exchange = supervisor.rest.post(f"/api/v2/users/{gws.user_id('originator')}/smssessions/{session_id}", body)
    if exchange.succeeded:
        gws.await_any(session_id, {"supervisor": awaited}, {"supervisor": mark}, sent_at)
    received = {"supervisor": session_arrivals(supervisor.log, session_id, since=mark, sent_at=sent_at)}
    return Observation(session_id, exchange, received=received, listed=gws.listed(session_id, ("supervisor",)))


SCENARIOS = {
    **{f"intrude[{mode}]": Scenario(partial(_intrude, mode=mode)) for mode in MODES},
    "intrude_with_an_unknown_mode": Scenario(lambda gws, s: _intrude(gws, s, "Spy"), shares=REFUSED_WHEN_CHATTING),
    "intrude_in_a_session_not_handled": Scenario(lambda gws, s: _intrude(gws, s, "Monitor", completed_first=True)),
}


intrude = scenario_fixture("intrude", MODES)
intrude_with_an_unknown_mode = scenario_fixture("intrude_with_an_unknown_mode")
intrude_in_a_session_not_handled = scenario_fixture("intrude_in_a_session_not_handled")


@requirement("sms.intrude.response")
def test_an_accepted_intrude_answers_status_0(intrude: Observation) -> None:
    assert_ok_response(intrude)


@requirement("sms.intrude.param.visibility-mode")
def test_each_visibility_mode_is_taken(intrude: Observation) -> None:
    assert_accepted(intrude)


@requirement("sms.intrude.param.visibility-mode")
def test_an_unknown_visibility_mode_is_refused(intrude_with_an_unknown_mode: Observation) -> None:
    assert_refusal(intrude_with_an_unknown_mode)


@requirement("sms.intrude.endpoint")
def test_a_session_the_agent_does_not_handle_is_refused(
    intrude: Observation, intrude_in_a_session_not_handled: Observation
) -> None:
    """The active session was intruded in (the other check); the completed one is refused."""
    assert_accepted(intrude)
    assert_refusal(intrude_in_a_session_not_handled)


@requirement("sms.intrude.notify.invited")
def test_the_supervisor_is_offered_the_session(intrude: Observation, gws: Conformance) -> None:
    assert_accepted(intrude)
    expect(
        intrude.found.get("supervisor") is not None,
        f"within {gws.deadline:g}s the supervisor received no notification "
        f"showing the session Invited; {received_summary(intrude)}",
    )
