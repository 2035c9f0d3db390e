"""Checks of the documentation page "SMS Session API: SMS Session Resource", one clause each.

Page: https://docs.genesys.com/Documentation/HTCC/latest/API/SMSResources
Clauses: conformance/spec/user_data_clauses.py (the resource's clauses live with the user data
pages', the other family that reads a session back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.notation import body as said
from conformance.engine.observation import Observation
from conformance.engine.scheduling import AMONG_AGENTS, REFUSED_WHEN_CHATTING, Scenario, scenario_fixture
from conformance.engine.verdicts import expect, requirement
from conformance.spec.pages import page
from conformance.suites.judging import assert_accepted, messages_in, schema_problems
from conformance.suites.posting import PostingPage

# A SendMessage in a consultation: both agents' streams announce messages the log must then hold.
MESSAGE = PostingPage(page("send-message"), "gws-conformance: read me back")

SCENARIOS = {
    # a read leaves the session as it was: it takes its turn on a shared one
    "listed": Scenario(lambda gws, s: gws.list_held_session(s), shares=REFUSED_WHEN_CHATTING),
    "announced_and_logged": Scenario(
        lambda gws, s: gws.observe_among_agents(s, MESSAGE.body(), expected={"consultant": (MESSAGE.announced,)}),
        shares=AMONG_AGENTS,
    ),
}


listed = scenario_fixture("listed")
announced_and_logged = scenario_fixture("announced_and_logged")


@requirement("sms.resource.list")
def test_the_session_list_shows_the_agents_session_with_the_documented_fields(listed: Observation) -> None:
    expect(listed.response_status < 300, f"HTTP {listed.response_status} {said(listed.response_body)}")
    problems = schema_problems("responses/session-list", listed.response_body)
    expect(not problems, f"GET /api/v2/me/smssessions?fields=*: {problems}")
    ids = [s.get("id") for s in listed.response_body["smssessions"]]
    expect(
        listed.session_id in ids, f"the agent's session {listed.session_id} is not in its list ({len(ids)} sessions)"
    )


@requirement("sms.resource.messages")
def test_the_message_log_holds_what_the_notifications_announced_in_index_order(
    announced_and_logged: Observation,
) -> None:
    seen = announced_and_logged
    assert_accepted(seen)
    problems = schema_problems("responses/message-log", {"statusCode": 0, "messages": seen.log_after})
    expect(not problems, f"the message log: {problems}")
    logged = {m.get("index"): m.get("type") for m in seen.log_after}
    announced = [m for role in ("originator", "consultant") for m in messages_in(seen.received.get(role, []))]
    expect(announced, "nothing was announced to compare (the SendMessage's Text at least)")
    differ = [
        (m.get("index"), m.get("type"), logged.get(m.get("index"), "(absent)"))
        for m in announced
        if logged.get(m.get("index")) != m.get("type")
    ]
    expect(not differ, f"announced (index, type) not so in the log: {differ}")
    indexes: list[Any] = [m.get("index") for m in seen.log_after if isinstance(m, Mapping)]
    expect(
        all(isinstance(i, int) for i in indexes) and indexes == sorted(indexes),
        f"the log is not in index order: {indexes}",
    )
