"""The clauses of the pages that add a message to an SMS session's log: SendMessage, SendToAgents,
SendUrl, the four typing pages and SendCustomNotice (each page read at its URL, in
:mod:`conformance.spec.pages`).

Who receives a message is read from its ``visibility``: All is every participant, Agents every
agent. Whether the *sender* receives its own is left open by every page (it is tolerated either
way, see the benign variations), so delivery is judged at the other agent of a consultation. A
phone shows no typing indicator, so typing visible to All is not judged on the customer's phone.
"""

from __future__ import annotations

from conformance.spec.clause_model import Clause
from conformance.spec.clause_model import make_clause as _clause
from conformance.spec.pages import page

SEND_MESSAGE = page("send-message")
SEND_TO_AGENTS = page("send-to-agents")
SEND_URL = page("send-url")
START_TYPING = page("send-start-typing")
STOP_TYPING = page("send-stop-typing")
START_TYPING_TO_AGENTS = page("send-start-typing-to-agents")
STOP_TYPING_TO_AGENTS = page("send-stop-typing-to-agents")
CUSTOM_NOTICE = page("send-custom-notice")

_OK = "An accepted request answers {statusCode: 0} (a referenceId beside it is allowed)."


def _message(kind: str, visibility: str, field: str | None = None) -> str:
    content = f", its {field} exactly as sent" if field else ""
    return (
        f"The other agent of the session receives NewMessages / MessageLogUpdated (with smssessionUri) carrying "
        f"one {kind} message from the sending agent (from.participantId), visibility {visibility}{content}, an "
        f"index continuing the log (above every index before it), timestamp and timestampSeconds one instant; "
        f"the session's message log (GET .../messages) then holds the same message (index, type, sender, "
        f"visibility). Whether the sender receives its own is not judged (no page says)."
    )


def _required(field: str, kind: str) -> str:
    return (
        f"{field} is mandatory, a string: a request without it is refused (statusCode 1, missing parameter), "
        f"one with a non-string {field} is refused; neither adds a {kind} message to the log."
    )


def _reaches_customer(kind: str) -> str:
    return f"Visibility All: the {kind} reaches the customer's phone (judged with the session source's customer probe)."


def _never_customer(kind: str) -> str:
    return (
        f"Visibility Agents: the {kind} never reaches the customer (customers do not see it): nothing of it on "
        f"the customer's phone (judged with the session source's customer probe)."
    )


MESSAGE_CLAUSES: tuple[Clause, ...] = (
    # --- SendMessage ----------------------------------------------------------------------------------
    _clause("sms.send-message.response", "MUST", SEND_MESSAGE, _OK),
    _clause("sms.send-message.message", "MUST", SEND_MESSAGE, _message("Text", "All", "text")),
    _clause("sms.send-message.param.text", "MUST", SEND_MESSAGE, _required("text", "Text")),
    _clause("sms.send-message.customer", "MUST", SEND_MESSAGE, _reaches_customer("text")),
    # --- SendToAgents ---------------------------------------------------------------------------------
    _clause("sms.send-to-agents.response", "MUST", SEND_TO_AGENTS, _OK),
    _clause("sms.send-to-agents.message", "MUST", SEND_TO_AGENTS, _message("Text", "Agents", "text")),
    _clause("sms.send-to-agents.param.text", "MUST", SEND_TO_AGENTS, _required("text", "Text")),
    _clause("sms.send-to-agents.visibility", "MUST", SEND_TO_AGENTS, _never_customer("text")),
    # --- SendUrl --------------------------------------------------------------------------------------
    _clause("sms.send-url.response", "MUST", SEND_URL, _OK),
    _clause("sms.send-url.message", "MUST", SEND_URL, _message("PushUrl", "All", "url")),
    _clause("sms.send-url.param.url", "MUST", SEND_URL, _required("url", "PushUrl")),
    _clause("sms.send-url.customer", "MUST", SEND_URL, _reaches_customer("URL")),
    # --- the typing pages -----------------------------------------------------------------------------
    _clause("sms.send-start-typing.response", "MUST", START_TYPING, _OK),
    _clause(
        "sms.send-start-typing.message",
        "MUST",
        START_TYPING,
        _message("TypingStarted", "All") + " (The page sends it 'to all SMS session participants'.)",
    ),
    _clause(
        "sms.send-stop-typing.response",
        "MUST",
        STOP_TYPING,
        _OK + " (Erratum: the page writes the path /api/v2/me/smsessions/{id}; the suite sends smssessions.)",
    ),
    _clause("sms.send-stop-typing.message", "MUST", STOP_TYPING, _message("TypingStopped", "All")),
    _clause("sms.send-start-typing-to-agents.response", "MUST", START_TYPING_TO_AGENTS, _OK),
    _clause(
        "sms.send-start-typing-to-agents.message", "MUST", START_TYPING_TO_AGENTS, _message("TypingStarted", "Agents")
    ),
    _clause(
        "sms.send-start-typing-to-agents.visibility",
        "MUST",
        START_TYPING_TO_AGENTS,
        _never_customer("typing notification"),
    ),
    _clause(
        "sms.send-stop-typing-to-agents.response",
        "MUST",
        STOP_TYPING_TO_AGENTS,
        _OK + " The operation is SendStopTypingToAgentsNotification, as the page's title and every capability "
        "list spell it (erratum: its table and sample write SendStopTypingToAgentNotification, without the "
        "s); the suite sends the capability's spelling and does not judge the misspelled one.",
    ),
    _clause(
        "sms.send-stop-typing-to-agents.message", "MUST", STOP_TYPING_TO_AGENTS, _message("TypingStopped", "Agents")
    ),
    _clause(
        "sms.send-stop-typing-to-agents.visibility",
        "MUST",
        STOP_TYPING_TO_AGENTS,
        _never_customer("typing notification"),
    ),
    # --- SendCustomNotice -----------------------------------------------------------------------------
    _clause("sms.send-custom-notice.response", "MUST", CUSTOM_NOTICE, _OK),
    _clause("sms.send-custom-notice.message", "MUST", CUSTOM_NOTICE, _message("CustomNotice", "All", "noticeText")),
    _clause("sms.send-custom-notice.param.notice-text", "MUST", CUSTOM_NOTICE, _required("noticeText", "CustomNotice")),
    _clause("sms.send-custom-notice.customer", "MUST", CUSTOM_NOTICE, _reaches_customer("notice")),
)
