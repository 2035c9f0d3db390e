"""The samples of the message, typing, user data and resource pages, normalized: each valid
against its schema, and a broken variant of each rejected at the right path with the right keyword."""

import pytest
from sample_variants import DROP, variant

from conformance.spec.pages import SAMPLE_SHAPES
from conformance.spec.schemas import validate

BROKEN = [
    # (sample, path, value, expected JSON path, expected keyword)
    ("send-message/request", ("text",), DROP, "$", "required"),
    ("send-message/notification", ("messages", 0, "text"), DROP, "$.messages[0]", "required"),
    ("send-message/notification", ("messages", 0, "visibility"), "Everyone", "$.messages[0].visibility", "enum"),
    ("send-url/request", ("url",), 42, "$.url", "type"),
    ("send-url/notification", ("messages", 0, "url"), DROP, "$.messages[0]", "required"),
    (
        "send-url/notification",
        ("messages", 0, "timestamp"),
        "2014-05-1502:24:00.000-0700",
        "$.messages[0].timestamp",
        "pattern",
    ),
    (
        "typing/request-stop-to-agents",
        ("operationName",),
        "SendStopTypingToAgentNotification",
        "$.operationName",
        "enum",
    ),
    ("typing/notification-started", ("messages", 0, "from"), DROP, "$.messages[0]", "required"),
    ("typing/notification-stopped-to-agents", ("messages", 0, "index"), "5", "$.messages[0].index", "type"),
    ("send-custom-notice/request", ("noticeText",), "", "$.noticeText", "minLength"),
    ("send-custom-notice/notification", ("messages", 0, "noticeText"), DROP, "$.messages[0]", "required"),
    ("send-custom-notice/notification", ("smssessionUri",), DROP, "$", "required"),
    ("set-disposition/request", ("disposition",), DROP, "$", "required"),
    ("set-disposition/notification", ("smssession", "userData"), "IssueResolved", "$.smssession.userData", "type"),
    ("set-disposition/notification", ("notificationType",), "PropertiesChanged", "$.notificationType", "const"),
    ("attach-user-data/request", ("userData",), ["UserData1"], "$.userData", "type"),
    ("update-user-data/request", ("operationName",), "OverwriteUserData", "$.operationName", "enum"),
    ("delete-user-data/request", ("keys",), "UserData1", "$.keys", "type"),
    ("delete-user-data/notification", ("referenceId",), "15", "$.referenceId", "type"),
    (
        "get-messages/response",
        ("messages", 0, "timestampSeconds"),
        "1453292650000L",
        "$.messages[0].timestampSeconds",
        "type",
    ),
    ("get-messages/response", ("messages",), DROP, "$", "required"),
    ("session-list/response", ("smssessions", 0, "capabilities"), DROP, "$.smssessions[0]", "required"),
]


@pytest.mark.parametrize(
    ("sample", "path", "value", "where", "keyword"), BROKEN, ids=[f"{s}:{'.'.join(map(str, p))}" for s, p, *_ in BROKEN]
)
def test_a_broken_message_sample_is_rejected_where_it_breaks(sample, path, value, where, keyword):
    found = {(v.path, v.keyword) for v in validate(SAMPLE_SHAPES[sample], variant(sample, path, value))}
    assert (where, keyword) in found, found
