"""The samples of the session lifecycle pages (Accept ... Intrude), normalized: each valid against
its schema, and a broken variant of each rejected at the right path with the right keyword."""

import pytest
from sample_variants import DROP, variant

from conformance.spec.pages import SAMPLE_SHAPES
from conformance.spec.schemas import load_sample, validate

BROKEN = [
    # (sample, path, value, expected JSON path, expected keyword)
    ("accept/request", ("saveLAR",), "yes", "$.saveLAR", "type"),
    ("accept/request", ("nickname",), "", "$.nickname", "minLength"),
    ("accept/notification-status-change", ("messageType",), "test_accept ", "$.messageType", "const"),
    ("accept/notification-status-change", ("smssession", "state"), "Accepted", "$.smssession.state", "enum"),
    (
        "accept/notification-participants-updated",
        ("smssession", "participants", 0, "type"),
        "Bot",
        "$.smssession.participants[0].type",
        "enum",
    ),
    ("reject/notification-status-change", ("notificationType",), "StateChange", "$.notificationType", "const"),
    ("reject/notification-status-change", ("referenceId",), "5", "$.referenceId", "type"),
    ("complete/request-queue", ("queueName",), 7, "$.queueName", "type"),
    ("complete/notification-status-change", ("smssession", "state"), DROP, "$.smssession", "required"),
    (
        "leave/notification-left-chat",
        ("smssession", "capabilities"),
        ["Leave", "Leave"],
        "$.smssession.capabilities",
        "uniqueItems",
    ),
    ("invite/request", ("targetUri",), DROP, "$", "anyOf"),
    ("invite/response", ("referenceId",), DROP, "$", "required"),
    ("transfer/request", ("targetUri",), DROP, "$", "anyOf"),
    ("transfer/request-queue", ("treatAs",), "Normal", "$", "dependentRequired"),
    ("intrude/request", ("supervisorVisibilityMode",), "Spy", "$.supervisorVisibilityMode", "enum"),
    ("intrude/response", ("statusCode",), 3, "$.statusCode", "const"),
]


@pytest.mark.parametrize(
    ("sample", "path", "value", "where", "keyword"), BROKEN, ids=[f"{s}:{'.'.join(map(str, p))}" for s, p, *_ in BROKEN]
)
def test_a_broken_sample_is_rejected_where_it_breaks(sample, path, value, where, keyword):
    found = {(v.path, v.keyword) for v in validate(SAMPLE_SHAPES[sample], variant(sample, path, value))}
    assert (where, keyword) in found, found


def test_the_invite_sample_body_is_stored_with_target_uri_not_the_pages_user_uri():
    assert "userUri" not in load_sample("invite/request")
    assert validate("requests/invite", {"operationName": "Invite", "userUri": "http://h/api/v2/users/x"}) != []
