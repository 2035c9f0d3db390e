"""The documented operations of the reference server's SMS sessions, one method each, and the
table that says how each reads its parameters and runs (:data:`HANDLERS`).

:class:`Operations` is a mixin of :class:`conformance.server.domain.Operations`: its methods use
the domain's session views, message log and target resolution (``self._log``, ``self._to_agents``,
``self._pick_agent`` ...) and append the notifications they cause to the request, in send order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.server import domain_faults as broken
from conformance.server.directory import resolve_target
from conformance.server.message_operations import MESSAGE_HANDLERS, MessageOperations
from conformance.server.requests import (
    Handler,
    Request,
    invalid,
    missing,
    no_params,
    optional_param,
    string_param,
)
from conformance.server.sessions import (
    AGENT_ONLY_CAPABILITIES,
    Participant,
    Role,
    Status,
)
from conformance.server.variations import (
    ACCEPT_IN_PIECES,
    ACCEPT_NICKNAME_REQUIRED,
    LEFT_THEN_COMPLETED,
    TRANSFER_OFFERED_INVITED,
    UNRELATED_IN_SESSION,
)


class Operations(MessageOperations):
    """The operations' side of :class:`~conformance.server.domain.SmsDomain` (see the module)."""

    def _target_param(self, body: dict[str, Any]) -> str:
        """targetUri, else targetPath (Consult and Invite pages): one is mandatory."""
        invite = body["operationName"] != "Consult"
        present = [name for name in ("targetUri", "targetPath") if name in body]
        if (broken.INVITE_PATH_IGNORED if invite else broken.PATH_IGNORED) in self.faults:
            present = [name for name in present if name != "targetPath"]
        if not present:
            if (broken.INVITE_WITHOUT_TARGET if invite else broken.NO_TARGET_ACCEPTED) in self.faults:
                return ""
            raise missing("targetUri or targetPath")
        values = [string_param(body, name) for name in present]  # each present target is checked
        if "targetPath" in present and not body["targetPath"].startswith("/"):
            raise invalid("targetPath must be a path such as /users/<id>")
        return values[0]

    def _error(self, request: Request, message: str) -> None:
        reference_id = request.reference_id + (1 if broken.REFERENCE_MISMATCH in self.faults else 0)
        data = self._state_change(request.session, request.username, "Error")
        data.update(errorMessage=message, referenceId=reference_id)
        if broken.ERROR_KEEPS_CAPABILITIES in self.faults:
            data["smssession"]["capabilities"] += [
                c for c in AGENT_ONLY_CAPABILITIES if c not in data["smssession"]["capabilities"]
            ]
        if broken.ERROR_WITHOUT_SESSION in self.faults:
            del data["smssession"]
        request.notifications.append((request.username, data))

    # --- the operations ------------------------------------------------------------------------------

    def _consult(self, request: Request, reference: str) -> None:
        session = request.session
        account, why = self._pick_agent(session, reference)
        if account is None:
            self._error(request, f"Operation failed: {why}")
            return
        consultant = Participant(self._new_id(), account.nickname, Role.CONSULTANT, account)
        session.participants.append(consultant)
        public = broken.JOIN_PUBLIC in self.faults
        joined = self._log(session, "ParticipantJoined", consultant, "All" if public else "Agents")
        if broken.INDEX_REUSED in self.faults:
            joined.index -= 1
        for participant in session.agents():
            name = participant.username
            if broken.CONSULTANT_NOT_NOTIFIED in self.faults and name == account.username:
                continue
            announcement = self._new_messages(session, [joined])
            sequence = [self._state_change(session, name, "ParticipantsUpdated"), announcement]
            if UNRELATED_IN_SESSION in self.faults:
                sequence.insert(1, self._state_change(session, name, "PropertiesUpdated"))
            if broken.JOIN_MISSING in self.faults:
                sequence.remove(announcement)
            if broken.JOIN_DUPLICATED in self.faults:
                sequence.append(announcement)
            if broken.SWAPPED in self.faults or (broken.SWAPPED_UNDER_LOAD in self.faults and self._busy()):
                sequence.reverse()
            request.notifications += [(name, data) for data in sequence]
        if UNRELATED_IN_SESSION in self.faults:
            typing = self._log(session, "TypingStarted", consultant, "Agents")
            self._to_agents(request, lambda u: self._new_messages(session, [typing]))

    def _target_participant(
        self, request: Request, reference: str, reuse: tuple[Role, ...], new_role: Role
    ) -> Participant | None:
        """Whom an Invite or Transfer targets: the agent already in the session in one of the
        ``reuse`` roles, else the available agent the target names, added with ``new_role``;
        None, after an Error notification, when there is nobody."""
        session = request.session
        target = resolve_target(self.directory, reference)
        if target is not None and target.agent is not None:
            present = session.participant_of(target.agent.username)
            if present is not None and present.active and present.role in reuse:
                return present
        account, why = self._pick_agent(session, reference)
        if account is None:
            self._error(request, f"Operation failed: {why}")
            return None
        newcomer = Participant(self._new_id(), account.nickname, new_role, account)
        session.participants.append(newcomer)
        return newcomer

    def _invite(self, request: Request, reference: str) -> None:
        """Invite/Conference: a consultant already in the session is conferenced in; another agent
        joins. Either way the join is visible to All: the customer sees conference members."""
        session = request.session
        target = resolve_target(self.directory, reference) if reference else None
        if broken.INVITE_QUEUE_FAILS in self.faults and target is not None and target.queue is not None:
            self._error(request, f"Operation failed: queue {target.queue.name} failed")
            return
        member = self._target_participant(request, reference, (Role.CONSULTANT,), Role.CONFERENCE)
        if member is None:
            return
        if member.role is Role.CONSULTANT:
            if broken.CONFERENCE_FAILS in self.faults:
                self._error(request, "Operation failed: conference not possible")
                return
            member.role = Role.CONFERENCE
        hidden = broken.INVITE_JOIN_AGENTS_ONLY in self.faults
        joined = self._log(session, "ParticipantJoined", member, "Agents" if hidden else "All")
        if broken.INVITE_INDEX_REUSED in self.faults:
            joined.index -= 1
        joined.to_customer = broken.INVITE_HIDDEN not in self.faults
        for participant in session.agents():
            name = participant.username
            sequence = [self._state_change(session, name, "ParticipantsUpdated"), self._new_messages(session, [joined])]
            if broken.INVITE_SWAPPED in self.faults:
                sequence.reverse()
            request.notifications += [(name, data) for data in sequence]

    def _transfer(self, request: Request, params: TransferParams) -> None:
        """The chat page's Transfer: the text (if any) goes to the customer first, then the
        target takes the session over and the requester leaves it."""
        session = request.session
        if not params.reference:  # only under the transfer-without-target fault
            return
        if broken.TRANSFER_USER_IGNORED in self.faults:
            target = resolve_target(self.directory, params.reference)
            if target is not None and target.agent and session.participant_of(target.agent.username) is None:
                return
        if params.text and broken.TRANSFER_TEXT_DROPPED not in self.faults:
            text = self._log(session, params.message_type, request.me, "All", text=params.text)
            self._to_agents(request, lambda u: self._new_messages(session, [text]))
        new_owner = self._target_participant(
            request, params.reference, (Role.CONSULTANT, Role.CONFERENCE), Role.CONSULTANT
        )
        if new_owner is None:
            return
        known_to_customer = new_owner.role is Role.CONFERENCE
        new_owner.role = Role.OWNER
        if broken.TRANSFER_KEEPS_OWNER in self.faults:
            request.notifications.append(
                (request.username, self._state_change(session, request.username, reference_id=request.reference_id))
            )
            return
        self._depart(request, request.me, "All")
        if TRANSFER_OFFERED_INVITED in self.faults:
            # Offered as every SMS session reaches an agent: Invited, until its Accept (which logs
            # its join).
            new_owner.invited = True
            offered_to = new_owner.username
            request.notifications.append((offered_to, self._state_change(session, offered_to)))
            return
        if not known_to_customer:
            joined = self._log(session, "ParticipantJoined", new_owner, "All")
            self._to_agents(request, lambda u: self._new_messages(session, [joined]))

    def _leave(self, request: Request) -> None:
        """The Leave page's two cases. In a conference or consultation (another agent stays) the
        leaver's session is Completed and the session goes on for the customer. Alone with the
        customer, the session ends for the customer and the leaver's is LeftChat: it keeps the
        session to update user data and set a disposition."""
        leaver = request.me
        if broken.LEAVE_WRONG in self.faults and leaver.role is Role.CONSULTANT:
            leaver = next(p for p in request.session.agents() if p.role is Role.OWNER)
        visibility = "Agents" if leaver.role is Role.CONSULTANT else "All"
        if any(p is not leaver for p in request.session.agents()):
            leaver.left_state = "LeftChat" if broken.LEAVE_CONFERENCE_LEFT_CHAT in self.faults else "Completed"
            if LEFT_THEN_COMPLETED in self.faults:
                left = self._state_change(request.session, request.username, reference_id=request.reference_id)
                left["smssession"]["state"] = "LeftChat"
                request.notifications.append((request.username, left))
        else:
            leaver.wrap_up = broken.LEAVE_NO_WRAP_UP not in self.faults
            if broken.LEAVE_ALONE_COMPLETED in self.faults:
                leaver.left_state, leaver.wrap_up = "Completed", False
            visibility = "All"
        self._depart(request, leaver, visibility)

    def _depart(self, request: Request, leaver: Participant, visibility: str) -> None:
        """``leaver`` leaves: a StatusChange to it (its state: ``leaver.left_state``), ParticipantsUpdated
        and ParticipantLeft to the agents who stay; the last agent leaving completes the session
        unless it stays to wrap up (then the customer sees it leave)."""
        session = request.session
        leaver.active = False
        if not session.agents() and not leaver.wrap_up:
            session.status = Status.COMPLETED
        left_name = leaver.username
        request.notifications.append(
            (
                left_name,
                self._state_change(
                    session, left_name, reference_id=request.reference_id if left_name == request.username else None
                ),
            )
        )
        if session.status is Status.COMPLETED:
            return
        left = self._log(session, "ParticipantLeft", leaver, visibility)
        if broken.LEAVE_COMPLETES_THE_STAYING in self.faults:
            for staying in session.agents():
                told = self._state_change(session, staying.username)
                told["smssession"]["state"] = Status.COMPLETED.value
                request.notifications.append((staying.username, told))
        self._to_agents(request, lambda u: self._state_change(session, u, "ParticipantsUpdated"))
        self._to_agents(request, lambda u: self._new_messages(session, [left]))

    def _complete(self, request: Request, queue_name: str | None) -> None:
        """The session ends for everyone in it (and the requester, if it was wrapping up). Where
        ``queueName`` places the interaction no agent can see, so it is validated and not kept."""
        session = request.session
        told = [p.username for p in session.agents()]
        told += [request.username] if request.username not in told else []
        request.me.wrap_up = False
        if broken.COMPLETE_STILL_OPEN not in self.faults:
            session.status = Status.COMPLETED
        if broken.COMPLETE_SILENT in self.faults:
            return
        for name in told:
            data = self._state_change(
                session, name, reference_id=request.reference_id if name == request.username else None
            )
            data["smssession"]["state"] = Status.COMPLETED.value  # what it says even under complete-session-stays-open
            request.notifications.append((name, data))

    def _accept(self, request: Request, nickname: str | None) -> None:
        """The Accept page's three notifications to the accepting agent, in order: StatusChange
        (Chatting, nobody listed yet, as the sample shows), ParticipantsUpdated, and NewMessages
        with the history up to its join; the agents already in the session see it join."""
        session, me = request.session, request.me
        if nickname and broken.ACCEPT_NICKNAME_IGNORED not in self.faults:
            me.nickname = nickname
        me.invited = False
        session.status = Status.CHATTING
        status = self._state_change(
            session,
            request.username,
            reference_id=request.reference_id + (1 if broken.ACCEPT_REFERENCE_MISMATCH in self.faults else 0),
        )
        if ACCEPT_IN_PIECES not in self.faults:
            status["smssession"]["participants"] = []
        if broken.ACCEPT_STILL_INVITED in self.faults:
            status["smssession"]["state"] = Status.INVITED.value
        updated = self._state_change(session, request.username, "ParticipantsUpdated")
        if broken.ACCEPT_CAPABILITIES_SHORT in self.faults:
            for snapshot in (status["smssession"], updated["smssession"]):
                snapshot["capabilities"] = [c for c in snapshot["capabilities"] if not c.startswith("Send")]
        if broken.ACCEPT_AGENT_UNLISTED in self.faults:
            updated["smssession"]["participants"] = [
                p for p in updated["smssession"]["participants"] if p["type"] == "Customer"
            ]
        visibility = {"Monitor": None, "Coach": "Agents"}.get(me.mode, "All") if me.role is Role.SUPERVISOR else "All"
        joined = self._log(session, "ParticipantJoined", me, visibility) if visibility else None
        history = [joined] if broken.ACCEPT_NO_HISTORY in self.faults and joined else list(session.messages)
        pieces = [[m] for m in history] if ACCEPT_IN_PIECES in self.faults else [history]
        sequence = [status, updated, *(self._new_messages(session, piece) for piece in pieces)]
        if broken.ACCEPT_REORDERED in self.faults:
            sequence[:2] = sequence[1::-1]
        if UNRELATED_IN_SESSION in self.faults:
            sequence.insert(1, self._state_change(session, request.username, "PropertiesUpdated"))
        request.notifications += [(request.username, data) for data in sequence]
        if joined is not None:
            self._to_agents(request, lambda u: self._new_messages(session, [joined]), except_for=request.username)

    def _reject(self, request: Request) -> None:
        request.session.status = Status.COMPLETED
        request.me.active = request.me.invited = False
        reference_id = None if broken.REJECT_WITHOUT_REFERENCE in self.faults else request.reference_id
        if reference_id is not None and broken.REJECT_REFERENCE_MISMATCH in self.faults:
            reference_id += 1
        data = self._state_change(request.session, request.username, reference_id=reference_id)
        data["smssession"]["participants"] = []  # the Reject page's sample: a Completed session, nobody in it
        if broken.REJECT_STILL_INVITED in self.faults:
            data["smssession"]["state"] = Status.INVITED.value
        request.notifications.append((request.username, data))


