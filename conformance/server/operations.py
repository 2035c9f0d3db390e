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
from conformance.server.requests import Request, invalid, missing, string_param
from conformance.server.sessions import (
    AGENT_ONLY_CAPABILITIES,
    Participant,
    Role,
    Status,
)
from conformance.server.variations import (
    NO_ECHO_TO_SENDER,
    NO_TYPING_ECHO,
    TYPING_TO_OTHERS,
    UNRELATED_IN_SESSION,
)


class Operations:
    """The operations' side of :class:`~conformance.server.domain.SmsDomain` (see the module)."""

    def _target_param(self, body: dict[str, Any]) -> str:
        """targetUri, else targetPath (sms.consult.param.target-required): one is mandatory."""
        present = [name for name in ("targetUri", "targetPath") if name in body]
        if broken.PATH_IGNORED in self.faults:
            present = [name for name in present if name != "targetPath"]
        if not present:
            if broken.NO_TARGET_ACCEPTED in self.faults:
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
            data["smssession"]["capabilities"] += [c for c in AGENT_ONLY_CAPABILITIES
                                                   if c not in data["smssession"]["capabilities"]]
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
            name = participant.account.username
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
            if broken.SWAPPED in self.faults:
                sequence.reverse()
            request.notifications += [(name, data) for data in sequence]
        if UNRELATED_IN_SESSION in self.faults:
            typing = self._log(session, "TypingStarted", consultant, "Agents")
            self._to_agents(request, lambda u: self._new_messages(session, [typing]))

    def _target_participant(self, request: Request, reference: str, reuse: tuple[Role, ...],
                            new_role: Role) -> Participant | None:
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
        """Invite/Conference: a consultant already in the session is conferenced in; another agent joins."""
        session = request.session
        member = self._target_participant(request, reference, (Role.CONSULTANT,), Role.CONFERENCE)
        if member is None:
            return
        if member.role is Role.CONSULTANT:
            if broken.CONFERENCE_FAILS in self.faults:
                self._error(request, "Operation failed: conference not possible")
                return
            member.role = Role.CONFERENCE
        joined = self._log(session, "ParticipantJoined", member, "All")
        self._to_agents(request, lambda u: self._state_change(session, u, "ParticipantsUpdated"))
        self._to_agents(request, lambda u: self._new_messages(session, [joined]))

    def _transfer(self, request: Request, reference: str) -> None:
        session = request.session
        new_owner = self._target_participant(request, reference, (Role.CONSULTANT, Role.CONFERENCE), Role.CONSULTANT)
        if new_owner is None:
            return
        known_to_customer = new_owner.role is Role.CONFERENCE
        new_owner.role = Role.OWNER
        if broken.TRANSFER_KEEPS_OWNER in self.faults:
            request.notifications.append((request.username, self._state_change(
                session, request.username, reference_id=request.reference_id)))
            return
        self._depart(request, request.me, "All")
        if not known_to_customer:
            joined = self._log(session, "ParticipantJoined", new_owner, "All")
            self._to_agents(request, lambda u: self._new_messages(session, [joined]))

    def _leave(self, request: Request) -> None:
        leaver = request.me
        if broken.LEAVE_WRONG in self.faults and leaver.role is Role.CONSULTANT:
            leaver = next(p for p in request.session.agents() if p.role is Role.OWNER)
        visibility = "Agents" if leaver.role is Role.CONSULTANT else "All"
        self._depart(request, leaver, visibility)

    def _depart(self, request: Request, leaver: Participant, visibility: str) -> None:
        """``leaver`` leaves: StatusChange LeftChat to it, ParticipantsUpdated and ParticipantLeft
        to the agents who stay; the last agent leaving completes the session."""
        session = request.session
        leaver.active = False
        if not session.agents():
            session.status = Status.COMPLETED
        left_name = leaver.account.username
        request.notifications.append((left_name, self._state_change(
            session, left_name, reference_id=request.reference_id if left_name == request.username else None)))
        if session.status is Status.COMPLETED:
            return
        left = self._log(session, "ParticipantLeft", leaver, visibility)
        self._to_agents(request, lambda u: self._state_change(session, u, "ParticipantsUpdated"))
        self._to_agents(request, lambda u: self._new_messages(session, [left]))

    def _post(self, request: Request, message_type: str, visibility: str, **extra: Any) -> None:
        if request.me.role is Role.CONSULTANT:
            if broken.CONSULTANT_DROPPED in self.faults:
                return
            if broken.CONSULTANT_PUBLIC in self.faults:
                visibility = "All"
        message = self._log(request.session, message_type, request.me, visibility, **extra)
        typing = message_type in ("TypingStarted", "TypingStopped")
        if typing and NO_TYPING_ECHO in self.faults:
            return
        sender = request.username if NO_ECHO_TO_SENDER in self.faults or (typing and TYPING_TO_OTHERS in self.faults) \
            else None
        self._to_agents(request, lambda u: self._new_messages(request.session, [message]), except_for=sender)

    def _complete(self, request: Request) -> None:
        session = request.session
        session.status = Status.COMPLETED
        for participant in session.agents():
            name = participant.account.username
            request.notifications.append((name, self._state_change(
                session, name, reference_id=request.reference_id if name == request.username else None)))

    def _accept(self, request: Request) -> None:
        session = request.session
        session.status = Status.CHATTING
        request.notifications.append((request.username, self._state_change(
            session, request.username, reference_id=request.reference_id)))
        joined = self._log(session, "ParticipantJoined", request.me, "All")
        self._to_agents(request, lambda u: self._new_messages(session, [joined]))

    def _reject(self, request: Request) -> None:
        request.session.status = Status.COMPLETED
        request.me.active = False
        data = self._state_change(request.session, request.username, reference_id=request.reference_id)
        data["smssession"]["participants"] = []  # the Reject page's sample: a Completed session, nobody in it
        request.notifications.append((request.username, data))

    def _user_data(self, request: Request, data: dict[str, Any]) -> None:
        operation = request.body["operationName"]
        if operation == "DeleteUserData":
            for key in data:
                request.session.user_data.pop(key, None)
        else:
            request.session.user_data.update(data)


