"""Judging the pages that change a session's user data (AttachUserData, UpdateUserData,
DeleteUserData, SetDisposition): the notification that reports the change, the user data it
carries compared with the session's before the request, and the session as the resource reads
it afterwards (sms.common.user-data.read-back).

The suite's keys and values are its own content (readable in reports); a session's other keys
are compared, never shown unredacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.engine.context import Conformance
from conformance.engine.judge import Expected
from conformance.engine.observation import Observation
from conformance.engine.scheduling import Lease
from conformance.engine.verdicts import NotApplicable, expect
from conformance.redaction import register_own_content
from conformance.suites.judging import (
    assert_accepted,
    assert_refusal,
    first,
    received_summary,
    schema_problems,
)
from conformance.suites.posting import assert_not_in_capabilities_refused

# Keys and values the suite attaches (own content, so redaction leaves them readable).
BASELINE = {
    register_own_content("gwsConformanceKept"): register_own_content("kept as it was"),
    register_own_content("gwsConformanceChanged"): register_own_content("before the change"),
}
PREPARE = {"operationName": "AttachUserData", "userData": BASELINE}


def is_user_data_change(data: Mapping[str, Any]) -> bool:
    """A session state notification reporting a change of its properties: the user data pages'
    type is cut off (PropertiesUpdated expected), so any state notification but Error."""
    return (
        data.get("messageType") == "SMSsessionStateChangeMessage"
        and data.get("notificationType") != "Error"
        and isinstance(data.get("smssession"), Mapping)
        and "userData" in data["smssession"]
    )


CHANGE_REPORTED = Expected("SMSsessionStateChangeMessage(userData)", is_user_data_change)


def reporting_notification(seen: Observation) -> Mapping[str, Any] | None:
    """The notification that reported the change: the one carrying the response's referenceId
    where the response has one, else the first user data change that arrived."""
    sent = seen.response_body.get("referenceId") if isinstance(seen.response_body, Mapping) else None
    arrivals = seen.received.get("originator", [])
    return (
        sent is not None and first(arrivals, lambda d: is_user_data_change(d) and d.get("referenceId") == sent)
    ) or first(arrivals, is_user_data_change)


def observe_change(gws: Conformance, session: Lease, body: Mapping[str, Any]) -> Observation:
    """``body`` on ``session``, which first had :data:`BASELINE` attached."""
    return gws.observe(session, dict(body), expected={"originator": (CHANGE_REPORTED,)}, prepare=PREPARE)


def user_data_of(session: Mapping[str, Any]) -> Mapping[str, Any]:
    data = session.get("userData")
    return data if isinstance(data, Mapping) else {}


def reported_user_data(seen: Observation, shape: str | None = None) -> Mapping[str, Any]:
    """The userData of the notification that reported the change; it carries a referenceId (the
    response's, when the response has one) and the whole session (objects/smssession), and
    conforms to ``shape`` if one is given."""
    assert_accepted(seen)
    reported = reporting_notification(seen)
    expect(reported is not None, f"no session state notification reported the change; {received_summary(seen)}")
    assert reported is not None
    problems = (
        schema_problems(shape, reported) if shape else schema_problems("objects/smssession", reported["smssession"])
    )
    expect(not problems, f"{reported.get('notificationType')}: {problems}")
    reference_id = reported.get("referenceId")
    expect(isinstance(reference_id, int), "the notification carries no referenceId")
    sent = seen.response_body.get("referenceId") if isinstance(seen.response_body, Mapping) else None
    expect(
        sent is None or sent == reference_id,
        f"the notification carries referenceId {reference_id}, the response {sent}",
    )
    return user_data_of(reported["smssession"])


def assert_user_data(
    before: Mapping[str, Any], now: Mapping[str, Any], expected: Mapping[str, Any], gone: tuple[str, ...] = ()
) -> None:
    """``now`` holds ``expected``, lacks ``gone``, and every other key of ``before`` as it was."""
    wrong = {k: now.get(k, "(absent)") for k, v in expected.items() if now.get(k) != v}
    expect(not wrong, f"keys not holding the value sent: {sorted(wrong)}")
    still = [k for k in gone if k in now]
    expect(not still, f"keys still present: {still}")
    changed = [k for k in before if k not in expected and k not in gone and now.get(k, object()) != before[k]]
    expect(not changed, f"keys the request did not name were changed or lost: {sorted(changed)}")


def assert_read_back(seen: Observation) -> None:
    """sms.common.user-data.read-back: GET of the session afterwards holds the notification's userData."""
    reported = reporting_notification(seen)
    if reported is None:
        raise NotApplicable("no notification reported the change (its page's notify check fails for that)")
    expect(
        user_data_of(seen.after) == user_data_of(reported["smssession"]),
        "GET /api/v2/me/smssessions/{id} holds other userData than the notification: keys "
        f"{sorted(user_data_of(seen.after))} vs {sorted(user_data_of(reported['smssession']))}",
    )


def assert_refused_unchanged(seen: Observation, documented_code: int) -> None:
    assert_refusal(seen, documented_code=documented_code)
    expect(user_data_of(seen.after) == user_data_of(seen.before), "the refused request changed the session's user data")


def assert_refused_when_invited(seen: Observation, operation: str) -> None:
    """sms.common.capability for a user data operation: refused on an Invited session, its user data as it was."""
    changed = [] if user_data_of(seen.after) == user_data_of(seen.before) else ["userData"]
    assert_not_in_capabilities_refused(seen, operation, changed)