def _save_lar(body: dict[str, Any], unchecked: bool) -> None:
    """saveLAR (Accept and Complete pages): optional, true or false."""
    if not unchecked:
        optional_param(body, "saveLAR", bool, "true or false")


def _accept_params(domain: Operations, body: dict[str, Any]) -> str | None:
    _save_lar(body, broken.ACCEPT_SAVE_LAR_UNCHECKED in domain.faults)
    if "nickname" not in body and ACCEPT_NICKNAME_REQUIRED in domain.faults:
        raise missing("nickname")
    return optional_param(body, "nickname", str, "a non-empty string")


def _complete_params(domain: Operations, body: dict[str, Any]) -> str | None:
    _save_lar(body, broken.COMPLETE_SAVE_LAR_UNCHECKED in domain.faults)
    if "queueName" in body and broken.COMPLETE_QUEUE_REFUSED in domain.faults:
        raise invalid("unknown parameter queueName")
    return optional_param(body, "queueName", str, "a non-empty string")


@dataclass(frozen=True)
class TransferParams:
    reference: str  # a target uri or path; a queueName becomes its queue's path
    text: str | None = None
    message_type: str = "Text"


def _transfer_params(domain: Operations, body: dict[str, Any]) -> TransferParams:
    """The chat page's Transfer: targetUri or queueName (targetPath too, as every SMS target
    takes it); text optional; messageType and treatAs (Normal or System) only with text."""
    present = [name for name in ("targetUri", "targetPath", "queueName") if name in body]
    if broken.TRANSFER_QUEUE_NAME_REFUSED in domain.faults:
        present = [name for name in present if name != "queueName"]
    if not present:
        if broken.TRANSFER_WITHOUT_TARGET in domain.faults:
            return TransferParams("")
        raise missing("targetUri or queueName")
    values = {name: string_param(body, name) for name in present}
    text = optional_param(body, "text", str, "a non-empty string")
    for name in ("messageType", "treatAs"):
        if name in body and text is None:
            raise invalid(f"{name} is only taken together with text")
    message_type = optional_param(body, "messageType", str, "a non-empty string") or "Text"
    if body.get("treatAs", "Normal") not in ("Normal", "System"):
        raise invalid("treatAs must be Normal or System")
    if "queueName" in values and len(values) == 1:
        queue = next((q for q in domain.directory.queues.values() if q.name == values["queueName"]), None)
        reference = queue.queue_path if queue else f"/queues/unknown-{values['queueName']}"
    else:
        reference = values.get("targetUri") or values["targetPath"]
    return TransferParams(reference, text, message_type)


def _targeted(run: Callable[[Operations, Request, str], None]) -> Handler:
    return Handler(Operations._target_param, run)


def _silent(domain: Operations, request: Request, prepared: Any) -> None:
    """Accepted; the pages show no notification for it."""


HANDLERS: dict[str, Handler] = {
    "Consult": _targeted(Operations._consult),
    "Invite": _targeted(Operations._invite),
    "Conference": _targeted(Operations._invite),
    "Transfer": Handler(_transfer_params, Operations._transfer),
    "Leave": Handler(no_params, lambda d, r, _: d._leave(r)),
    "Complete": Handler(_complete_params, Operations._complete),
    "Accept": Handler(_accept_params, Operations._accept),
    "Reject": Handler(no_params, lambda d, r, _: d._reject(r)),
    "SetInFocus": Handler(no_params, _silent),
    **MESSAGE_HANDLERS,
}