@dataclass(frozen=True)
class Handler:
    """How one operation reads its parameters (``prepare``, may refuse) and runs (``run``)."""

    prepare: Callable[[Operations, dict[str, Any]], Any]
    run: Callable[[Operations, Request, Any], None]


def _no_params(domain: Operations, body: dict[str, Any]) -> None:
    return None


def _user_data_param(domain: Operations, body: dict[str, Any]) -> dict[str, Any]:
    if "userData" not in body:
        raise missing("userData")
    if not isinstance(body["userData"], dict):
        raise invalid("userData must be an object")
    return body["userData"]


def _targeted(run: Callable[[Operations, Request, str], None]) -> Handler:
    return Handler(Operations._target_param, run)


def _posting(message_type: str, visibility: str, param: str | None = None, field_name: str = "") -> Handler:
    """An operation that adds one message to the log: ``param`` of the request becomes the
    message's ``field_name`` (SendMessage's message -> a Text's text)."""
    if param is None:
        return Handler(_no_params, lambda d, r, _: d._post(r, message_type, visibility))
    return Handler(lambda d, body: string_param(body, param),
                    lambda d, r, value: d._post(r, message_type, visibility, **{field_name: value}))


def _silent(domain: Operations, request: Request, prepared: Any) -> None:
    """Accepted; the pages show no notification for it."""


HANDLERS: dict[str, Handler] = {
    "Consult": _targeted(Operations._consult),
    "Invite": _targeted(Operations._invite),
    "Conference": _targeted(Operations._invite),
    "Transfer": _targeted(Operations._transfer),
    "Leave": Handler(_no_params, lambda d, r, _: d._leave(r)),
    "Complete": Handler(_no_params, lambda d, r, _: d._complete(r)),
    "Accept": Handler(_no_params, lambda d, r, _: d._accept(r)),
    "Reject": Handler(_no_params, lambda d, r, _: d._reject(r)),
    "SendMessage": _posting("Text", "All", "message", "text"),
    "SendToAgents": _posting("Text", "Agents", "message", "text"),
    "SendUrl": _posting("PushUrl", "All", "url", "url"),
    "SendStartTypingNotification": _posting("TypingStarted", "All"),
    "SendStopTypingNotification": _posting("TypingStopped", "All"),
    "SendStartTypingToAgentsNotification": _posting("TypingStarted", "Agents"),
    "SendStopTypingToAgentsNotification": _posting("TypingStopped", "Agents"),
    "SetInFocus": Handler(_no_params, _silent),
    "SetDisposition": Handler(_no_params, _silent),
    "AttachUserData": Handler(_user_data_param, Operations._user_data),
    "UpdateUserData": Handler(_user_data_param, Operations._user_data),
    "DeleteUserData": Handler(_user_data_param, Operations._user_data),
}
