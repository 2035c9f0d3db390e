"""Checks of the documentation page "SMS Session API: SendMessage", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/8.5.2/API/SMSSendMessage
Clauses: conformance/spec/message_clauses.py; how a message is judged: conformance/suites/posting.py.
"""

from __future__ import annotations

from typing import Any

from conformance.context import Conformance, Observation, scenario_fixture
from conformance.suites.posting import PostingPage, assert_not_in_capabilities_refused
from conformance.verdicts import requirement

PAGE = PostingPage("SendMessage", "send-message", "Text", "All", "text", "gws-conformance: how may I help you?")


def page_scenarios(gws: Conformance) -> dict[str, Any]:
    return PAGE.scenarios(gws)


posted = scenario_fixture("posted")
posted_when_invited = scenario_fixture("posted_when_invited")
posted_without_param = scenario_fixture("posted_without_param")
posted_with_wrong_type = scenario_fixture("posted_with_wrong_type")


@requirement("sms.send-message.response")
def test_an_accepted_send_message_answers_status_0(posted: Observation) -> None:
    PAGE.assert_response(posted)


@requirement("sms.send-message.message")
def test_the_other_agent_receives_the_text_of_send_message_visible_to_all_and_logged(posted: Observation) -> None:
    PAGE.assert_message(posted)


@requirement("sms.send-message.param.text")
def test_send_message_without_a_string_text_is_refused_and_logs_nothing(
        posted_without_param: Observation, posted_with_wrong_type: Observation) -> None:
    PAGE.assert_param_required(posted_without_param, posted_with_wrong_type)


@requirement("sms.send-message.customer")
def test_the_customer_receives_the_text_of_send_message(posted: Observation) -> None:
    PAGE.assert_reaches_customer(posted)


@requirement("sms.common.capability")
def test_send_message_is_refused_on_an_invited_session(posted_when_invited: Observation) -> None:
    assert_not_in_capabilities_refused(posted_when_invited, PAGE.operation, PAGE.added(posted_when_invited))
