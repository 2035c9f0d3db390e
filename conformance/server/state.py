"""The state of the reference server's SMS domain and the primitives every page's operations use:
people and their availability, ids and the clock, the views a notification carries, the message
log, and who is notified. :class:`DomainState` is the base of the operations' classes
(:mod:`conformance.server.message_operations`, :mod:`conformance.server.operations`) and of
:class:`conformance.server.domain.SmsDomain`, so each states what it uses and mypy checks it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from conformance.server import domain_faults as broken
from conformance.server import message_faults as broken_pages
from conformance.server.directory import AgentAccount, Directory, Queue, default_directory, resolve_target
from conformance.server.faults import FaultSet
from conformance.server.requests import ApiError, Request
from conformance.server.sessions import AGENT_ONLY_CAPABILITIES, Message, Participant, Role, SmsSession, Status
from conformance.server.variations import ORIGINATOR_LAST, PARTICIPANTS_REVERSED


class DomainState:
    def __init__(
        self, directory: Directory | None = None, faults: FaultSet | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.directory = directory or default_directory()
        self.faults = faults or FaultSet()
        self.clock = clock
        self.base_url = "http://localhost"
        self._sessions: dict[str, SmsSession] = {}
        self._online: set[str] = set()
        self._ids = itertools.count(1)
        # (session, agent) -> its last referenceId there; kept only for send-url-reference-id-repeated
        self._last_reference: dict[tuple[str, str], int] = {}

    # --- people ---------------------------------------------------------------------------------

    def set_online(self, username: str, online: bool) -> None:
        (self._online.add if online else self._online.discard)(username)

    def _account(self, username: str) -> AgentAccount:
        account = self.directory.agents[username]
        if not account.has_multimedia and broken.FEATURE_IGNORED not in self.faults:
            raise ApiError(5, "The user does not have the api-multimedia feature", 403)
        return account

    def _new_id(self, width: int = 16) -> str:
        return f"{next(self._ids):0{width}X}"

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _busy(self) -> bool:
        """More agents online at once than a plain run ever has (consult-notifications-swapped-under-load)."""
        return len(self._online) > broken.LOAD_THRESHOLD

    # --- targets ---------------------------------------------------------------------------------------

    def _available(self, account: AgentAccount, session: SmsSession) -> bool:
        current = session.participant_of(account.username)
        return account.username in self._online and account.has_multimedia and (current is None or not current.active)

    def _pick_agent(self, session: SmsSession, reference: str) -> tuple[AgentAccount | None, str]:
        """The agent a target names, or None and why the operation fails."""
        target = resolve_target(self.directory, reference) if reference else None
        if target is None:
            return None, f"Target {reference or '(none)'} is unknown"
        if target.queue is not None:
            return self._pick_from_queue(session, target.queue)
        if target.agent is None or not self._available(target.agent, session):
            return None, f"Agent {target.agent and target.agent.nickname} is not available"
        return target.agent, ""

    def _pick_from_queue(self, session: SmsSession, queue: Queue) -> tuple[AgentAccount | None, str]:
        if broken.QUEUE_FAILS in self.faults:
            return None, f"Queue {queue.name} failed"
        for username in queue.members:
            account = self.directory.agents.get(username)
            if account is not None and self._available(account, session):
                return account, ""
        return None, f"No agent of queue {queue.name} is available"

    # --- notifications -------------------------------------------------------------------------------

    def _session_view(self, session: SmsSession, username: str) -> dict[str, Any]:
        view = session.view_for(username)
        if broken_pages.CAPABILITIES_OVERSTATED in self.faults and view["state"] == Status.INVITED.value:
            view["capabilities"] = [*view["capabilities"], *broken_pages.POSTING_PAGES, *broken_pages.USER_DATA_PAGES]
        if broken.CAPABILITIES_MISSING in self.faults:
            view["capabilities"] = [c for c in view["capabilities"] if c not in AGENT_ONLY_CAPABILITIES]
        if broken.HTML_PAYLOADS in self.faults:
            view["state"] = broken.IMG_PAYLOAD
            view["capabilities"] = [*view["capabilities"], broken.SCRIPT_PAYLOAD]
        as_customer = {Role.CONSULTANT} if broken.CONSULTANT_AS_CUSTOMER in self.faults else set()
        as_customer |= {Role.CONFERENCE} if broken.INVITE_AS_CUSTOMER in self.faults else set()
        if as_customer:
            consultants = {p.participant_id for p in session.participants if p.role in as_customer}
            for participant in view["participants"]:
                if participant["participantId"] in consultants:
                    participant["type"] = "Customer"
        if PARTICIPANTS_REVERSED in self.faults:
            view["participants"].reverse()
        if ORIGINATOR_LAST in self.faults:
            owners = {p.participant_id for p in session.participants if p.role is Role.OWNER}
            view["participants"].sort(key=lambda p: p["participantId"] in owners)
        return view

    def _message_view(self, message: Message) -> dict[str, Any]:
        return message.view(seconds_field_in_seconds=broken.SECONDS_IN_SECONDS in self.faults)

    def _state_change(
        self,
        session: SmsSession,
        username: str,
        notification_type: str = "StatusChange",
        reference_id: int | None = None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "notificationType": notification_type,
            "messageType": "SMSsessionStateChangeMessage",
            "smssession": self._session_view(session, username),
        }
        if reference_id is not None:
            data["referenceId"] = reference_id
        return data

    def _new_messages(self, session: SmsSession, messages: list[Message]) -> dict[str, Any]:
        return {
            "messages": [self._message_view(m) for m in messages],
            "notificationType": "NewMessages",
            "messageType": "MessageLogUpdated",
            "smssessionUri": session.uri,
        }

    def _log(
        self, session: SmsSession, message_type: str, sender: Participant | None, visibility: str, **extra: Any
    ) -> Message:
        message = Message(session.next_index(), message_type, sender, visibility, self._now_ms(), extra)
        session.messages.append(message)
        return message

    def _to_agents(
        self, request: Request, make: Callable[[str], dict[str, Any]], *, except_for: str | None = None
    ) -> None:
        for participant in request.session.agents():
            username = participant.username
            if username != except_for:
                request.notifications.append((username, make(username)))
