"""Checks of the documentation page "SMS Session API: DeleteUserData", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/8.5.2/API/SMSDeleteUserData
Clauses: conformance/spec/user_data_clauses.py; how a change is judged: conformance/suites/user_data.py.
"""

from __future__ import annotations

from conformance.engine.observation import Observation
from conformance.engine.scheduling import REFUSED_WHEN_CHATTING, REFUSED_WHEN_INVITED, Scenario, scenario_fixture
from conformance.engine.sessions import INVITED
from conformance.engine.verdicts import ErrorCause, Unjudgeable, requirement
from conformance.suites import user_data
from conformance.suites.judging import assert_ok_response
from conformance.suites.posting import assert_listed_not_refused_for_state

DELETED = ("gwsConformanceChanged",)  # one of user_data.BASELINE's two keys: the other must stay
DELETE = {"operationName": "DeleteUserData", "keys": list(DELETED)}


SCENARIOS = {
    "delete": Scenario(lambda gws, s: user_data.observe_change(gws, s, DELETE)),
    "delete_without_keys": Scenario(
        lambda gws, s: gws.attempt(s, {"operationName": "DeleteUserData"}), shares=REFUSED_WHEN_CHATTING
    ),
    "delete_a_string": Scenario(
        lambda gws, s: gws.attempt(s, {"operationName": "DeleteUserData", "keys": DELETED[0]}),
        shares=REFUSED_WHEN_CHATTING,
    ),
    "delete_when_invited": Scenario(lambda gws, s: gws.attempt(s, DELETE), takes=INVITED, shares=REFUSED_WHEN_INVITED),
}


delete = scenario_fixture("delete")
delete_without_keys = scenario_fixture("delete_without_keys")
delete_a_string = scenario_fixture("delete_a_string")
delete_when_invited = scenario_fixture("delete_when_invited")


@requirement("sms.delete-user-data.response")
def test_an_accepted_delete_user_data_answers_status_0(delete: Observation) -> None:
    assert_ok_response(delete)


@requirement("sms.delete-user-data.notify")
def test_delete_user_data_removes_exactly_the_given_keys(delete: Observation) -> None:
    before = user_data.user_data_of(delete.before)
    if not set(DELETED) <= set(before):
        raise Unjudgeable(
            f"precondition: the session did not hold {DELETED} before the DeleteUserData", ErrorCause.PRECONDITION
        )
    now = user_data.reported_user_data(delete)
    user_data.assert_user_data(before, now, {}, gone=DELETED)


@requirement("sms.delete-user-data.param.keys")
def test_delete_user_data_without_an_array_of_keys_is_refused_and_changes_nothing(
    delete_without_keys: Observation, delete_a_string: Observation
) -> None:
    user_data.assert_refused_unchanged(delete_without_keys, 1)
    user_data.assert_refused_unchanged(delete_a_string, 2)


@requirement("sms.common.user-data.read-back")
def test_the_session_reads_back_the_user_data_left(delete: Observation) -> None:
    user_data.assert_read_back(delete)


@requirement("sms.common.capability")
def test_delete_user_data_is_refused_on_an_invited_session(delete_when_invited: Observation) -> None:
    user_data.assert_refused_when_invited(delete_when_invited, "DeleteUserData")


@requirement("sms.common.capability.listed")
def test_delete_user_data_listed_by_an_invited_session_is_not_refused_for_its_state(
    delete_when_invited: Observation,
) -> None:
    assert_listed_not_refused_for_state(delete_when_invited, "DeleteUserData")
