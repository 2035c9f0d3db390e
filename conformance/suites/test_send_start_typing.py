"""Checks of the documentation page "SMS Session API: SendStartTypingNotification", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/8.5.2/API/SMSSendStartType
Clauses: conformance/spec/message_clauses.py; how a message is judged: conformance/suites/posting.py.

A phone shows no typing indicator, so the customer's side of a typing notification visible to
All is not judged. The suite's own markers (conformance.engine.stage) are this same operation;
the one judged is the one between them.
"""

from __future__ import annotations

from conformance.engine.context import Conformance
from conformance.engine.observation import Observation
from conformance.engine.verdicts import requirement
from conformance.spec.pages import page
from conformance.suites.posting import PostingPage

PAGE = PostingPage(page("send-start-typing"))
SCENARIOS = PAGE.scenarios()
posted, posted_when_invited = PAGE.fixtures()


@requirement("sms.send-start-typing.response")
def test_an_accepted_send_start_typing_answers_status_0(posted: Observation) -> None:
    PAGE.assert_response(posted)


@requirement("sms.send-start-typing.message")
def test_the_other_agent_receives_the_typingstarted_of_send_start_typing_visible_to_all_and_logged(
    posted: Observation,
) -> None:
    PAGE.assert_message(posted)


@requirement("sms.common.notify.index")
def test_the_send_start_typing_message_continues_the_message_log(posted: Observation) -> None:
    PAGE.assert_indexes(posted)


@requirement("sms.common.reference-id.unique")
def test_send_start_typing_answers_a_reference_id_of_its_own(posted: Observation) -> None:
    PAGE.assert_own_reference_id(posted)


@requirement("sms.common.notify.once")
def test_the_send_start_typing_message_arrives_once(posted: Observation, gws: Conformance) -> None:
    PAGE.assert_once(posted, gws.deadline)


@requirement("sms.common.timestamp")
def test_the_send_start_typing_message_timestamps_are_one_instant(posted: Observation) -> None:
    PAGE.assert_timestamps(posted)


@requirement("sms.common.capability")
def test_send_start_typing_is_refused_on_an_invited_session(posted_when_invited: Observation) -> None:
    PAGE.assert_refused_when_invited(posted_when_invited)


@requirement("sms.common.capability.listed")
def test_send_start_typing_listed_by_an_invited_session_is_not_refused_for_its_state(
    posted_when_invited: Observation,
) -> None:
    PAGE.assert_listed_when_invited(posted_when_invited)
