"""The faults of the reference server's SMS session domain: each breaks one clause of the Consult
page or of the cross-cutting rules (conformance.spec.clauses), switched on per run
(conformance.server.faults). Kept apart from the domain so that it reads as the correct server,
with each deviation named where it is taken.
"""

from __future__ import annotations

from conformance.server import faults as fault_catalogue
from conformance.spec.pages import MESSAGE_PAGES

define = fault_catalogue.define

SWAPPED = define(
    "consult-notifications-swapped",
    "sms.consult.notify.order",
    "NewMessages (the join) is sent before ParticipantsUpdated",
)
JOIN_DUPLICATED = define(
    "consult-join-duplicated",
    "sms.common.notify.once",
    "the NewMessages that announces the join is sent twice",
    pages=("consult",),
)
JOIN_MISSING = define(
    "consult-join-missing",
    "sms.consult.notify.joined",
    "no NewMessages with ParticipantJoined follows ParticipantsUpdated",
)
JOIN_PUBLIC = define(
    "consult-join-visible-to-all",
    "sms.consult.notify.joined",
    "the consultant's ParticipantJoined has visibility All and reaches the customer",
)
NO_TARGET_ACCEPTED = define(
    "consult-without-target-accepted",
    "sms.consult.param.target-required",
    "a Consult with neither targetUri nor targetPath is accepted, then fails",
)
PATH_IGNORED = define(
    "consult-target-path-ignored",
    "sms.consult.param.target-path",
    "targetPath is ignored: a Consult by path alone is refused as missing its target",
)
QUEUE_FAILS = define(
    "consult-queue-target-fails",
    "sms.consult.param.target-uri",
    "a queue target always fails with an Error notification",
)
OPERATION_CASE = define(
    "operation-name-case-insensitive",
    "sms.consult.param.operation",
    "operationName is matched without regard to case ('consult' is accepted)",
)
REFERENCE_REPEATED = define(
    "reference-id-repeated", "sms.common.reference-id.unique", "every accepted request gets referenceId 1"
)
REFERENCE_MISMATCH = define(
    "error-reference-id-mismatch",
    "sms.common.reference-id.echo",
    "the Error notification carries the request's referenceId + 1",
    pages=("consult",),
)
RESPONSE_WITHOUT_REFERENCE = define(
    "consult-response-without-reference-id",
    "sms.consult.response",
    "an accepted Consult answers {statusCode: 0} without referenceId",
)
CAPABILITIES_MISSING = define(
    "consult-agent-capabilities-missing",
    "sms.consult.notify.capabilities",
    "the agent-only capabilities are not added while a consult goes on",
)
INDEX_REUSED = define(
    "message-index-reused",
    "sms.common.notify.index",
    "the consultant's join reuses the index of the previous message",
    pages=("consult", *MESSAGE_PAGES),  # every message page consults first: its log shows the join too
)
SECONDS_IN_SECONDS = define(
    "timestamp-seconds-in-seconds", "sms.common.timestamp", "timestampSeconds is sent in seconds, not milliseconds"
)
CONSULTANT_AS_CUSTOMER = define(
    "consultant-typed-as-customer",
    "sms.consult.notify.participants",
    "the consulted agent appears with participant type Customer",
)
CONSULTANT_NOT_NOTIFIED = define(
    "consultant-not-notified",
    "sms.consult.notify.consultant",
    "only the originator is notified of the consult, not the consultant",
)
ERROR_KEEPS_CAPABILITIES = define(
    "error-keeps-agent-only-capabilities",
    "sms.consult.notify.error",
    "the Error's session snapshot lists the agent-only capabilities",
)
HTML_PAYLOADS = define(
    "html-in-server-strings",
    "sms.consult.notify.participants",
    "server strings carry live HTML: every session snapshot has an <img onerror> state and a "
    "<script> capability, every refusal a <script> statusMessage (tests the report's escaping)",
)
# What the payloads do if a report ever renders them as markup: mark the page, for a browser test to see.
IMG_PAYLOAD = "<img src=x onerror=\"document.documentElement.dataset.pwned='img'\">"
SCRIPT_PAYLOAD = "<script>document.documentElement.dataset.pwned='script'</script>"
ERROR_WITHOUT_SESSION = define(
    "error-without-session",
    "sms.consult.notify.error",
    "the Error notification of a failed consult carries no smssession",
)
UNKNOWN_SESSION_ACCEPTED = define(
    "unknown-session-accepted",
    "sms.consult.endpoint",
    "an operation on a session id that does not exist is accepted (and does nothing)",
)
FEATURE_IGNORED = define(
    "feature-not-enforced",
    "sms.consult.feature",
    "a user without api-multimedia can operate on sessions (any session: no check stops it)",
)
FOREIGN_SESSION = define(
    "foreign-session-operable", "sms.consult.endpoint", "an agent may operate on a session it is not part of"
)
CONSULTANT_PUBLIC = define(
    "consultant-messages-visible-to-all",
    "sms.consult.visibility",
    "what the consultant sends to agents is visible to All and reaches the customer",
)
TRANSFER_KEEPS_OWNER = define(
    "transfer-keeps-originator",
    "sms.consult.followup.transfer",
    "Transfer is accepted but the originator stays in the session",
)
LEAVE_WRONG = define(
    "leave-removes-originator", "sms.consult.followup.leave", "the consultant's Leave removes the originator instead"
)
CONSULTANT_DROPPED = define(
    "consultant-messages-dropped",
    "sms.consult.visibility",
    "what the consultant sends is accepted, then neither logged nor delivered to anyone",
)
LOG_EMPTY = define(
    "message-log-empty",
    "sms.common.notify.index",
    "GET .../messages answers an empty log, whatever the notifications announced",
)
PROBE_BLIND = define(
    "customer-probe-blind",
    "sms.consult.visibility",
    "the customer probe shows nothing of the customer's phone, not even the customer's own texts",
)
# Appears only under concurrency: a plain run has fewer agents online at once than this (under ten);
# a load has two per simulated user, all online from its start to its end, so whether the fault
# shows depends on how many users the load has, not on how fast the machine turns its cycles.
LOAD_THRESHOLD = 12
SWAPPED_UNDER_LOAD = define(
    "consult-notifications-swapped-under-load",
    "sms.consult.notify.order",
    f"once more than {LOAD_THRESHOLD} agents are online at once, a Consult's NewMessages "
    "(the join) is sent before its ParticipantsUpdated",
    under_load=True,
)
CONFERENCE_FAILS = define(
    "conference-with-consultant-fails",
    "sms.consult.followup.conference",
    "Invite/Conference of the consultant fails with an Error notification",
)

