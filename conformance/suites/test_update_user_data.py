"""Checks of the documentation page "SMS Session API: UpdateUserData", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/8.5.2/API/SMSUpdateUserData
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

# One key the session holds (user_data.BASELINE) overwritten, one new.
UPDATED = {
    "gwsConformanceChanged": register_own_content("after the change"),
    register_own_content("gwsConformanceUpdated"): 987654321,
}
UPDATE = {"operationName": "UpdateUserData", "userData": UPDATED}


SCENARIOS = {
    "update": Scenario(lambda gws, s: user_data.observe_change(gws, s, UPDATE)),
    "update_without_user_data": Scenario(
        lambda gws, s: gws.attempt(s, {"operationName": "UpdateUserData"}), shares=REFUSED_WHEN_CHATTING
    ),
    "update_a_string": Scenario(
        lambda gws, s: gws.attempt(s, {"operationName": "UpdateUserData", "userData": "gwsConformance"}),
        shares=REFUSED_WHEN_CHATTING,
    ),
    "update_when_invited": Scenario(lambda gws, s: gws.attempt(s, UPDATE), takes=INVITED, shares=REFUSED_WHEN_INVITED),
}


update = scenario_fixture("update")
update_without_user_data = scenario_fixture("update_without_user_data")
update_a_string = scenario_fixture("update_a_string")
update_when_invited = scenario_fixture("update_when_invited")


@requirement("sms.update-user-data.response")
def test_an_accepted_update_user_data_answers_status_0(update: Observation) -> None:
    assert_ok_response(update)


@requirement("sms.update-user-data.notify")
def test_update_user_data_overwrites_the_given_keys_only(update: Observation) -> None:
    now = user_data.reported_user_data(update)
    user_data.assert_user_data(user_data.user_data_of(update.before), now, UPDATED)


@requirement("sms.update-user-data.param.user-data")
def test_update_user_data_without_an_object_is_refused_and_changes_nothing(
    update_without_user_data: Observation, update_a_string: Observation
) -> None:
    user_data.assert_refused_unchanged(update_without_user_data, 1)
    user_data.assert_refused_unchanged(update_a_string, 2)


@requirement("sms.common.user-data.read-back")
def test_the_session_reads_back_the_updated_user_data(update: Observation) -> None:
    user_data.assert_read_back(update)


@requirement("sms.common.capability")
def test_update_user_data_is_refused_on_an_invited_session(update_when_invited: Observation) -> None:
    user_data.assert_refused_when_invited(update_when_invited, "UpdateUserData")


@requirement("sms.common.capability.listed")
def test_update_user_data_listed_by_an_invited_session_is_not_refused_for_its_state(
    update_when_invited: Observation,
) -> None:
    assert_listed_not_refused_for_state(update_when_invited, "UpdateUserData")
