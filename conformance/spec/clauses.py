"""The clause catalogue: the documentation restated as numbered, citable requirements.

Every check names one clause ID from here; the compliance matrix lists every clause, covered
or not. This module restates the Consult page clause by clause (its URL in
:mod:`conformance.spec.pages`) and the cross-cutting rules of the API Basics pages; the pages
that move a session through its life are in :mod:`conformance.spec.lifecycle_clauses`, those that add
messages in :mod:`conformance.spec.message_clauses`, those that change user data or read a session in
:mod:`conformance.spec.user_data_clauses`.
"""

from __future__ import annotations

from conformance.spec.clause_model import Clause, Level
from conformance.spec.clause_model import make_clause as _clause
from conformance.spec.lifecycle_clauses import LIFECYCLE_CLAUSES
from conformance.spec.message_clauses import MESSAGE_CLAUSES
from conformance.spec.pages import page
from conformance.spec.user_data_clauses import USER_DATA_CLAUSES

__all__ = ["BY_ID", "CLAUSES", "Clause", "Level", "clause"]

CONSULT = page("consult")
RETURN_VALUES = page("return-values")
COMETD = page("cometd")

CLAUSES: tuple[Clause, ...] = (
    _clause(
        "sms.consult.endpoint",
        "MUST",
        CONSULT,
        "The operation is POST /api/v2/me/smssessions/{id} with a JSON body; {id} is the SMS session id.",
    ),
    _clause(
        "sms.consult.feature",
        "MUST",
        CONSULT,
        "It belongs to the api-multimedia feature; a user without that feature cannot use it.",
    ),
    _clause("sms.consult.param.operation", "MUST", CONSULT, "operationName is the string Consult."),
    _clause(
        "sms.consult.param.target-required",
        "MUST",
        CONSULT,
        "targetUri is mandatory when targetPath is absent and vice versa: a request with neither is rejected.",
    ),
    _clause(
        "sms.consult.param.target-uri",
        "MUST",
        CONSULT,
        "targetUri names a user (consult with that agent) or a queue (consult through that queue).",
    ),
    _clause(
        "sms.consult.param.target-path",
        "MUST",
        CONSULT,
        "targetPath is the path form of the same: a user path or a queue path.",
    ),
    _clause(
        "sms.consult.response",
        "MUST",
        CONSULT,
        "An accepted request answers {statusCode: 0, referenceId: <integer>}; the outcome comes later "
        "as notifications.",
    ),
    _clause(
        "sms.consult.notify.participants",
        "MUST",
        CONSULT,
        "First success notification: ParticipantsUpdated / SMSsessionStateChangeMessage carrying the full "
        "smssession (id, uri, state Chatting, participants, capabilities) in which the consulted agent "
        "appears as a participant of type Agent.",
    ),
    _clause(
        "sms.consult.notify.capabilities",
        "SHOULD",
        CONSULT,
        "After the consult starts, the session's capabilities include SendToAgents, "
        "SendStartTypingToAgentsNotification and SendStopTypingToAgentsNotification.",
    ),
    _clause(
        "sms.consult.notify.joined",
        "MUST",
        CONSULT,
        "Second success notification: NewMessages / MessageLogUpdated with smssessionUri and a "
        "ParticipantJoined message from the consulted agent, visibility Agents, an index continuing the "
        "log, timestamp and timestampSeconds.",
    ),
    _clause(
        "sms.consult.notify.consultant",
        "SHOULD",
        CONSULT,
        "The consulted agent is notified that it joined the session: ParticipantsUpdated and the join reach "
        "its stream too (assumed: the page prints the notifications without saying who receives them).",
    ),
    _clause(
        "sms.consult.notify.order",
        "MUST",
        CONSULT,
        "ParticipantsUpdated arrives before the NewMessages that announces the join.",
    ),
    _clause(
        "sms.consult.notify.error",
        "MUST",
        CONSULT,
        "A consult that fails yields Error / SMSsessionStateChangeMessage with an errorMessage, the "
        "referenceId the accepting response returned, and the session as it stands (consultant absent, "
        "agent-only capabilities absent).",
    ),
    _clause(
        "sms.consult.visibility",
        "MUST",
        CONSULT,
        "The customer is not made aware of the consulting agent: the join and every message from the "
        "consulting agent are visible to agents only, never delivered to the customer.",
    ),
    _clause(
        "sms.consult.followup.transfer",
        "MUST",
        CONSULT,
        "After the consult has started the originating agent can Transfer the session to the consulting agent.",
    ),
    _clause(
        "sms.consult.followup.conference",
        "MUST",
        CONSULT,
        "After the consult has started the originating agent can Conference with the consulting agent.",
    ),
    _clause("sms.consult.followup.leave", "MUST", CONSULT, "The consulting agent can Leave the session."),
    _clause(
        "sms.common.reference-id.unique",
        "MUST",
        COMETD,
        "Every accepted request gets its own referenceId, unique within the client session.",
    ),
    _clause(
        "sms.common.reference-id.echo",
        "MUST",
        COMETD,
        "An Error notification carries the referenceId of the request that failed.",
    ),
    _clause(
        "sms.common.notify.index",
        "MUST",
        COMETD,
        "Notifications of one session arrive in the order the server produced them: message index values "
        "strictly increase and never repeat.",
    ),
    _clause(
        "sms.common.notify.once",
        "SHOULD",
        COMETD,
        "Each notification reaches a client once (assumed: no page says; a repeat is reported as a warning).",
    ),
    _clause(
        "sms.common.timestamp",
        "MUST",
        COMETD,
        "timestampSeconds (milliseconds since the epoch, erratum 4) is the same instant as timestamp.",
    ),
    _clause(
        "sms.common.refusal",
        "MUST",
        RETURN_VALUES,
        "A refused request is answered with a non-zero statusCode and a statusMessage, no referenceId, "
        "never a 5xx for bad input, and changes nothing.",
    ),
    _clause(
        "sms.common.refusal.http-status",
        "SHOULD",
        RETURN_VALUES,
        "A non-zero statusCode comes with an HTTP 4xx status (assumed; the page does not fix it).",
    ),
    _clause(
        "sms.common.reference-id.match",
        "MUST",
        COMETD,
        "Where an operation's response and the notification reporting its outcome both carry a referenceId, "
        "they are the same value (referenceId links the notification to the original request).",
    ),
    _clause(
        "sms.common.reference-id.notify",
        "SHOULD",
        COMETD,
        "The notification reporting an operation's outcome carries a referenceId where the page's sample shows "
        "one (Accept, Reject, Leave), even where the page's response shows none (erratum 7).",
    ),
    _clause(
        "sms.common.capability",
        "MUST",
        RETURN_VALUES,
        "An operation the session's current capabilities do not list is refused (statusCode 2, not valid for "
        "the current state) and changes nothing: judged for each message and user data operation on a session "
        "offered to the agent (Invited), whose capabilities list only what the agent may do before accepting it.",
    ),
    _clause(
        "sms.common.capability.listed",
        "SHOULD",
        RETURN_VALUES,
        "An operation the session lists among its capabilities is not refused as not valid for the current state "
        "(statusCode 2). No page defines capabilities as what may be done now, so a list that disagrees with "
        "the server's answers is a warning: judged on the capability checks' Invited sessions.",
    ),
    *LIFECYCLE_CLAUSES,
    *MESSAGE_CLAUSES,
    *USER_DATA_CLAUSES,
)

BY_ID: dict[str, Clause] = {clause.id: clause for clause in CLAUSES}


def clause(id: str) -> Clause:
    """The clause with this ID; a KeyError names the unknown ID (a typo in a check)."""
    try:
        return BY_ID[id]
    except KeyError:
        raise KeyError(f"unknown clause ID {id!r}") from None
