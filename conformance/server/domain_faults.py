"""The faults of the reference server's SMS session domain: each breaks one clause of the Consult
page or of the cross-cutting rules (conformance.spec.clauses), switched on per run
(conformance.server.faults). Kept apart from the domain so that it reads as the correct server,
with each deviation named where it is taken.
"""

from __future__ import annotations

from conformance.server import faults as fault_catalogue

define = fault_catalogue.define

SWAPPED = define("consult-notifications-swapped", "sms.consult.notify.order",
                 "NewMessages (the join) is sent before ParticipantsUpdated")
JOIN_DUPLICATED = define("consult-join-duplicated", "sms.common.notify.once",
                         "the NewMessages that announces the join is sent twice")
JOIN_MISSING = define("consult-join-missing", "sms.consult.notify.joined",
                      "no NewMessages with ParticipantJoined follows ParticipantsUpdated")
JOIN_PUBLIC = define("consult-join-visible-to-all", "sms.consult.notify.joined",
                     "the consultant's ParticipantJoined has visibility All and reaches the customer")
NO_TARGET_ACCEPTED = define("consult-without-target-accepted", "sms.consult.param.target-required",
                            "a Consult with neither targetUri nor targetPath is accepted, then fails")
PATH_IGNORED = define("consult-target-path-ignored", "sms.consult.param.target-path",
                      "targetPath is ignored: a Consult by path alone is refused as missing its target")
QUEUE_FAILS = define("consult-queue-target-fails", "sms.consult.param.target-uri",
                     "a queue target always fails with an Error notification")
OPERATION_CASE = define("operation-name-case-insensitive", "sms.consult.param.operation",
                        "operationName is matched without regard to case ('consult' is accepted)")
REFERENCE_REPEATED = define("reference-id-repeated", "sms.common.reference-id.unique",
                            "every accepted request gets referenceId 1")
REFERENCE_MISMATCH = define("error-reference-id-mismatch", "sms.common.reference-id.echo",
                            "the Error notification carries the request's referenceId + 1")
RESPONSE_WITHOUT_REFERENCE = define("consult-response-without-reference-id", "sms.consult.response",
                                    "an accepted Consult answers {statusCode: 0} without referenceId")
CAPABILITIES_MISSING = define("consult-agent-capabilities-missing", "sms.consult.notify.capabilities",
                              "the agent-only capabilities are not added while a consult goes on")
INDEX_REUSED = define("message-index-reused", "sms.common.notify.index",
                      "the consultant's join reuses the index of the previous message")
SECONDS_IN_SECONDS = define("timestamp-seconds-in-seconds", "sms.common.timestamp",
                            "timestampSeconds is sent in seconds, not milliseconds")
CONSULTANT_AS_CUSTOMER = define("consultant-typed-as-customer", "sms.consult.notify.participants",
                                "the consulted agent appears with participant type Customer")
CONSULTANT_NOT_NOTIFIED = define("consultant-not-notified", "sms.consult.notify.consultant",
                                 "only the originator is notified of the consult, not the consultant")
ERROR_KEEPS_CAPABILITIES = define("error-keeps-agent-only-capabilities", "sms.consult.notify.error",
                                  "the Error's session snapshot lists the agent-only capabilities")
HTML_PAYLOADS = define("html-in-server-strings", "sms.consult.notify.participants",
                       "server strings carry live HTML: every session snapshot has an <img onerror> state and a "
                       "<script> capability, every refusal a <script> statusMessage (tests the report's escaping)")
# What the payloads do if a report ever renders them as markup: mark the page, for a browser test to see.
IMG_PAYLOAD = "<img src=x onerror=\"document.documentElement.dataset.pwned='img'\">"
SCRIPT_PAYLOAD = "<script>document.documentElement.dataset.pwned='script'</script>"
ERROR_WITHOUT_SESSION = define("error-without-session", "sms.consult.notify.error",
                               "the Error notification of a failed consult carries no smssession")
UNKNOWN_SESSION_ACCEPTED = define("unknown-session-accepted", "sms.consult.endpoint",
                                  "an operation on a session id that does not exist is accepted (and does nothing)")
FEATURE_IGNORED = define("feature-not-enforced", "sms.consult.feature",
                         "a user without api-multimedia can operate on sessions")
FOREIGN_SESSION = define("foreign-session-operable", "sms.consult.endpoint",
                         "an agent may operate on a session it is not part of")
CONSULTANT_PUBLIC = define("consultant-messages-visible-to-all", "sms.consult.visibility",
                           "what the consultant sends to agents is visible to All and reaches the customer")
TRANSFER_KEEPS_OWNER = define("transfer-keeps-originator", "sms.consult.followup.transfer",
                              "Transfer is accepted but the originator stays in the session")
LEAVE_WRONG = define("leave-removes-originator", "sms.consult.followup.leave",
                     "the consultant's Leave removes the originator instead")
CONSULTANT_DROPPED = define("consultant-messages-dropped", "sms.consult.visibility",
                            "what the consultant sends is accepted, then neither logged nor delivered to anyone")
LOG_EMPTY = define("message-log-empty", "sms.common.notify.index",
                   "GET .../messages answers an empty log, whatever the notifications announced")
PROBE_BLIND = define("customer-probe-blind", "sms.consult.visibility",
                     "the customer probe shows nothing of the customer's phone, not even the customer's own texts")
CONFERENCE_FAILS = define("conference-with-consultant-fails", "sms.consult.followup.conference",
                          "Invite/Conference of the consultant fails with an Error notification")
