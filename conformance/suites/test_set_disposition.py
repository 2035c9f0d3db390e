"""Checks of the documentation page "SMS Session API: SetDisposition", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/latest/API/SMSSetDisposition
Clauses: conformance/spec/user_data_clauses.py; how a change is judged: conformance/suites/user_data.py.

Without dispositionKey the page writes the disposition under "the disposition key configured for
the server", which the suite cannot know: it judges that one key now holds the disposition and
that no other key changed.
"""

from __future__ import annotations

from conformance.engine.observation import Observation
from conformance.engine.scheduling import REFUSED_WHEN_CHATTING, REFUSED_WHEN_INVITED, Scenario, scenario_fixture
from conformance.engine.sessions import INVITED
from conformance.engine.verdicts import expect, requirement
from conformance.redaction import register_own_content
from conformance.suites import user_data
from conformance.suites.judging import assert_ok_response
from conformance.suites.posting import assert_listed_not_refused_for_state

DISPOSITION = register_own_content("IssueResolvedByGwsConformance")
KEY = register_own_content("gwsConformanceDisposition")
WITH_KEY = {"operationName": "SetDisposition", "disposition": DISPOSITION, "dispositionKey": KEY}


SCENARIOS = {
    "disposition": Scenario(lambda gws, s: user_data.observe_change(gws, s, WITH_KEY)),
    "disposition_under_the_default_key": Scenario(
        lambda gws, s: user_data.observe_change(gws, s, {"operationName": "SetDisposition", "disposition": DISPOSITION})
    ),
    "disposition_missing": Scenario(
        lambda gws, s: gws.attempt(s, {"operationName": "SetDisposition", "dispositionKey": KEY}),
        shares=REFUSED_WHEN_CHATTING,
    ),
    "disposition_a_number": Scenario(
        lambda gws, s: gws.attempt(s, {**WITH_KEY, "disposition": 7}), shares=REFUSED_WHEN_CHATTING
    ),
    "disposition_when_invited": Scenario(
        lambda gws, s: gws.attempt(s, WITH_KEY), takes=INVITED, shares=REFUSED_WHEN_INVITED
    ),
}


disposition = scenario_fixture("disposition")
disposition_under_the_default_key = scenario_fixture("disposition_under_the_default_key")
disposition_missing = scenario_fixture("disposition_missing")
disposition_a_number = scenario_fixture("disposition_a_number")
disposition_when_invited = scenario_fixture("disposition_when_invited")


@requirement("sms.set-disposition.response")
def test_an_accepted_set_disposition_answers_status_0(disposition: Observation) -> None:
    assert_ok_response(disposition)


@requirement("sms.set-disposition.notify")
def test_properties_updated_holds_the_disposition_under_the_given_key(disposition: Observation) -> None:
    now = user_data.reported_user_data(disposition, "notifications/properties-updated")
    user_data.assert_user_data(user_data.user_data_of(disposition.before), now, {KEY: DISPOSITION})


@requirement("sms.set-disposition.param.disposition")
def test_set_disposition_without_a_string_disposition_is_refused_and_changes_nothing(
    disposition_missing: Observation, disposition_a_number: Observation
) -> None:
    user_data.assert_refused_unchanged(disposition_missing, 1)
    user_data.assert_refused_unchanged(disposition_a_number, 2)


@requirement("sms.set-disposition.param.disposition-key")
def test_without_a_key_the_disposition_lands_under_one_key_and_nothing_else_changes(
    disposition_under_the_default_key: Observation,
) -> None:
    seen = disposition_under_the_default_key
    before = user_data.user_data_of(seen.before)
    now = user_data.reported_user_data(seen)
    changed = sorted(k for k in {*before, *now} if before.get(k, object()) != now.get(k, object()))
    expect(
        len(changed) == 1 and now.get(changed[0]) == DISPOSITION,
        f"without dispositionKey the user data should change under one key, to the disposition; "
        f"changed: {changed or 'nothing'}",
    )


@requirement("sms.common.user-data.read-back")
def test_the_session_reads_back_the_disposition(disposition: Observation) -> None:
    user_data.assert_read_back(disposition)


@requirement("sms.common.capability")
def test_set_disposition_is_refused_on_an_invited_session(disposition_when_invited: Observation) -> None:
    user_data.assert_refused_when_invited(disposition_when_invited, "SetDisposition")


@requirement("sms.common.capability.listed")
def test_set_disposition_listed_by_an_invited_session_is_not_refused_for_its_state(
    disposition_when_invited: Observation,
) -> None:
    assert_listed_not_refused_for_state(disposition_when_invited, "SetDisposition")
