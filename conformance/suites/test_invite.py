"""Checks of the documentation page "SMS Session API: Invite", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/8.5.2/API/SMSInvite
Clauses: conformance/spec/lifecycle_clauses.py.

The originator invites the consultant into a conference on a fresh session: the page documents
ParticipantsUpdated, then NewMessages with the invited agent's join visible to All, and says the
customer is aware of every agent of the conference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.context import Conformance
from conformance.engine.notation import body as said
from conformance.engine.observation import Observation, RoleTarget
from conformance.engine.scheduling import REFUSED_WHEN_CHATTING, Lease, Scenario, scenario_fixture
from conformance.engine.stage import PARTICIPANT_JOINS, is_participants_updated
from conformance.engine.verdicts import NotApplicable, Unjudgeable, expect, requirement
from conformance.suites.judging import (
    assert_in_documented_order,
    assert_joined,
    assert_message_indexes,
    assert_refusal,
    customer_saw,
    first,
    participant_ids,
    phone_summary,
    received_valid,
    schema_problems,
    sent_by,
)

INVITE_SUCCESS = PARTICIPANT_JOINS


def _invite(gws: Conformance, session: Lease, target: RoleTarget | None) -> Observation:
    body = {"operationName": "Invite", **(target.as_params() if target else {})}
    expected = {"originator": INVITE_SUCCESS if target else ()}
    return gws.observe(session, body, expected=expected)


SCENARIOS = {
    "invite_by_uri": Scenario(lambda gws, s: _invite(gws, s, gws.target("consultant", "uri"))),
    "invite_by_path": Scenario(lambda gws, s: _invite(gws, s, gws.target("consultant", "path"))),
    "invite_through_queue[uri]": Scenario(lambda gws, s: _invite(gws, s, gws.target("queue", "uri"))),
    "invite_through_queue[path]": Scenario(lambda gws, s: _invite(gws, s, gws.target("queue", "path"))),
    "invite_without_target": Scenario(lambda gws, s: _invite(gws, s, None), shares=REFUSED_WHEN_CHATTING),
}


invite_by_uri = scenario_fixture("invite_by_uri")
invite_by_path = scenario_fixture("invite_by_path")
invite_through_queue = scenario_fixture("invite_through_queue", ["uri", "path"])
invite_without_target = scenario_fixture("invite_without_target")


def _invited(seen: Observation) -> set[str]:
    """The participants the originator's ParticipantsUpdated adds."""
    return {str(p.get("participantId")) for p in _invited_participants(seen)}


def _invited_participants(seen: Observation) -> list[Mapping[str, Any]]:
    updated = first(seen.received["originator"], is_participants_updated) or {}
    known = participant_ids(seen.before)
    listed = (updated.get("smssession") or {}).get("participants", [])
    return [p for p in listed if isinstance(p, Mapping) and str(p.get("participantId")) not in known]


@requirement("sms.invite.param.target-uri")
def test_invite_with_a_user_uri_brings_that_agent_in(invite_by_uri: Observation) -> None:
    assert_joined(invite_by_uri, ("consultant",))


@requirement("sms.invite.param.target-path")
def test_invite_with_a_user_path_brings_that_agent_in(invite_by_path: Observation) -> None:
    assert_joined(invite_by_path, ("consultant",))


@requirement("sms.invite.param.target-uri")
def test_invite_through_a_queue_brings_one_of_its_agents_in(
    invite_through_queue: Observation, gws: Conformance
) -> None:
    members = tuple(role for role in gws.queue_members() if role in ("consultant",))
    if not members:
        raise NotApplicable(
            'no logged-in member of the queue configured ([queue] members = ["consultant"])', key="queue.members"
        )
    assert_joined(invite_through_queue, members)


@requirement("sms.invite.param.target-required")
def test_invite_without_any_target_is_refused_and_adds_nobody(invite_without_target: Observation) -> None:
    seen = invite_without_target
    assert_refusal(seen, documented_code=1)
    expect(
        not _invited(seen) and participant_ids(seen.after) == participant_ids(seen.before),
        "the refused Invite added a participant",
    )


@requirement("sms.invite.response")
def test_an_accepted_invite_answers_status_0_and_an_integer_reference_id(invite_by_uri: Observation) -> None:
    problems = schema_problems("responses/accepted", invite_by_uri.response_body)
    expect(not problems, f"{said(invite_by_uri.response_body)}: {problems}")


@requirement("sms.invite.notify.participants")
def test_participants_updated_shows_the_invited_agent(invite_by_uri: Observation) -> None:
    updated = received_valid(
        invite_by_uri.received["originator"],
        INVITE_SUCCESS[0],
        "notifications/participants-updated",
    )
    new = [
        p
        for p in updated["smssession"]["participants"]
        if p.get("participantId") not in participant_ids(invite_by_uri.before)
    ]
    expect(
        updated["smssession"].get("state") == "Chatting" and any(p.get("type") == "Agent" for p in new),
        f"state {updated['smssession'].get('state')}, new participants {said(new)}",
    )


def _join(seen: Observation) -> Mapping[str, Any]:
    joined = received_valid(seen.received["originator"], INVITE_SUCCESS[1], "notifications/new-messages")
    return next(m for m in joined["messages"] if m.get("type") == "ParticipantJoined")


@requirement("sms.invite.notify.joined")
def test_the_join_of_the_invited_agent_is_visible_to_all(invite_by_uri: Observation) -> None:
    message = _join(invite_by_uri)
    expect(
        (message.get("from") or {}).get("participantId") in _invited(invite_by_uri),
        f"the join is from {said(message.get('from'))}, not the invited agent",
    )
    expect(message.get("visibility") == "All", f"the join has visibility {message.get('visibility')!r}, not 'All'")


@requirement("sms.invite.notify.order")
def test_participants_updated_comes_before_the_invited_agents_join(
    invite_by_uri: Observation, gws: Conformance
) -> None:
    assert_in_documented_order(INVITE_SUCCESS, invite_by_uri.received["originator"], gws.deadline)


@requirement("sms.common.notify.index")
def test_the_invited_agents_join_continues_the_message_log(invite_by_uri: Observation) -> None:
    assert_message_indexes(invite_by_uri)


@requirement("sms.invite.visibility")
def test_the_customer_sees_the_invited_agent(invite_by_uri: Observation) -> None:
    invited = _invited_participants(invite_by_uri)
    if not invited:
        raise Unjudgeable("nobody joined, so nobody can be seen")
    phone = customer_saw(invite_by_uri)
    seen = [m for m in phone if sent_by(m, invited)]
    expect(seen, f"nothing of the invited agent (not its join) reached the customer: {phone_summary(phone)}")
