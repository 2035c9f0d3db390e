"""Broken variants of the page's samples are rejected at the right JSON path with the right
keyword; tolerant variants (extra properties, other key or capability order) are accepted."""

import pytest
from sample_variants import DROP, variant

from conformance.spec.pages import SAMPLE_SHAPES
from conformance.spec.schemas import load_sample, validate

SAMPLE_OF = {
    "request": "request",
    "response": "response",
    "participants": "notification-participants-updated",
    "joined": "notification-new-messages",
    "error": "notification-error",
}


def _variant(sample: str, path: tuple, value: object) -> object:
    return variant(f"consult/{SAMPLE_OF[sample]}", path, value)


BROKEN = [
    # (id, sample, path, value, expected JSON path, expected keyword)
    ("consult-wrong-operation", "request", ("operationName",), "Transfer", "$.operationName", "const"),
    ("consult-lowercase-operation", "request", ("operationName",), "consult", "$.operationName", "const"),
    ("consult-operation-missing", "request", ("operationName",), DROP, "$", "required"),
    ("consult-neither-target", "request", ("targetUri",), DROP, "$", "anyOf"),
    ("consult-target-uri-number", "request", ("targetUri",), 42, "$.targetUri", "type"),
    ("consult-target-uri-empty", "request", ("targetUri",), "", "$.targetUri", "minLength"),
    ("consult-not-an-object", "request", (), ["Consult"], "$", "type"),
    ("response-reference-id-string", "response", ("referenceId",), "35", "$.referenceId", "type"),
    ("response-reference-id-missing", "response", ("referenceId",), DROP, "$", "required"),
    ("response-status-nonzero", "response", ("statusCode",), 1, "$.statusCode", "const"),
    ("response-reference-id-float", "response", ("referenceId",), 35.5, "$.referenceId", "type"),
    (
        "participants-type-wrong",
        "participants",
        ("notificationType",),
        "ParticipantUpdated",
        "$.notificationType",
        "const",
    ),
    (
        "participants-message-type-wrong",
        "participants",
        ("messageType",),
        "MessageLogUpdated",
        "$.messageType",
        "const",
    ),
    ("participants-session-missing", "participants", ("smssession",), DROP, "$", "required"),
    ("participants-state-unknown", "participants", ("smssession", "state"), "Consulting", "$.smssession.state", "enum"),
    (
        "participants-participant-type-wrong",
        "participants",
        ("smssession", "participants", 1, "type"),
        "Bot",
        "$.smssession.participants[1].type",
        "enum",
    ),
    (
        "participants-participant-id-missing",
        "participants",
        ("smssession", "participants", 0, "participantId"),
        DROP,
        "$.smssession.participants[0]",
        "required",
    ),
    (
        "participants-capabilities-not-array",
        "participants",
        ("smssession", "capabilities"),
        "Transfer",
        "$.smssession.capabilities",
        "type",
    ),
    (
        "participants-capability-repeated",
        "participants",
        ("smssession", "capabilities"),
        ["Leave", "Leave"],
        "$.smssession.capabilities",
        "uniqueItems",
    ),
    ("participants-session-id-missing", "participants", ("smssession", "id"), DROP, "$.smssession", "required"),
    (
        "joined-visibility-wrong",
        "joined",
        ("messages", 0, "visibility"),
        "Customer",
        "$.messages[0].visibility",
        "enum",
    ),
    ("joined-index-string", "joined", ("messages", 0, "index"), "3", "$.messages[0].index", "type"),
    ("joined-index-negative", "joined", ("messages", 0, "index"), -1, "$.messages[0].index", "minimum"),
    (
        "joined-timestamp-malformed",
        "joined",
        ("messages", 0, "timestamp"),
        "2014-01-0612: 14: 06.007-0800",
        "$.messages[0].timestamp",
        "pattern",
    ),
    (
        "joined-timestamp-without-offset",
        "joined",
        ("messages", 0, "timestamp"),
        "2014-01-06 12:14:06.007",
        "$.messages[0].timestamp",
        "pattern",
    ),
    (
        "joined-timestamp-seconds-string",
        "joined",
        ("messages", 0, "timestampSeconds"),
        "1389039246007",
        "$.messages[0].timestampSeconds",
        "type",
    ),
    ("joined-from-missing", "joined", ("messages", 0, "from"), DROP, "$.messages[0]", "required"),
    (
        "joined-from-type-wrong",
        "joined",
        ("messages", 0, "from", "type"),
        "Supervisor",
        "$.messages[0].from.type",
        "enum",
    ),
    ("joined-messages-empty", "joined", ("messages",), [], "$.messages", "minItems"),
    ("joined-session-uri-missing", "joined", ("smssessionUri",), DROP, "$", "required"),
    (
        "joined-notification-type-wrong",
        "joined",
        ("notificationType",),
        "ParticipantsUpdated",
        "$.notificationType",
        "const",
    ),
    ("error-reference-id-missing", "error", ("referenceId",), DROP, "$", "required"),
    ("error-reference-id-string", "error", ("referenceId",), "36", "$.referenceId", "type"),
    ("error-message-missing", "error", ("errorMessage",), DROP, "$", "required"),
    ("error-session-missing", "error", ("smssession",), DROP, "$", "required"),
    ("error-session-state-wrong", "error", ("smssession", "state"), "Failed", "$.smssession.state", "enum"),
]


