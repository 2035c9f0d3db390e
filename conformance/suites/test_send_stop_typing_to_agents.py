"""Checks of the documentation page "SMS Session API: SendStopTypingToAgentsNotification", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/latest/API/SMSSendStopTypingToAgentsNotification
Clauses: conformance/spec/message_clauses.py; how a message is judged: conformance/suites/posting.py.

The page's table and sample write the operation SendStopTypingToAgentNotification (no "s");
its title and every capability list write SendStopTypingToAgentsNotification, which is what
the suite sends (erratum 19). The misspelled name is not judged.
"""

from __future__ import annotations

from conformance.engine.context import Conformance
from conformance.engine.observation import Observation
from conformance.engine.verdicts import requirement
from conformance.spec.pages import page
from conformance.suites.posting import PostingPage

PAGE = PostingPage(page("send-stop-typing-to-agents"))
SCENARIOS = PAGE.scenarios()
posted, posted_when_invited = PAGE.fixtures()


@requirement("sms.send-stop-typing-to-agents.response")
def test_an_accepted_send_stop_typing_to_agents_answers_status_0(posted: Observation) -> None:
    PAGE.assert_response(posted)


@requirement("sms.send-stop-typing-to-agents.message")
def test_the_other_agent_receives_the_typingstopped_of_send_stop_typing_to_agents_visible_to_agents_and_logged(
    posted: Observation,
) -> None:
    PAGE.assert_message(posted)


@requirement("sms.send-stop-typing-to-agents.visibility")
def test_the_typingstopped_of_send_stop_typing_to_agents_never_reaches_the_customer(posted: Observation) -> None:
    PAGE.assert_never_reaches_customer(posted)


@requirement("sms.common.notify.index")
def test_the_send_stop_typing_to_agents_message_continues_the_message_log(posted: Observation) -> None:
    PAGE.assert_indexes(posted)


@requirement("sms.common.reference-id.unique")
def test_send_stop_typing_to_agents_answers_a_reference_id_of_its_own(posted: Observation) -> None:
    PAGE.assert_own_reference_id(posted)


@requirement("sms.common.notify.once")
def test_the_send_stop_typing_to_agents_message_arrives_once(posted: Observation, gws: Conformance) -> None:
    PAGE.assert_once(posted, gws.deadline)


@requirement("sms.common.timestamp")
def test_the_send_stop_typing_to_agents_message_timestamps_are_one_instant(posted: Observation) -> None:
    PAGE.assert_timestamps(posted)


@requirement("sms.common.capability")
def test_send_stop_typing_to_agents_is_refused_on_an_invited_session(posted_when_invited: Observation) -> None:
    PAGE.assert_refused_when_invited(posted_when_invited)


@requirement("sms.common.capability.listed")
def test_send_stop_typing_to_agents_listed_by_an_invited_session_is_not_refused_for_its_state(
    posted_when_invited: Observation,
) -> None:
    PAGE.assert_listed_when_invited(posted_when_invited)
