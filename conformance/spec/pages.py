"""The page registry: one entry per documentation page the suite judges, and every fact about a
page that more than one part of the suite needs, declared here once.

From it are derived: the names ``--page`` accepts and ``list`` groups by (:func:`find`), the page
of each clause (the clause modules), the page of each check module (``test_<slug>.py``), the
request bodies of the derived OpenAPI document, the table of samples each schema is tested
against, what the message pages document (:class:`MessageSpec`, for the checks and the reference
server alike) and which pages change user data.

Adding a page: its entry here; its schema and samples under ``schemas/``; its clauses in the
clause module of its family; its check module ``conformance/suites/test_<slug>.py``; the
reference server's handler and a fault of each clause. No other table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DOCS = "https://docs.genesys.com/Documentation/"


SESSION_ENDPOINT = "/api/v2/me/smssessions/{id}"  # where most operations are posted


@dataclass(frozen=True)
class MessageSpec:
    """What a page that adds one message to the log documents about it."""

    kind: str  # the message type
    visibility: str  # "All" or "Agents"
    param: str | None = None  # the request parameter that becomes the message's field of the same name
    param_slug: str | None = None  # that parameter in clause IDs (noticeText: notice-text)


@dataclass(frozen=True)
class Page:
    slug: str  # clause IDs' page part (sms.<slug>.*), --page name, check module test_<slug with _>.py
    title: str
    url: str
    operation: str | None = None  # the operationName the page documents (None: a read, or API Basics)
    request: str | None = None  # its request body's schema, when it has one of its own
    samples: Mapping[str, str] = field(default_factory=dict)  # sample (schemas/samples/...) -> its shape
    message: MessageSpec | None = None  # a page that adds one message
    user_data: bool = False  # a page that changes the session's user data
    targets: bool = False  # takes a target as Consult does (targetUri / targetPath)
    family: str = "sms"  # "sms": an SMS Session API page; "basics": an API Basics page (common clauses)
    endpoint: str = SESSION_ENDPOINT  # where the operation is posted

    @property
    def doc_name(self) -> str:
        """The documentation's name of the page: the last part of its URL (SMSConsult)."""
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def module(self) -> str:
        return f"test_{self.slug.replace('-', '_')}.py"

    def names(self) -> set[str]:
        """Every name a user may give the page, folded to lower case."""
        short = self.title.split(": ", 1)[-1]
        named = {self.slug, self.title, short, self.doc_name, *([self.operation] if self.operation else [])}
        return {n.lower() for n in named}


def _page(slug: str, title: str, path: str, **facts: object) -> Page:
    return Page(slug, title, DOCS + path, **facts)  # type: ignore[arg-type]


SMS = "SMS Session API: "

