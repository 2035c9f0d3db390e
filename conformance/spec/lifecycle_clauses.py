"""The clauses of the pages that move an SMS session through its life: Accept, Reject, Complete,
Leave, Invite, Transfer and Intrude (each page read at its URL, in :mod:`conformance.spec.pages`).

Where a page is silent the clause says what was decided and that it is assumed; what no page
documents is not a clause: Transfer's notifications (the chat page's Notifications section is
empty) are shown in the transcript and never judged, and the Transfer checks judge the response
and the session lists instead.
"""

from __future__ import annotations

from conformance.spec.clause_model import Clause
from conformance.spec.clause_model import make_clause as _clause
from conformance.spec.pages import page

ACCEPT = page("accept")
REJECT = page("reject")
COMPLETE = page("complete")
LEAVE = page("leave")
INVITE = page("invite")
TRANSFER = page("transfer")
INTRUDE = page("intrude")

_OK = "An accepted request answers {statusCode: 0} (a referenceId beside it is allowed)."

LIFECYCLE_CLAUSES: tuple[Clause, ...] = (
    # --- Accept ---------------------------------------------------------------------------------------
    _clause("sms.accept.response", "MUST", ACCEPT, _OK),
    _clause(
        "sms.accept.state",
        "MUST",
        ACCEPT,
        "Accept accepts an incoming (Invited) SMS session; a session already Chatting is refused (statusCode 2, "
        "not valid for the current state).",
    ),
    _clause(
        "sms.accept.param.nickname",
        "MUST",
        ACCEPT,
        "nickname is the agent's nickname as displayed to the customer: the customer sees the agent under it. "
        "(Whether it may be left out the page does not say; that is not judged.)",
    ),
    _clause(
        "sms.accept.param.save-lar",
        "MUST",
        ACCEPT,
        "saveLAR is optional, true or false: an Accept with saveLAR true is accepted, one with any other value "
        "is refused.",
    ),
    _clause(
        "sms.accept.notify.status",
        "MUST",
        ACCEPT,
        "First notification: StatusChange / SMSsessionStateChangeMessage (erratum: the sample's messageType "
        "'test_accept ') with the session in state Chatting.",
    ),
    _clause(
        "sms.accept.notify.participants",
        "MUST",
        ACCEPT,
        "Second notification: ParticipantsUpdated listing the agent (type Agent) and the customer (type Customer).",
    ),
    _clause(
        "sms.accept.notify.history",
        "MUST",
        ACCEPT,
        "Third notification: NewMessages / MessageLogUpdated carrying the session's history up to the point of "
        "joining: the customer's ParticipantJoined and every message of the log before the agent joined.",
    ),
    _clause(
        "sms.accept.notify.order",
        "MUST",
        ACCEPT,
        "The three arrive in that order: StatusChange, ParticipantsUpdated, NewMessages.",
    ),
    _clause(
        "sms.accept.notify.capabilities",
        "SHOULD",
        ACCEPT,
        "Once Chatting the capabilities include Transfer, Complete, Leave, SendMessage, "
        "SendStartTypingNotification and SendStopTypingNotification (InFocus / SetInFocus, spelled both ways in "
        "the samples, is not required).",
    ),
    # --- Reject ---------------------------------------------------------------------------------------
    _clause("sms.reject.response", "MUST", REJECT, _OK),
    _clause(
        "sms.reject.state",
        "MUST",
        REJECT,
        "Reject refuses an incoming (Invited) SMS session; a session already Chatting cannot be rejected "
        "(assumed from the page's purpose and the capabilities: refused, the session goes on).",
    ),
    _clause(
        "sms.reject.notify.status",
        "MUST",
        REJECT,
        "The agent receives StatusChange with the session in state Completed (the sample lists no participants; "
        "the list is not judged).",
    ),
    # --- Complete -------------------------------------------------------------------------------------
    _clause("sms.complete.response", "MUST", COMPLETE, _OK),
    _clause(
        "sms.complete.notify.status",
        "MUST",
        COMPLETE,
        "The agent receives StatusChange with the session in state Completed.",
    ),
    _clause(
        "sms.complete.state",
        "MUST",
        COMPLETE,
        "Complete marks the interaction complete and ends the session for the customer: afterwards the session "
        "takes no SendMessage, and the agent's session list no longer shows it Chatting.",
    ),
    _clause(
        "sms.complete.param.queue-name",
        "MUST",
        COMPLETE,
        "queueName is optional: a Complete naming a queue is accepted and completes the session (the "
        "interaction is placed in that queue, which no agent can observe).",
    ),
    _clause(
        "sms.complete.param.save-lar",
        "MUST",
        COMPLETE,
        "saveLAR is optional, true or false: a Complete with saveLAR true is accepted, one with any other value "
        "is refused.",
    ),
    # --- Leave ----------------------------------------------------------------------------------------
    _clause("sms.leave.response", "MUST", LEAVE, _OK),
    _clause(
        "sms.leave.state.not-in-conference",
        "MUST",
        LEAVE,
        "An agent not in a conference that leaves receives StatusChange with the session in state LeftChat "
        "(a later Completed is tolerated: the 8.5.2 page prints the two samples one after the other).",
    ),
    _clause(
        "sms.leave.state.wrap-up",
        "MUST",
        LEAVE,
        "Leaving outside a conference ends the session for the customer but still allows the agent to update "
        "user data: UpdateUserData is then accepted, and Complete (in the sample's capabilities) too.",
    ),
    _clause(
        "sms.leave.state.in-conference",
        "MUST",
        LEAVE,
        "An agent in a conference or consultation that leaves receives StatusChange with state Completed; the "
        "session stays open for the customer and the other agent (its session list shows it Chatting).",
    ),
    # --- Invite ---------------------------------------------------------------------------------------
    _clause(
        "sms.invite.param.target-required",
        "MUST",
        INVITE,
        "targetUri is mandatory when targetPath is absent and vice versa: an Invite with neither is refused and "
        "adds nobody.",
    ),
    _clause(
        "sms.invite.param.target-uri",
        "MUST",
        INVITE,
        "targetUri names the user to invite or the queue to invite through (the latter needs InteractionSubtype "
        "InternalConferenceInvite configured): that agent, or one of the queue, joins.",
    ),
    _clause(
        "sms.invite.param.target-path",
        "MUST",
        INVITE,
        "targetPath is the path form of the same: the user path to invite or the queue path to invite through.",
    ),
    _clause(
        "sms.invite.response", "MUST", INVITE, "An accepted Invite answers {statusCode: 0, referenceId: <integer>}."
    ),
    _clause(
        "sms.invite.notify.participants",
        "MUST",
        INVITE,
        "First notification: ParticipantsUpdated with the session Chatting and the invited agent as a new "
        "participant of type Agent.",
    ),
    _clause(
        "sms.invite.notify.joined",
        "MUST",
        INVITE,
        "Second notification: NewMessages with the invited agent's ParticipantJoined, visibility All (the type "
        "is cut off on the SMS page; the chat page shows ParticipantJoined).",
    ),
    _clause(
        "sms.invite.notify.order",
        "MUST",
        INVITE,
        "ParticipantsUpdated arrives before the NewMessages that announces the join.",
    ),
    _clause(
        "sms.invite.visibility",
        "MUST",
        INVITE,
        "The customer is aware of the presence of all agents in the conference: the invited agent's join "
        "reaches the customer's phone.",
    ),
    # --- Transfer (the chat page; its notifications are documented nowhere) ----------------------------
    _clause("sms.transfer.response", "MUST", TRANSFER, _OK),
    _clause(
        "sms.transfer.param.target-required",
        "MUST",
        TRANSFER,
        "targetUri or queueName names where the session goes; a Transfer with neither is refused and the "
        "session stays with the agent.",
    ),
    _clause(
        "sms.transfer.param.target-uri",
        "MUST",
        TRANSFER,
        "targetUri names a user: that agent's session list then shows the session Chatting and the transferring "
        "agent's no longer does. (Transfer's notifications are documented nowhere: shown, not judged.)",
    ),
    _clause(
        "sms.transfer.param.queue-name",
        "MUST",
        TRANSFER,
        "queueName names a queue: an agent of the queue then has the session Chatting and the transferring "
        "agent no longer does.",
    ),
    _clause(
        "sms.transfer.param.text",
        "MUST",
        TRANSFER,
        "text, optional, is sent to the customer: it reaches the customer's phone.",
    ),
    # --- Intrude --------------------------------------------------------------------------------------
    _clause(
        "sms.intrude.endpoint",
        "MUST",
        INTRUDE,
        "POST /api/v2/users/{userId}/smssessions/{id} lets a supervisor intrude in an active session the agent "
        "{userId} is handling; a session that agent does not handle is refused.",
    ),
    _clause(
        "sms.intrude.param.visibility-mode",
        "MUST",
        INTRUDE,
        "supervisorVisibilityMode is Monitor, Coach or BargeIn: each is accepted, any other value is refused.",
    ),
    _clause("sms.intrude.response", "MUST", INTRUDE, _OK),
    _clause(
        "sms.intrude.notify.invited",
        "MUST",
        INTRUDE,
        "After intruding the supervisor receives a notification that the session's state changed to Invited.",
    ),
)
