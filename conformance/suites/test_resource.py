"""Checks of the documentation page "SMS Session API: SMS Session Resource", one clause each.

Page: https://docs.genesys.com/Documentation/HTCC/latest/API/SMSResources
Clauses: conformance/spec/user_data_clauses.py (the resource's clauses live with the user data
pages', the other family that reads a session back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.context import Conformance, Observation, scenario_fixture
from conformance.engine.verdicts import requirement
from conformance.suites.judging import messages_in, schema_problems
from conformance.suites.posting import PostingPage

# A SendMessage in a consultation: both agents' streams announce messages the log must then hold.
MESSAGE = PostingPage("SendMessage", "send-message", "Text", "All", "text", "gws-conformance: read me back")


def page_scenarios(gws: Conformance) -> dict[str, Any]:
    return {
        "listed": gws.list_held_session,
        "announced_and_logged": lambda: gws.observe_among_agents(
            MESSAGE.body(), expected={"consultant": (MESSAGE.announced,)}
        ),
    }


listed = scenario_fixture("listed")
announced_and_logged = scenario_fixture("announced_and_logged")


@requirement("sms.resource.list")
def test_the_session_list_shows_the_agents_session_with_the_documented_fields(listed: Observation) -> None:
    assert listed.response_status < 300, (
        f"sms.resource.list [MUST] HTTP {listed.response_status} {listed.response_body}"
    )
    problems = schema_problems("responses/session-list", listed.response_body)
    assert not problems, f"sms.resource.list [MUST] GET /api/v2/me/smssessions?fields=*: {problems}"
    ids = [s.get("id") for s in listed.response_body["smssessions"]]
    assert listed.session_id in ids, (
        f"sms.resource.list [MUST] the agent's session {listed.session_id} is not in its list ({len(ids)} sessions)"
    )


@requirement("sms.resource.messages")
def test_the_message_log_holds_what_the_notifications_announced_in_index_order(
    announced_and_logged: Observation,
) -> None:
    seen = announced_and_logged
    Conformance.assert_accepted(seen, "sms.resource.messages")
    problems = schema_problems("responses/message-log", {"statusCode": 0, "messages": seen.log_after})
    assert not problems, f"sms.resource.messages [MUST] the message log: {problems}"
    logged = {m.get("index"): m.get("type") for m in seen.log_after}
    announced = [m for role in ("originator", "consultant") for m in messages_in(seen.received.get(role, []))]
    assert announced, "sms.resource.messages [MUST] nothing was announced to compare (the SendMessage's Text at least)"
    differ = [
        (m.get("index"), m.get("type"), logged.get(m.get("index"), "(absent)"))
        for m in announced
        if logged.get(m.get("index")) != m.get("type")
    ]
    assert not differ, f"sms.resource.messages [MUST] announced (index, type) not so in the log: {differ}"
    indexes = [m.get("index") for m in seen.log_after if isinstance(m, Mapping)]
    assert indexes == sorted(indexes), f"sms.resource.messages [MUST] the log is not in index order: {indexes}"