# --- the session lifecycle pages (Accept, Reject, Complete, Leave, Invite, Transfer, Intrude) ----------

# A response that is no GWS answer (HTTP 200 {"status": "OK"}, no statusCode), one switch per page.
RESPONSE_NOT_GWS = {
    operation: define(
        f"{operation.lower()}-response-not-gws",
        f"sms.{operation.lower()}.response",
        f'an accepted {operation} answers HTTP 200 {{"status": "OK"}} without a statusCode',
    )
    for operation in ("Accept", "Reject", "Complete", "Leave", "Invite", "Transfer", "Intrude")
}
ACCEPT_REORDERED = define(
    "accept-notifications-reordered",
    "sms.accept.notify.order",
    "Accept's ParticipantsUpdated is sent before its StatusChange",
)
ACCEPT_STILL_INVITED = define(
    "accept-status-still-invited", "sms.accept.notify.status", "Accept's StatusChange shows the session still Invited"
)
ACCEPT_AGENT_UNLISTED = define(
    "accept-agent-not-listed", "sms.accept.notify.participants", "Accept's ParticipantsUpdated lists the customer only"
)
ACCEPT_NO_HISTORY = define(
    "accept-history-missing",
    "sms.accept.notify.history",
    "Accept's NewMessages carries the agent's join only, not the history before it",
)
ACCEPT_NICKNAME_IGNORED = define(
    "accept-nickname-ignored",
    "sms.accept.param.nickname",
    "the customer sees the agent's account nickname, not the one Accept gave",
)
ACCEPT_SAVE_LAR_UNCHECKED = define(
    "accept-save-lar-unchecked", "sms.accept.param.save-lar", 'Accept takes any saveLAR value ("yes" included)'
)
ACCEPT_WHEN_CHATTING = define(
    "accept-allowed-when-chatting", "sms.accept.state", "Accept is accepted on a session already Chatting"
)
ACCEPT_CAPABILITIES_SHORT = define(
    "accept-capabilities-without-send",
    "sms.accept.notify.capabilities",
    "after Accept the session's capabilities lack SendMessage and typing",
)
REJECT_REFERENCE_MISMATCH = define(
    "reject-reference-mismatch",
    "sms.common.reference-id.match",
    "Reject's StatusChange carries the referenceId of another request, not the Reject's",
    pages=("reject",),
)
ACCEPT_REFERENCE_MISMATCH = define(
    "accept-reference-id-mismatch",
    "sms.common.reference-id.match",
    "Accept's StatusChange carries the response's referenceId + 1",
    pages=("accept",),
)
REJECT_STILL_INVITED = define(
    "reject-status-still-invited", "sms.reject.notify.status", "Reject's StatusChange shows the session still Invited"
)
REJECT_WHEN_CHATTING = define(
    "reject-allowed-when-chatting", "sms.reject.state", "Reject is accepted on a session already Chatting (and ends it)"
)
REJECT_WITHOUT_REFERENCE = define(
    "reject-notification-without-reference-id",
    "sms.common.reference-id.notify",
    "Reject's StatusChange carries no referenceId",
    pages=("reject",),
)
COMPLETE_SILENT = define(
    "complete-not-notified", "sms.complete.notify.status", "Complete ends the session without a StatusChange"
)
COMPLETE_QUEUE_REFUSED = define(
    "complete-queue-name-refused",
    "sms.complete.param.queue-name",
    "Complete with a queueName is refused as an unknown parameter",
)
COMPLETE_SAVE_LAR_UNCHECKED = define(
    "complete-save-lar-unchecked", "sms.complete.param.save-lar", 'Complete takes any saveLAR value ("yes" included)'
)
COMPLETE_STILL_OPEN = define(
    "complete-session-stays-open",
    "sms.complete.state",
    "Complete notifies Completed, but the session still takes SendMessage",
)
LEAVE_ALONE_COMPLETED = define(
    "leave-alone-completed",
    "sms.leave.state.not-in-conference",
    "an agent alone with the customer that leaves gets Completed, not LeftChat",
)
LEAVE_NO_WRAP_UP = define(
    "leave-without-wrap-up",
    "sms.leave.state.wrap-up",
    "after leaving (LeftChat) the agent can no longer update user data",
)
LEAVE_CONFERENCE_LEFT_CHAT = define(
    "leave-conference-left-chat",
    "sms.leave.state.in-conference",
    "an agent leaving a conference gets LeftChat, never Completed",
)
LEAVE_COMPLETES_THE_STAYING = define(
    "leave-completes-staying-agent",
    "sms.leave.state.in-conference",
    "an agent leaving a conference or consultation also sends the agent who stays StatusChange Completed, "
    "while the session goes on for it",
)
INVITE_WITHOUT_TARGET = define(
    "invite-without-target-accepted",
    "sms.invite.param.target-required",
    "an Invite with neither targetUri nor targetPath is accepted, then fails",
)
INVITE_PATH_IGNORED = define(
    "invite-target-path-ignored",
    "sms.invite.param.target-path",
    "an Invite by targetPath is refused as missing its target",
)
INVITE_QUEUE_FAILS = define(
    "invite-queue-target-fails",
    "sms.invite.param.target-uri",
    "an Invite through a queue always fails with an Error notification",
)
INVITE_WITHOUT_REFERENCE = define(
    "invite-response-without-reference-id",
    "sms.invite.response",
    "an accepted Invite answers {statusCode: 0} without referenceId",
)
INVITE_SWAPPED = define(
    "invite-notifications-swapped",
    "sms.invite.notify.order",
    "Invite's NewMessages (the join) is sent before ParticipantsUpdated",
)
INVITE_AS_CUSTOMER = define(
    "invitee-typed-as-customer",
    "sms.invite.notify.participants",
    "the invited agent appears with participant type Customer",
)
INVITE_JOIN_AGENTS_ONLY = define(
    "invite-join-agents-only", "sms.invite.notify.joined", "the invited agent's ParticipantJoined has visibility Agents"
)
INVITE_INDEX_REUSED = define(
    "invite-join-index-reused",
    "sms.common.notify.index",
    "the invited agent's ParticipantJoined reuses the index of the previous message",
    pages=("invite",),
)
INVITE_HIDDEN = define(
    "invite-customer-not-told",
    "sms.invite.visibility",
    "the invited agent's join says visibility All but never reaches the customer's phone",
)
TRANSFER_WITHOUT_TARGET = define(
    "transfer-without-target-accepted",
    "sms.transfer.param.target-required",
    "a Transfer with no target is accepted and does nothing",
)
TRANSFER_USER_IGNORED = define(
    "transfer-to-user-ignored",
    "sms.transfer.param.target-uri",
    "a Transfer to a user not in the session is accepted and does nothing",
)
TRANSFER_QUEUE_NAME_REFUSED = define(
    "transfer-queue-name-refused",
    "sms.transfer.param.queue-name",
    "a Transfer by queueName is refused as missing its target",
)
TRANSFER_TEXT_DROPPED = define(
    "transfer-text-dropped", "sms.transfer.param.text", "Transfer's text never reaches the customer"
)
INTRUDE_ANY_SESSION = define(
    "intrude-any-session", "sms.intrude.endpoint", "a supervisor may intrude in a session the agent does not handle"
)
INTRUDE_MODE_UNCHECKED = define(
    "intrude-mode-unchecked",
    "sms.intrude.param.visibility-mode",
    'Intrude takes any supervisorVisibilityMode ("Spy" included)',
)
INTRUDE_CHATTING = define(
    "intrude-not-invited",
    "sms.intrude.notify.invited",
    "the supervisor's notification shows the session Chatting, not Invited",
)
