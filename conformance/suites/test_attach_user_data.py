"""Checks of the documentation page "SMS Session API: AttachUserData", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/8.5.2/API/SMSAttachUserData
Clauses: conformance/spec/user_data_clauses.py; how a change is judged: conformance/suites/user_data.py.
"""

from __future__ import annotations

from conformance.engine.observation import Observation
from conformance.engine.scheduling import REFUSED_WHEN_CHATTING, REFUSED_WHEN_INVITED, Scenario, scenario_fixture
from conformance.engine.sessions import INVITED
from conformance.engine.verdicts import requirement
from conformance.redaction import register_own_content
from conformance.suites import user_data
from conformance.suites.judging import assert_ok_response
from conformance.suites.posting import assert_listed_not_refused_for_state

ATTACHED = {register_own_content("gwsConformanceAttached"): register_own_content("attached"), "gwsConformanceCount": 7}
ATTACH = {"operationName": "AttachUserData", "userData": ATTACHED}


SCENARIOS = {
    "attach": Scenario(lambda gws, s: user_data.observe_change(gws, s, ATTACH)),
    # the response is judged where no preparing AttachUserData stands in the way of the one judged
    "attach_first": Scenario(
        lambda gws, s: gws.observe(s, ATTACH, expected={"originator": (user_data.CHANGE_REPORTED,)})
    ),
    "attach_without_user_data": Scenario(
        lambda gws, s: gws.attempt(s, {"operationName": "AttachUserData"}), shares=REFUSED_WHEN_CHATTING
    ),
    "attach_a_list": Scenario(
        lambda gws, s: gws.attempt(s, {"operationName": "AttachUserData", "userData": ["gwsConformance"]}),
        shares=REFUSED_WHEN_CHATTING,
    ),
    "attach_when_invited": Scenario(lambda gws, s: gws.attempt(s, ATTACH), takes=INVITED, shares=REFUSED_WHEN_INVITED),
}


attach = scenario_fixture("attach")
attach_first = scenario_fixture("attach_first")
attach_without_user_data = scenario_fixture("attach_without_user_data")
attach_a_list = scenario_fixture("attach_a_list")
attach_when_invited = scenario_fixture("attach_when_invited")


@requirement("sms.attach-user-data.response")
def test_an_accepted_attach_user_data_answers_status_0(attach_first: Observation) -> None:
    assert_ok_response(attach_first)


@requirement("sms.attach-user-data.notify")
def test_the_attached_keys_are_added_to_the_sessions_user_data(attach: Observation) -> None:
    now = user_data.reported_user_data(attach)
    user_data.assert_user_data(user_data.user_data_of(attach.before), now, ATTACHED)


@requirement("sms.attach-user-data.param.user-data")
def test_attach_user_data_without_an_object_is_refused_and_changes_nothing(
    attach_without_user_data: Observation, attach_a_list: Observation
) -> None:
    user_data.assert_refused_unchanged(attach_without_user_data, 1)
    user_data.assert_refused_unchanged(attach_a_list, 2)


@requirement("sms.common.user-data.read-back")
def test_the_session_reads_back_the_attached_user_data(attach: Observation) -> None:
    user_data.assert_read_back(attach)


@requirement("sms.common.capability")
def test_attach_user_data_is_refused_on_an_invited_session(attach_when_invited: Observation) -> None:
    user_data.assert_refused_when_invited(attach_when_invited, "AttachUserData")


@requirement("sms.common.capability.listed")
def test_attach_user_data_listed_by_an_invited_session_is_not_refused_for_its_state(
    attach_when_invited: Observation,
) -> None:
    assert_listed_not_refused_for_state(attach_when_invited, "AttachUserData")