PAGES: tuple[Page, ...] = (
    _page(
        "consult",
        SMS + "Consult",
        "GWS/latest/API/SMSConsult",
        operation="Consult",
        request="requests/consult",
        targets=True,
        samples={
            "consult/request": "requests/consult",
            "consult/response": "responses/accepted",
            "consult/notification-participants-updated": "notifications/participants-updated",
            "consult/notification-new-messages": "notifications/new-messages",
            "consult/notification-error": "notifications/error",
        },
    ),
    _page(
        "accept",
        SMS + "Accept",
        "HTCC/latest/API/SMSAccept",
        operation="Accept",
        request="requests/accept",
        samples={
            "accept/request": "requests/accept",
            "accept/response": "responses/ok",
            "accept/notification-status-change": "notifications/status-change",
            "accept/notification-participants-updated": "notifications/participants-updated",
        },
    ),
    _page(
        "reject",
        SMS + "Reject",
        "GWS/latest/API/SMSReject",
        operation="Reject",
        samples={"reject/response": "responses/ok", "reject/notification-status-change": "notifications/status-change"},
    ),
    _page(
        "complete",
        SMS + "Complete",
        "GWS/8.5.2/API/SMSComplete",
        operation="Complete",
        request="requests/complete",
        samples={
            "complete/request": "requests/complete",
            "complete/request-queue": "requests/complete",
            "complete/response": "responses/ok",
            "complete/notification-status-change": "notifications/status-change",
        },
    ),
    _page(
        "leave",
        SMS + "Leave",
        "HTCC/latest/API/SMSLeave",
        operation="Leave",
        samples={
            "leave/response": "responses/ok",
            "leave/notification-left-chat": "notifications/status-change",
            "leave/notification-completed": "notifications/status-change",
        },
    ),
    _page(
        "invite",
        SMS + "Invite",
        "GWS/8.5.2/API/SMSInvite",
        operation="Invite",
        request="requests/invite",
        targets=True,
        samples={"invite/request": "requests/invite", "invite/response": "responses/accepted"},
    ),
    _page(
        "transfer",
        "Chat API: Transfer (no SMS page exists)",
        "GWS/8.5.2/API/ChatSingleStepTransfer",
        operation="Transfer",
        request="requests/transfer",
        targets=True,
        samples={
            "transfer/request": "requests/transfer",
            "transfer/request-queue": "requests/transfer",
            "transfer/response": "responses/ok",
        },
    ),
    _page(
        "intrude",
        SMS + "Intrude",
        "HTCC/latest/API/SMSIntrude",
        operation="Intrude",
        request="requests/intrude",
        endpoint="/api/v2/users/{userId}/smssessions/{id}",
        samples={"intrude/request": "requests/intrude", "intrude/response": "responses/ok"},
    ),
    _page(
        "send-message",
        SMS + "SendMessage",
        "GWS/8.5.2/API/SMSSendMessage",
        operation="SendMessage",
        request="requests/send-message",
        message=MessageSpec("Text", "All", "text"),
        samples={
            "send-message/request": "requests/send-message",
            "send-message/response": "responses/ok",
            "send-message/notification": "notifications/new-messages",
        },
    ),
    _page(
        "send-to-agents",
        SMS + "SendToAgents",
        "GWS/8.5.2/API/SMSSendToAgents",
        operation="SendToAgents",
        request="requests/send-to-agents",
        message=MessageSpec("Text", "Agents", "text"),
    ),
    _page(
        "send-url",
        SMS + "SendUrl",
        "HTCC/8.5.2/API/SMSSendUrl",
        operation="SendUrl",
        request="requests/send-url",
        message=MessageSpec("PushUrl", "All", "url"),
        samples={"send-url/request": "requests/send-url", "send-url/notification": "notifications/new-messages"},
    ),
    _page(
        "send-start-typing",
        SMS + "SendStartTypingNotification",
        "GWS/8.5.2/API/SMSSendStartType",
        operation="SendStartTypingNotification",
        request="requests/typing",
        message=MessageSpec("TypingStarted", "All"),
        samples={
            "typing/request-start": "requests/typing",
            "typing/notification-started": "notifications/new-messages",
        },
    ),
    _page(
        "send-stop-typing",
        SMS + "SendStopTypingNotification",
        "HTCC/latest/API/SMSSendStopType",
        operation="SendStopTypingNotification",
        request="requests/typing",
        message=MessageSpec("TypingStopped", "All"),
        samples={"typing/notification-stopped": "notifications/new-messages"},
    ),
    _page(
        "send-start-typing-to-agents",
        SMS + "SendStartTypingToAgentsNotification",
        "HTCC/latest/API/SMSSendStartTypingToAgentsNotification",
        operation="SendStartTypingToAgentsNotification",
        request="requests/typing",
        message=MessageSpec("TypingStarted", "Agents"),
    ),
    _page(
        "send-stop-typing-to-agents",
        SMS + "SendStopTypingToAgentsNotification",
        "GWS/latest/API/SMSSendStopTypingToAgentsNotification",
        operation="SendStopTypingToAgentsNotification",
        request="requests/typing",
        message=MessageSpec("TypingStopped", "Agents"),
        samples={
            "typing/request-stop-to-agents": "requests/typing",
            "typing/notification-stopped-to-agents": "notifications/new-messages",
        },
    ),
    _page(
        "send-custom-notice",
        SMS + "SendCustomNotice",
        "HTCC/latest/API/SMSSendCustomNotice",
        operation="SendCustomNotice",
        request="requests/send-custom-notice",
        message=MessageSpec("CustomNotice", "All", "noticeText", "notice-text"),
        samples={
            "send-custom-notice/request": "requests/send-custom-notice",
            "send-custom-notice/notification": "notifications/new-messages",
        },
    ),
    _page(
        "attach-user-data",
        SMS + "AttachUserData",
        "GWS/8.5.2/API/SMSAttachUserData",
        operation="AttachUserData",
        request="requests/user-data",
        user_data=True,
        samples={
            "attach-user-data/request": "requests/user-data",
            "attach-user-data/notification": "notifications/properties-updated",
        },
    ),
    _page(
        "update-user-data",
        SMS + "UpdateUserData",
        "GWS/8.5.2/API/SMSUpdateUserData",
        operation="UpdateUserData",
        request="requests/user-data",
        user_data=True,
        samples={
            "update-user-data/request": "requests/user-data",
            "update-user-data/notification": "notifications/properties-updated",
        },
    ),
    _page(
        "delete-user-data",
        SMS + "DeleteUserData",
        "GWS/8.5.2/API/SMSDeleteUserData",
        operation="DeleteUserData",
        request="requests/delete-user-data",
        user_data=True,
        samples={
            "delete-user-data/request": "requests/delete-user-data",
            "delete-user-data/notification": "notifications/properties-updated",
        },
    ),
    _page(
        "set-disposition",
        SMS + "SetDisposition",
        "GWS/latest/API/SMSSetDisposition",
        operation="SetDisposition",
        request="requests/set-disposition",
        user_data=True,
        samples={
            "set-disposition/request": "requests/set-disposition",
            "set-disposition/response": "responses/ok",
            "set-disposition/notification": "notifications/properties-updated",
        },
    ),
    _page(
        "resource",
        SMS + "SMS Session Resource",
        "HTCC/latest/API/SMSResources",
        samples={"session-list/response": "responses/session-list"},
    ),
    _page(
        "get-messages",
        SMS + "GetMessages",
        "HTCC/latest/API/SMSGetMessages",
        samples={"get-messages/response": "responses/message-log"},
    ),
    _page("return-values", "API Basics: Return Values", "GWS/latest/API/ReturnValues", family="basics"),
    _page("cometd", "API Basics: CometD notifications", "GWS/latest/API/CometD", family="basics"),
)

BY_SLUG: dict[str, Page] = {p.slug: p for p in PAGES}
SMS_PAGES: tuple[Page, ...] = tuple(p for p in PAGES if p.family == "sms")
MESSAGE_PAGES: tuple[str, ...] = tuple(p.slug for p in SMS_PAGES if p.message is not None)  # each adds a message
# Every documented sample (its name under schemas/samples/) and the shape it is valid against.
SAMPLE_SHAPES: dict[str, str] = {sample: shape for p in PAGES for sample, shape in p.samples.items()}


def page(slug: str) -> Page:
    """The page of this slug; a KeyError names an unknown one (a typo in a module)."""
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise KeyError(f"unknown page {slug!r}") from None


def find(name: str) -> Page | None:
    """The SMS page a user means by ``name``: slug, operation, title or documentation page name, any case."""
    folded = name.strip().lower()
    return next((p for p in SMS_PAGES if folded in p.names()), None)


def of_module(module_name: str) -> Page | None:
    """The page a check module judges, by its file name (``test_send_message.py``)."""
    return next((p for p in SMS_PAGES if p.module == module_name), None)
