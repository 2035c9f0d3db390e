"""The samples of the message, typing, user data and resource pages, normalized: each valid
against its schema, and a broken variant of each rejected at the right path with the right keyword."""

import pytest
from sample_variants import DROP, variant

from conformance.spec.schemas import load_sample, validate

SHAPE_OF = {
    "send-message/request": "requests/send-message",
    "send-message/response": "responses/ok",
    "send-message/notification": "notifications/new-messages",
    "send-url/request": "requests/send-url",
    "send-url/notification": "notifications/new-messages",
    "typing/request-start": "requests/typing",
    "typing/request-stop-to-agents": "requests/typing",
    "typing/notification-started": "notifications/new-messages",
    "typing/notification-stopped": "notifications/new-messages",
    "typing/notification-stopped-to-agents": "notifications/new-messages",
    "send-custom-notice/request": "requests/send-custom-notice",
    "send-custom-notice/notification": "notifications/new-messages",
    "set-disposition/request": "requests/set-disposition",
    "set-disposition/response": "responses/ok",
    "set-disposition/notification": "notifications/properties-updated",
    "attach-user-data/request": "requests/user-data",
    "attach-user-data/notification": "notifications/properties-updated",
    "update-user-data/request": "requests/user-data",
    "update-user-data/notification": "notifications/properties-updated",
    "delete-user-data/request": "requests/delete-user-data",
    "delete-user-data/notification": "notifications/properties-updated",
    "get-messages/response": "responses/message-log",
    "session-list/response": "responses/session-list",
}


@pytest.mark.parametrize(("sample", "shape"), SHAPE_OF.items())
def test_every_sample_of_the_message_and_user_data_pages_validates(sample, shape):
    assert validate(shape, load_sample(sample)) == []


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
    found = {(v.path, v.keyword) for v in validate(SHAPE_OF[sample], variant(sample, path, value))}
    assert (where, keyword) in found, found
