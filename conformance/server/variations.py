"""Benign variations: what a correct GWS may do differently from the reference server's habits.

Each is a switch like a fault (``--gws-fault extra-fields``), but breaks no clause: the suite
must pass against every one of them (``gws-conformance selftest``). They are applied where the
server's output leaves it: REST bodies in :func:`vary_body`, notifications in
:func:`vary_notification` and :class:`Jitter`, connect answers in the Bayeux server.
"""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import Callable
from typing import Any

from conformance.server.faults import FaultSet, define_benign

EXTRA_FIELDS = define_benign(
    "extra-fields", "unknown extra fields in every response, notification, session, participant and message"
)
KEY_ORDER = define_benign("key-order", "every JSON object with its keys in reverse order, capabilities reversed")
SPLIT_CONNECTS = define_benign("split-connects", "each /meta/connect answer carries at most one notification")
BATCHED_CONNECTS = define_benign(
    "batched-connects", "a /meta/connect waits 20 ms to answer several notifications in one batch"
)
OTHER_SESSIONS = define_benign(
    "other-sessions-interleaved", "each SMS notification is followed by one about another session of the same agent"
)
JITTER = define_benign("jitter", "each notification is delivered after a random 0-50 ms, in order")
# The open points of sms-pages.md ("what the pages leave open"): who receives an agent's own
# messages, participant order, extra notifications, and a synchronous refusal where the Consult
# page shows an asynchronous Error.
# Readings of the pages that a server built from them may take (strict ones: the suite's own
# requests must satisfy them).
CSRF_ON_COMETD = define_benign(
    "csrf-on-every-post",
    "the CSRF header is required on every POST, CometD's included (the CSRF page: all requests that modify data)",
)
ACCEPT_NICKNAME_REQUIRED = define_benign(
    "accept-nickname-required",
    "Accept without nickname is refused (statusCode 1): the Accept page lists it and marks only saveLAR optional",
)
PROBE_AS_A_PHONE = define_benign(
    "probe-as-a-phone",
    "the customer probe prints only what a phone shows (schemas/probe/customer-phone.json): direction, type, "
    "content, the sender's nickname and time; no participantId, no index",
)
STRICT = define_benign(
    "strict",
    "the strict reference server: every strict reading at once, the CSRF header on every POST (CometD's "
    "included) and every field a page lists without marking it optional (of those the suite omits elsewhere: "
    "Accept's nickname); the suite's own requests must all be taken",
    implies=("csrf-on-every-post", "accept-nickname-required"),
)
TRANSFER_OFFERED_INVITED = define_benign(
    "transfer-offered-invited",
    "a transferred session is offered to its target Invited (StatusChange), as every SMS session reaches an "
    "agent; the target's Accept makes it Chatting (no page documents Transfer's outcome)",
)
FEATURE_ONLY_ON_OPERATIONS = define_benign(
    "feature-only-on-operations",
    "a user without api-multimedia may still read its (empty) session list: the resource page's GETs need "
    "api-multimedia-chat, the operations api-multimedia",
)
NO_ECHO_TO_SENDER = define_benign(
    "no-echo-to-sender",
    "an agent receives no notification of the messages it sends itself (typing, SendMessage, SendToAgents)",
)
TYPING_TO_OTHERS = define_benign(
    "typing-to-others-only", "typing notifications reach the other agents of the session, not the agent that types"
)
UNRELATED_IN_SESSION = define_benign(
    "unrelated-in-session",
    "a consult's and an accept's notifications come with "
    "others about the same session: PropertiesUpdated "
    "between ParticipantsUpdated and the join (for Accept, "
    "between StatusChange and ParticipantsUpdated), then the "
    "consulted agent's typing",
)
PARTICIPANTS_REVERSED = define_benign("participants-reversed", "participants listed in reverse order")
ORIGINATOR_LAST = define_benign(
    "originator-listed-last", "the agent that owns the session is listed after every other participant"
)
SYNC_TARGET_REFUSAL = define_benign(
    "sync-refusal-of-unavailable-target",
    "a Consult whose target is unknown or unavailable is refused in the response "
    "(statusCode 2, HTTP 400) instead of failing later with an Error notification",
)
ACCEPT_IN_PIECES = define_benign(
    "accept-history-in-pieces",
    "Accept's StatusChange lists the participants (the page's sample lists none) and "
    "the history comes as one NewMessages per message",
)
BARE_RESPONSES = define_benign(
    "bare-responses",
    'operations whose page shows a bare {"statusCode": 0} (Accept, Reject, Complete, '
    "Leave, Transfer, Intrude) answer without a referenceId; their notifications keep it",
)
LEFT_THEN_COMPLETED = define_benign(
    "leave-left-then-completed",
    "an agent leaving a conference or consultation gets StatusChange LeftChat, then "
    "Completed (the GWS 8.5.2 Leave page prints both samples one after the other)",
)

BATCH_WINDOW_SECONDS = 0.02
JITTER_SECONDS = 0.05
EXTENSION = {"x-vendor-extension": {"benign": True}}
OTHER_SESSION_ID = "0000UnrelatedSession"


def _with_extras(value: Any) -> Any:
    """Extra fields on every object of a GWS body (but not inside lists of plain values)."""
    if isinstance(value, dict):
        return {**{k: _with_extras(v) for k, v in value.items()}, **EXTENSION}
    if isinstance(value, list):
        return [_with_extras(v) for v in value]
    return value


def _reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


def vary_body(body: Any, faults: FaultSet) -> Any:
    """A REST or notification body as the switched-on variations shape it."""
    if EXTRA_FIELDS in faults:
        body = _with_extras(body)
    if KEY_ORDER in faults:
        body = _reordered(body)
        session = body.get("smssession") if isinstance(body, dict) else None
        if isinstance(session, dict) and isinstance(session.get("capabilities"), list):
            session["capabilities"] = list(reversed(session["capabilities"]))
    return body


def _about_another_session(data: dict[str, Any]) -> dict[str, Any]:
    other = copy.deepcopy(data)
    if isinstance(other.get("smssession"), dict):
        other["smssession"]["id"] = OTHER_SESSION_ID
    if isinstance(other.get("smssessionUri"), str):
        other["smssessionUri"] = other["smssessionUri"].rsplit("/", 1)[0] + "/" + OTHER_SESSION_ID
    return other


def vary_notification(data: dict[str, Any], faults: FaultSet) -> list[dict[str, Any]]:
    """The notifications to publish for ``data``: itself, varied, and maybe one about another session."""
    varied = vary_body(data, faults)
    return [varied, _about_another_session(varied)] if OTHER_SESSIONS in faults else [varied]


class OrderedDelays:
    """Delivers each user's notifications later than published, never out of their order."""

    def __init__(self, seed: int | None = None) -> None:
        self.random = random.Random(seed)
        self._last: dict[str, float] = {}

    def schedule(self, username: str, deliver: Callable[[], None], delay: float) -> None:
        loop = asyncio.get_running_loop()
        at = max(loop.time() + delay, self._last.get(username, 0.0) + 1e-6)
        self._last[username] = at
        loop.call_at(at, deliver)

    def jitter(self) -> float:
        return self.random.uniform(0, JITTER_SECONDS)
