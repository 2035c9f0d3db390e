"""The clauses of the pages that change an SMS session's user data (AttachUserData,
UpdateUserData, DeleteUserData, SetDisposition) and of the pages that read a session
(SMS Session Resource, GetMessages), each read at its source.

The user data pages' notification is cut off before its type; SetDisposition's is PropertiesUpdated,
so any SMSsessionStateChangeMessage other than Error is accepted for them (decided) and the
PropertiesUpdated schema applies to SetDisposition's only.
"""

from __future__ import annotations

from conformance.spec.clause_model import Clause
from conformance.spec.clause_model import make_clause as _clause
from conformance.spec.pages import page

ATTACH = page("attach-user-data")
UPDATE = page("update-user-data")
DELETE = page("delete-user-data")
DISPOSITION = page("set-disposition")
RESOURCE = page("resource")
GET_MESSAGES = page("get-messages")

_OK = "An accepted request answers {statusCode: 0} (a referenceId beside it is allowed)."
_NOTIFIED = (
    "The agent receives an SMSsessionStateChangeMessage (the type is cut off on the page; PropertiesUpdated, "
    "as SetDisposition's, expected) carrying a referenceId and the whole session (id, state, participants, "
    "capabilities, userData), "
)


def _object_required(field: str, kind: str) -> str:
    return (
        f"{field} is mandatory, {kind}: a request without it is refused (statusCode 1, missing parameter), one "
        f"with another type is refused; neither changes the session's user data."
    )


USER_DATA_CLAUSES: tuple[Clause, ...] = (
    # --- AttachUserData -------------------------------------------------------------------------------
    _clause("sms.attach-user-data.response", "MUST", ATTACH, _OK),
    _clause(
        "sms.attach-user-data.notify",
        "MUST",
        ATTACH,
        _NOTIFIED + "whose userData holds every attached key with its value, and every key it held before.",
    ),
    _clause("sms.attach-user-data.param.user-data", "MUST", ATTACH, _object_required("userData", "an object")),
    # --- UpdateUserData -------------------------------------------------------------------------------
    _clause("sms.update-user-data.response", "MUST", UPDATE, _OK),
    _clause(
        "sms.update-user-data.notify",
        "MUST",
        UPDATE,
        _NOTIFIED + "whose userData has the given keys overwritten with the given values and every other key as "
        "it was.",
    ),
    _clause("sms.update-user-data.param.user-data", "MUST", UPDATE, _object_required("userData", "an object")),
    # --- DeleteUserData -------------------------------------------------------------------------------
    _clause("sms.delete-user-data.response", "MUST", DELETE, _OK),
    _clause(
        "sms.delete-user-data.notify",
        "MUST",
        DELETE,
        _NOTIFIED + "whose userData no longer holds the given keys and still holds every other key, unchanged.",
    ),
    _clause(
        "sms.delete-user-data.param.keys",
        "MUST",
        DELETE,
        _object_required("keys", "an array of strings (the user data keys to delete)"),
    ),
    # --- SetDisposition -------------------------------------------------------------------------------
    _clause(
        "sms.set-disposition.response",
        "MUST",
        DISPOSITION,
        _OK + " (Errata: the page writes the path /api/v2/me/smsessions/{id} and the key smsession.)",
    ),
    _clause(
        "sms.set-disposition.notify",
        "MUST",
        DISPOSITION,
        "The agent receives PropertiesUpdated / SMSsessionStateChangeMessage carrying a referenceId and the whole "
        "session, whose userData holds the disposition under dispositionKey.",
    ),
    _clause("sms.set-disposition.param.disposition", "MUST", DISPOSITION, _object_required("disposition", "a string")),
    _clause(
        "sms.set-disposition.param.disposition-key",
        "MUST",
        DISPOSITION,
        "dispositionKey is optional: without it the disposition is written under the disposition key configured "
        "for the server, which the suite cannot know: judged as one key now holding the disposition and no "
        "other key changed.",
    ),
    # --- what every user data page shares -------------------------------------------------------------
    _clause(
        "sms.common.user-data.read-back",
        "MUST",
        RESOURCE,
        "After a user data operation the session as the resource reads it (GET /api/v2/me/smssessions/{id}) "
        "holds the same userData as the operation's notification.",
    ),
    # --- SMS Session Resource and GetMessages ---------------------------------------------------------
    _clause(
        "sms.resource.list",
        "MUST",
        RESOURCE,
        "GET /api/v2/me/smssessions?fields=* answers statusCode 0 and smssessions, the agent's SMS sessions, each "
        "with id, uri, state, participants and capabilities; a session the agent handles is among them.",
    ),
    _clause(
        "sms.resource.messages",
        "MUST",
        RESOURCE,
        "GET /api/v2/me/smssessions/{id}/messages answers statusCode 0 and messages, the session's log: the "
        "messages the notifications announced, with the same indexes and types, in index order.",
    ),
    _clause(
        "sms.get-messages.start-index",
        "MUST",
        GET_MESSAGES,
        "startIndex (optional, default 1) is the index of the first message returned: the answer is the log from "
        "that index on; 0 has the same effect as 1; past the last index nothing is returned. (Errata: the page "
        "writes /api/v2/me/smsessions/{interactionId}.)",
    ),
    _clause(
        "sms.get-messages.count",
        "MUST",
        GET_MESSAGES,
        "count (optional, default 0) is the number of messages returned, from startIndex on; 0 means all.",
    ),
    _clause(
        "sms.get-messages.param.invalid",
        "MUST",
        GET_MESSAGES,
        "Valid values of startIndex and count are non-negative integers: a negative or non-integer value is "
        "refused (a non-zero statusCode, never a 5xx).",
    ),
)
