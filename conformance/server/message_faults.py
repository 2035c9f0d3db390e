"""The faults of the reference server on the message, typing, user data and resource pages (issue
15's pages: conformance.spec.message_clauses and user_data_clauses), each breaking one clause.

The pages that add a message share their clauses' shapes (response, message, parameter, who
receives it), so most of their faults are one switch per page, built from :data:`POSTING_PAGES`.
"""

from __future__ import annotations

from conformance.server import faults as fault_catalogue
from conformance.spec.pages import MESSAGE_PAGES, SMS_PAGES, Page

define = fault_catalogue.define

# The pages that add one message, and those that change user data, by operation (the page registry).
POSTING_PAGES: dict[str, Page] = {p.operation: p for p in SMS_PAGES if p.operation and p.message}
USER_DATA_PAGES: dict[str, Page] = {p.operation: p for p in SMS_PAGES if p.operation and p.user_data}
_TYPING = ("SendStartTypingNotification", "SendStopTypingNotification")

RESPONSE_NOT_GWS = {
    operation: define(
        f"{page.slug}-response-not-gws",
        f"sms.{page.slug}.response",
        f'an accepted {operation} answers HTTP 200 {{"status": "OK"}} without a statusCode',
    )
    for operation, page in {**POSTING_PAGES, **USER_DATA_PAGES}.items()
}
WRONG_VISIBILITY = {
    operation: define(
        f"{page.slug}-wrong-visibility",
        f"sms.{page.slug}.message",
        f"{operation}'s message has visibility {'Agents' if message.visibility == 'All' else 'All'}, "
        f"not {message.visibility}",
    )
    for operation, page in POSTING_PAGES.items()
    if (message := page.message) is not None
}
PARAM_UNCHECKED = {
    operation: define(
        f"{page.slug}-{message.param.lower()}-unchecked",
        f"sms.{page.slug}.param.{message.param_slug or message.param}",
        f"{operation} without a string {message.param} is accepted (and adds a message without it)",
    )
    for operation, page in POSTING_PAGES.items()
    if (message := page.message) is not None and message.param
}
NOT_TO_CUSTOMER = {
    operation: define(
        f"{page.slug}-not-to-customer",
        f"sms.{page.slug}.customer",
        f"{operation}'s message is logged visible to All but never reaches the customer's phone",
    )
    for operation, page in POSTING_PAGES.items()
    if (message := page.message) is not None and message.param and message.visibility == "All"
}
LEAKS_TO_CUSTOMER = {
    operation: define(
        f"{page.slug}-leaks-to-customer",
        f"sms.{page.slug}.visibility",
        f"{operation}'s message says visibility Agents but reaches the customer's phone",
    )
    for operation, page in POSTING_PAGES.items()
    if page.message is not None and page.message.visibility == "Agents"
}
STOP_TYPING_ANONYMOUS = define(
    "stop-typing-without-from",
    "sms.send-stop-typing.message",
    "SendStopTypingNotification's TypingStopped carries no from (so no one can tell whose it is)",
)
TYPING_TO_NO_AGENT = define(
    "no-typing-echo",
    "sms.send-start-typing.message",
    "typing notifications (visible to All) reach no agent at all, only the customer is told "
    "an agent types (it was a benign variation until the typing pages were judged: their "
    "notification goes to all participants)",
)

CAPABILITIES_OVERSTATED = define(
    "capabilities-overstated",
    "sms.common.capability.listed",
    "an Invited session lists every message and user data operation among its capabilities, and the server "
    "then refuses each as not valid for the state",
)
CAPABILITIES_IGNORED = define(
    "capabilities-not-enforced",
    "sms.common.capability",
    "the message and user data operations are taken whatever the session's capabilities (on an Invited session too)",
)

ATTACH_REPLACES = define(
    "attach-user-data-replaces",
    "sms.attach-user-data.notify",
    "AttachUserData replaces the session's user data instead of adding the keys",
)
UPDATE_CLEARS_OTHERS = define(
    "update-user-data-clears-other-keys",
    "sms.update-user-data.notify",
    "UpdateUserData keeps only the given keys, dropping every other",
)
DELETE_ALL = define(
    "delete-user-data-deletes-all",
    "sms.delete-user-data.notify",
    "DeleteUserData deletes every key, not only the given ones",
)
USER_DATA_UNCHECKED = {
    "AttachUserData": define(
        "attach-user-data-param-unchecked",
        "sms.attach-user-data.param.user-data",
        "AttachUserData takes a userData that is not an object (and changes nothing)",
    ),
    "UpdateUserData": define(
        "update-user-data-param-unchecked",
        "sms.update-user-data.param.user-data",
        "UpdateUserData takes a userData that is not an object (and changes nothing)",
    ),
    "DeleteUserData": define(
        "delete-user-data-keys-unchecked",
        "sms.delete-user-data.param.keys",
        "DeleteUserData takes keys that are not an array of strings (and changes nothing)",
    ),
    "SetDisposition": define(
        "set-disposition-param-unchecked",
        "sms.set-disposition.param.disposition",
        "SetDisposition without a string disposition is accepted (and changes nothing)",
    ),
}
DISPOSITION_KEY_IGNORED = define(
    "set-disposition-key-ignored",
    "sms.set-disposition.notify",
    "SetDisposition writes under the configured key whatever dispositionKey says",
)
DISPOSITION_DEFAULT_LOST = define(
    "set-disposition-default-key-lost",
    "sms.set-disposition.param.disposition-key",
    "SetDisposition without dispositionKey is accepted and writes nothing",
)
READ_STALE = define(
    "user-data-read-stale",
    "sms.common.user-data.read-back",
    "GET of a session answers its user data as it was when the session began",
    pages=("attach-user-data", "update-user-data", "delete-user-data", "set-disposition"),
)

LIST_WITHOUT_CAPABILITIES = define(
    "session-list-without-capabilities",
    "sms.resource.list",
    "GET /api/v2/me/smssessions lists sessions without their capabilities",
)
LOG_REVERSED = define("message-log-reversed", "sms.resource.messages", "GET .../messages answers the log newest first")
START_INDEX_OFF_BY_ONE = define(
    "get-messages-start-index-off-by-one",
    "sms.get-messages.start-index",
    "GET .../messages?startIndex=n starts at index n+1",
)
COUNT_ZERO_EMPTY = define(
    "get-messages-count-zero-empty",
    "sms.get-messages.count",
    "GET .../messages?count=0 answers no message instead of all",
)
BOUNDS_UNCHECKED = define(
    "get-messages-bounds-unchecked",
    "sms.get-messages.param.invalid",
    "a negative or non-integer startIndex or count is ignored (all messages answered)",
)

# The issue that asked for every page's referenceIds: SendUrl's answers repeat the one before.
SEND_URL_REFERENCE_REPEATED = define(
    "send-url-reference-id-repeated",
    "sms.common.reference-id.unique",
    "an accepted SendUrl answers the referenceId of the agent's previous accepted request on the session",
    pages=("send-url",),
)
ANNOUNCED_TWICE = define(
    "messages-announced-twice",
    "sms.common.notify.once",
    "every message a message page adds is announced twice to each agent (NewMessages sent again)",
    pages=MESSAGE_PAGES,
)
