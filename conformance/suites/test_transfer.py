"""Checks of Transfer, from the Chat API's page: no SMS page exists.

Page: https://docs.genesys.com/Documentation/GWS/8.5.2/API/ChatSingleStepTransfer
Clauses: conformance/spec/lifecycle_clauses.py.

Transfer's notifications are documented nowhere (the page's Notifications section is empty):
each check judges the response and the session lists of the agents, and the transcript shows
whatever arrived without judging it. The wait for the target is only a wait: for a notification
that shows the session to the target Invited or Chatting, or the deadline.

No page says how the session reaches the target. A server may hand it over Chatting, or offer it
Invited, the way every SMS session reaches an agent: then the target accepts it (with the fields
the Accept page lists) and the hand-over is judged from there; the transcript shows which.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.context import Conformance
from conformance.engine.judge import Expected
from conformance.engine.observation import Observation
from conformance.engine.scheduling import Lease, Scenario, scenario_fixture
from conformance.engine.verdicts import NotApplicable, expect, requirement
from conformance.redaction import register_own_content
from conformance.suites.judging import (
    assert_accepted,
    assert_ok_response,
    assert_refusal,
    customer_saw,
    queue_name_or_skip,
    received_summary,
    snapshot_where,
)

TEXT = register_own_content("gws-conformance: you are being transferred")
REACHED_TARGET = Expected(
    "a snapshot of the session Invited or Chatting (only awaited)",
    snapshot_where(lambda s: s.get("state") in ("Invited", "Chatting")),
)


def _transfer(gws: Conformance, session: Lease, params: Mapping[str, Any]) -> Observation:
    seen = gws.observe(
        session,
        {"operationName": "Transfer", **params},
        expected={"originator": (), "consultant": (REACHED_TARGET,) if params else ()},
    )
    return gws.taken_if_offered(seen, "consultant")


SCENARIOS = {
    "transfer_to_user": Scenario(lambda gws, s: _transfer(gws, s, gws.target("consultant", "uri").as_params())),
    "transfer_to_queue": Scenario(lambda gws, s: _transfer(gws, s, {"queueName": queue_name_or_skip(gws)})),
    "transfer_with_text": Scenario(
        lambda gws, s: _transfer(gws, s, {**gws.target("consultant", "uri").as_params(), "text": TEXT})
    ),
    "transfer_without_target": Scenario(lambda gws, s: _transfer(gws, s, {})),
}


transfer_to_user = scenario_fixture("transfer_to_user")
transfer_to_queue = scenario_fixture("transfer_to_queue")
transfer_with_text = scenario_fixture("transfer_with_text")
transfer_without_target = scenario_fixture("transfer_without_target")


def _assert_moved(seen: Observation, receivers: tuple[str, ...]) -> None:
    assert_accepted(seen)
    assert_handed_over(seen.listed, receivers, received_summary(seen))


def assert_handed_over(listed: Mapping[str, Mapping[str, Any] | None], receivers: tuple[str, ...], said: str) -> None:
    """The session is Chatting in a receiver's list and no longer Chatting in the originator's
    (``listed``: each role's session as its list shows it, once an offered one was accepted);
    ``said`` tells what arrived. Judged here and by the load's transfer cycle."""
    got = [role for role in receivers if (listed.get(role) or {}).get("state") == "Chatting"]
    expect(got, f"no session list of {' or '.join(receivers)} shows the session Chatting; {said}")
    kept = listed.get("originator")
    expect(
        kept is None or kept.get("state") != "Chatting",
        f"the transferring agent still has the session Chatting; {said}",
    )


@requirement("sms.transfer.response")
def test_an_accepted_transfer_answers_status_0(transfer_to_user: Observation) -> None:
    assert_ok_response(transfer_to_user)


@requirement("sms.transfer.param.target-uri")
def test_transfer_to_a_user_hands_the_session_over(transfer_to_user: Observation) -> None:
    _assert_moved(transfer_to_user, ("consultant",))


@requirement("sms.transfer.param.queue-name")
def test_transfer_to_a_queue_hands_the_session_to_one_of_its_agents(
    transfer_to_queue: Observation, gws: Conformance
) -> None:
    members = tuple(role for role in gws.queue_members() if role in ("consultant",))
    if not members:
        raise NotApplicable(
            'no logged-in member of the queue configured ([queue] members = ["consultant"])', key="queue.members"
        )
    _assert_moved(transfer_to_queue, members)


@requirement("sms.transfer.param.target-required")
def test_transfer_without_a_target_is_refused_and_keeps_the_session(transfer_without_target: Observation) -> None:
    seen = transfer_without_target
    assert_refusal(seen, documented_code=1)
    kept = seen.listed.get("originator")
    expect(
        kept is not None and kept.get("state") == "Chatting",
        f"after the refused Transfer the originator's list shows the session as {kept and kept.get('state')}",
    )


@requirement("sms.transfer.param.text")
def test_the_transfer_text_reaches_the_customer(transfer_with_text: Observation) -> None:
    assert_accepted(transfer_with_text)
    texts = [m.get("text") for m in customer_saw(transfer_with_text)]
    expect(TEXT in texts, f"the customer's phone received {texts}, not the text")