@pytest.mark.parametrize(
    ("sample", "path", "value", "json_path", "keyword"), [pytest.param(*case[1:], id=case[0]) for case in BROKEN]
)
def test_a_broken_variant_is_rejected_where_it_breaks(sample, path, value, json_path, keyword):
    violations = validate(SAMPLE_SHAPES[f"consult/{SAMPLE_OF[sample]}"], _variant(sample, path, value))
    assert (json_path, keyword) in {(v.path, v.keyword) for v in violations}, violations


REFUSALS_BROKEN = [
    ("error-response-without-message", {"statusCode": 1}, "$", "required"),
    ("error-response-with-status-0", {"statusCode": 0, "statusMessage": "ok?"}, "$.statusCode", "minimum"),
    ("error-response-with-reference-id", {"statusCode": 1, "statusMessage": "x", "referenceId": 3}, "$", "not"),
    ("error-response-status-string", {"statusCode": "1", "statusMessage": "x"}, "$.statusCode", "type"),
]


@pytest.mark.parametrize(
    ("document", "json_path", "keyword"), [pytest.param(*case[1:], id=case[0]) for case in REFUSALS_BROKEN]
)
def test_a_broken_refusal_is_rejected(document, json_path, keyword):
    assert (json_path, keyword) in {(v.path, v.keyword) for v in validate("responses/error", document)}


def _reordered(value):
    if isinstance(value, dict):
        return {key: _reordered(value[key]) for key in reversed(list(value))}
    return value


TOLERATED = [
    ("consult-extra-property", "request", ("priority",), 5),
    ("consult-by-path-only", "request", ("targetUri",), DROP),
    ("participants-extra-property", "participants", ("smssession", "userData"), {"key": "value"}),
    ("participants-unknown-top-level-field", "participants", ("serverTime",), 1),
    (
        "participants-capabilities-reversed",
        "participants",
        ("smssession", "capabilities"),
        list(reversed(load_sample("consult/notification-participants-updated")["smssession"]["capabilities"])),
    ),
    ("participants-unknown-capability", "participants", ("smssession", "capabilities"), ["Leave", "FutureOp"]),
    ("joined-participant-with-uri", "joined", ("messages", 0, "from", "uri"), "http://h/api/v2/users/1"),
    ("joined-iso-timestamp", "joined", ("messages", 0, "timestamp"), "2014-01-06T12:14:06.007-08:00"),
    ("joined-utc-timestamp", "joined", ("messages", 0, "timestamp"), "2014-01-06T20:14:06Z"),
    ("error-extra-property", "error", ("errorCode",), 47),
]


@pytest.mark.parametrize(("sample", "path", "value"), [pytest.param(*c[1:], id=c[0]) for c in TOLERATED])
def test_a_tolerated_variant_is_accepted(sample, path, value):
    document = _variant(sample, path, value)
    if sample == "request" and path == ("targetUri",):
        document["targetPath"] = "/users/429a55994ef64991a77acb77c1cf9041"
    assert validate(SAMPLE_SHAPES[f"consult/{SAMPLE_OF[sample]}"], document) == []


@pytest.mark.parametrize("sample", SAMPLE_OF)
def test_key_order_does_not_matter(sample):
    assert (
        validate(SAMPLE_SHAPES[f"consult/{SAMPLE_OF[sample]}"], _reordered(load_sample(f"consult/{SAMPLE_OF[sample]}")))
        == []
    )
