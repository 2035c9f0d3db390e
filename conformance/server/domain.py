"""The SMS session domain of the reference server: the documented operations, pure Python, no I/O.

The transport (:mod:`conformance.server.app`) parses HTTP and calls :class:`SmsDomain`; every
call returns what to answer and the notifications to publish, ``(username, data)`` in send
order, so ordering is decided here and only here.

Validation order of an operation (each step refuses with a GWS body and changes nothing):
1. the user lacks ``api-multimedia``: HTTP 403, statusCode 5 ("the user lacks permission"; the
   page says such a user cannot use the operation, Return Values names code 5 for that);
2. the body is not an object or has no ``operationName``: 400, statusCode 1 (missing parameter);
3. ``operationName`` is not a string or not an operation: 400, statusCode 2;
4. the session does not exist or the user never took part in it: 404, statusCode 6;
5. the operation is not among the user's current capabilities: 400, statusCode 2;
6. a required parameter is missing: 400, statusCode 1; one has the wrong type: 400, statusCode 2.
Then the request is accepted with a fresh ``referenceId`` and its outcome is notified.

Decisions where the pages are silent:
- Every accepted operation answers ``{"statusCode": 0, "referenceId": n}`` (Leave and Reject
  pages show a bare statusCode 0 while their notifications carry a referenceId: erratum 7).
- Consult with both targetUri and targetPath: targetUri is used; both are validated (a string; a
  targetPath starts with ``/``), so an invalid one is refused even beside a valid one (found by
  the fuzz suite).
- A consult fails (one Error notification to the requester, session unchanged) when the target
  names nobody, is offline, lacks api-multimedia, is already in the session, or is a queue with
  no available member; queues offer their first online member not yet in the session.
- Transfer: the target becomes the session's owner and the requester leaves (it gets
  StatusChange LeftChat with the referenceId; the others ParticipantsUpdated, then NewMessages
  with ParticipantLeft, and ParticipantJoined visible to All when the target is new to the
  customer, i.e. was not a conference member).
- Conference with the consultant is ``Invite`` of the consultant (the Invite page: the customer
  sees all conference agents); ``Conference`` is accepted as an alias but not advertised.
- Leave (the Leave page's two cases): in a conference or consultation the leaver gets StatusChange
  Completed with the referenceId, the remaining agents ParticipantsUpdated then ParticipantLeft
  (visible to Agents when a consultant leaves, since the customer never knew it); alone with the
  customer it gets StatusChange LeftChat and keeps the session to wrap up (user data, disposition,
  Complete), and the customer sees it leave.
- Accept: StatusChange (participants empty, as the sample), ParticipantsUpdated, NewMessages with
  the whole log up to the join; nickname (optional) is what the customer sees; saveLAR a boolean.
- Complete: queueName (optional) is recorded, nothing observable follows; every agent in the
  session (and a wrapping-up requester) gets StatusChange Completed.
- Transfer takes the chat page's targetUri or queueName (and targetPath), text first to the
  customer; messageType and treatAs only with text.
- Intrude (a supervisor of the agent): the supervisor is offered the session (StatusChange
  Invited); a mode is required (monitoring, which makes it optional, is not modelled).
- A consultant cannot SendMessage (not in its capabilities); its SendToAgents is Agents-only.
- SendUrl and SendCustomNotice are accepted from whoever may SendMessage, though no sample lists
  them as capabilities; each adds one message (PushUrl, CustomNotice) visible to All.
- The user data operations (Attach, Update, Delete, SetDisposition) notify every agent in the
  session (and a requester wrapping up) with PropertiesUpdated and the whole session, the
  requester's carrying the referenceId; SetDisposition without dispositionKey writes under
  ``DispositionCode`` (the page's sample; "the key configured for the server").
- GetMessages: startIndex is the index of the first message (default 1, 0 as 1), count the most
  returned (default 0: all); anything but a non-negative integer is refused (statusCode 2).
- Provisioning (test-only API) notifies the owner with StatusChange (state Invited or Chatting)
  and, for Chatting, NewMessages with the log so far.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.server import domain_faults as broken
from conformance.server import message_faults as broken_pages
from conformance.server.directory import (
    Directory,
    default_directory,
)
from conformance.server.operations import HANDLERS, Operations
from conformance.server.requests import (
    ApiError,
    Notification,
    Outcome,
    Request,
    invalid,
    missing,
)
from conformance.server.sessions import (
    SUPERVISOR_MODES,
    UNLISTED_OPERATIONS,
    Message,
    Participant,
    Role,
    SmsSession,
    Status,
)
from conformance.server.variations import (
    BARE_RESPONSES,
    FEATURE_ONLY_ON_OPERATIONS,
    PROBE_AS_A_PHONE,
    SYNC_TARGET_REFUSAL,
)

# The operations whose page shows a bare {"statusCode": 0} (under the bare-responses variation).
BARE_OPERATIONS = frozenset({"Accept", "Reject", "Complete", "Leave", "Transfer", "Intrude"})

__all__ = ["ApiError", "Directory", "Outcome", "SmsDomain", "default_directory"]


class SmsDomain(Operations):
    """The documented operations and reads, over :class:`DomainState`."""

    # --- the test-only API --------------------------------------------------------------------------

    def provision(
        self, agent: str, customer_nickname: str, phone_number: str, text: str, state: str
    ) -> tuple[dict[str, Any], list[Notification]]:
        account = self.directory.agents.get(agent)
        if account is None:
            raise ApiError(6, f"no agent {agent!r}", 404)
        if not account.has_multimedia:
            raise ApiError(2, f"agent {agent!r} lacks api-multimedia and cannot receive SMS sessions", 400)
        if state not in (Status.CHATTING.value, Status.INVITED.value):
            raise ApiError(2, "state must be Chatting or Invited", 400)
        session_id = f"0000SM{next(self._ids):010X}"
        session = SmsSession(session_id, f"{self.base_url}/api/v2/smssessions/{session_id}", Status(state))
        customer = Participant(self._new_id(), customer_nickname, Role.CUSTOMER, phone_number=phone_number)
        owner = Participant(self._new_id(), account.nickname, Role.OWNER, account)
        session.participants += [customer, owner]
        self._log(session, "ParticipantJoined", customer, "All")
        self._log(session, "Text", customer, "All", text=text)
        if session.status is Status.CHATTING:
            self._log(session, "ParticipantJoined", owner, "All")
        self._sessions[session_id] = session
        notifications: list[Notification] = [(agent, self._state_change(session, agent))]
        if session.status is Status.CHATTING:
            notifications.append((agent, self._new_messages(session, session.messages)))
        # "notifications": how many the owner is sent, so a test client can wait for them all
        return {
            "statusCode": 0,
            "id": session_id,
            "uri": session.uri,
            "notifications": len(notifications),
        }, notifications

    def customer_inbox(self, session_id: str) -> list[dict[str, Any]]:
        session = self._sessions.get(session_id)
        if session is None:
            raise ApiError(6, f"no SMS session {session_id}", 404)
        if broken.PROBE_BLIND in self.faults:
            return []
        if PROBE_AS_A_PHONE in self.faults:
            return [_as_a_phone_shows(m) for m in session.customer_received()]
        return [self._message_view(m) for m in session.customer_received()]

    def reset(self) -> None:
        self._sessions.clear()

    # --- reading -------------------------------------------------------------------------------------

    def _visible(self, username: str, session_id: str) -> SmsSession:
        session = self._sessions.get(session_id)
        # Under feature-not-enforced a user without the feature is let through to every session:
        # the missing check that should have stopped it is the only one it meets.
        unchecked = broken.FOREIGN_SESSION in self.faults or (
            broken.FEATURE_IGNORED in self.faults and not self.directory.agents[username].has_multimedia
        )
        if session is None or (session.participant_of(username) is None and not unchecked):
            raise ApiError(6, f"SMS session {session_id} not found", 404)
        return session

    def list_sessions(self, username: str) -> list[dict[str, Any]]:
        if FEATURE_ONLY_ON_OPERATIONS not in self.faults:  # the variation: the feature governs operations only
            self._account(username)
        views = [self._read_view(s, username) for s in self._sessions.values() if s.holds(username)]
        if broken_pages.LIST_WITHOUT_CAPABILITIES in self.faults:
            for view in views:
                del view["capabilities"]
        return views

    def get_session(self, username: str, session_id: str) -> dict[str, Any]:
        self._account(username)
        return self._read_view(self._visible(username, session_id), username)

    def _read_view(self, session: SmsSession, username: str) -> dict[str, Any]:
        """The session as the resource reads it (a notification's snapshot is ``_session_view``)."""
        view = self._session_view(session, username)
        if broken_pages.READ_STALE in self.faults:
            view["userData"] = {}
        return view

    def get_messages(
        self, username: str, session_id: str, start_index: str | int | None = None, count: str | int | None = None
    ) -> list[dict[str, Any]]:
        """The log from index ``startIndex`` on (default 1; 0 as 1), at most ``count`` messages (default
        0: all); both non-negative integers (page GetMessages)."""
        self._account(username)
        first, most = self._bound("startIndex", start_index), self._bound("count", count)
        session = self._visible(username, session_id)
        if broken_pages.START_INDEX_OFF_BY_ONE in self.faults and first:
            first += 1
        if broken_pages.COUNT_ZERO_EMPTY in self.faults and count is not None and most == 0:
            return []
        messages = [m for m in session.messages if m.index >= first and broken.LOG_EMPTY not in self.faults]
        if broken_pages.LOG_REVERSED in self.faults:
            messages.reverse()
        return [self._message_view(m) for m in messages[: most or None]]

    def _bound(self, name: str, raw: str | int | None) -> int:
        if raw is None:
            return 0
        if not str(raw).isdigit():
            if broken_pages.BOUNDS_UNCHECKED in self.faults:
                return 0
            raise invalid(f"{name} must be a non-negative integer")
        return int(raw)

    # --- operations ----------------------------------------------------------------------------------

    def operate(
        self, username: str, session_id: str, body: object, allocate_reference_id: Callable[[], int]
    ) -> Outcome:
        try:
            self._account(username)
            if not isinstance(body, dict) or "operationName" not in body:
                raise missing("operationName")
            operation = self._operation_name(body["operationName"])
            if broken.UNKNOWN_SESSION_ACCEPTED in self.faults and session_id not in self._sessions:
                return Outcome(200, {"statusCode": 0, "referenceId": allocate_reference_id()})
            session = self._visible(username, session_id)
            me = session.participant_of(username) or self._intruder(session, username)
            capability = UNLISTED_OPERATIONS.get(operation, operation)
            if capability not in session.capabilities_for(username) and not self._allowed_anyway(operation, session):
                raise invalid(f"{operation} is not valid in the current state of the session")
            handler = HANDLERS[operation]
            prepared = handler.prepare(self, body)
            if operation == "Consult" and SYNC_TARGET_REFUSAL in self.faults:
                _, why = self._pick_agent(session, prepared)
                if why:
                    raise invalid(f"Operation failed: {why}")
        except ApiError as refusal:
            return self._refused(refusal)
        reference_id = 1 if broken.REFERENCE_REPEATED in self.faults else allocate_reference_id()
        if broken_pages.SEND_URL_REFERENCE_REPEATED in self.faults:
            previous = self._last_reference.get((session_id, username))
            if operation == "SendUrl" and previous is not None:
                reference_id = previous
            self._last_reference[(session_id, username)] = reference_id
        request = Request(session, me, username, body, reference_id)
        handler.run(self, request, prepared)
        return Outcome(200, self._accepted(operation, reference_id), request.notifications)

    def _refused(self, refusal: ApiError) -> Outcome:
        body = refusal.body()
        if broken.HTML_PAYLOADS in self.faults:
            body["statusMessage"] += f" {broken.SCRIPT_PAYLOAD}"
        return Outcome(refusal.http_status, body)

    def _accepted(self, operation: str, reference_id: int) -> dict[str, Any]:
        """Every accepted operation answers its referenceId (a decision: see the module)."""
        response = {"statusCode": 0, "referenceId": reference_id}
        without = {"Consult": broken.RESPONSE_WITHOUT_REFERENCE, "Invite": broken.INVITE_WITHOUT_REFERENCE}
        if operation in without and without[operation] in self.faults:
            del response["referenceId"]
        if operation in BARE_OPERATIONS and BARE_RESPONSES in self.faults:
            del response["referenceId"]
        not_gws = broken.RESPONSE_NOT_GWS.get(operation) or broken_pages.RESPONSE_NOT_GWS.get(operation)
        return {"status": "OK"} if not_gws is not None and not_gws in self.faults else response

    def _allowed_anyway(self, operation: str, session: SmsSession) -> bool:
        """Under a fault, an operation is taken where the session's state does not allow it."""
        pages = {*broken_pages.POSTING_PAGES, *broken_pages.USER_DATA_PAGES}
        return (
            (operation == "Accept" and broken.ACCEPT_WHEN_CHATTING in self.faults)
            or (operation == "Reject" and broken.REJECT_WHEN_CHATTING in self.faults)
            or (
                operation in pages
                and broken_pages.CAPABILITIES_IGNORED in self.faults
                and session.status is not Status.COMPLETED
            )
        )

    def intrude(
        self, username: str, user_id: str, session_id: str, body: object, allocate_reference_id: Callable[[], int]
    ) -> Outcome:
        """A supervisor intrudes in a session the agent ``user_id`` handles (page Intrude): it is
        offered the session (StatusChange, state Invited) in the visibility mode asked for. The
        page makes the mode optional only for a supervisor monitoring the agent (page Monitor),
        which this server does not model: without a mode the request is refused."""
        try:
            supervisor = self._account(username)
            if not isinstance(body, dict) or "operationName" not in body:
                raise missing("operationName")
            if body["operationName"] != "Intrude":
                raise invalid(f"Invalid operation '{body['operationName']}'")
            agent = self.directory.by_user_id(user_id)
            if agent is None:
                raise ApiError(6, f"user {user_id} not found", 404)
            if agent.username not in supervisor.supervises:
                raise ApiError(5, f"{username} does not supervise {agent.username}", 403)
            session = self._sessions.get(session_id)
            handling = (
                session is not None
                and session.status is Status.CHATTING
                and ((p := session.participant_of(agent.username)) is not None and p.active)
            )
            if session is None or (not handling and broken.INTRUDE_ANY_SESSION not in self.faults):
                raise ApiError(6, f"{agent.username} handles no SMS session {session_id}", 404)
            mode = body.get("supervisorVisibilityMode")
            if mode is None:
                raise missing("supervisorVisibilityMode (the supervisor is not monitoring this agent)")
            if mode not in SUPERVISOR_MODES and broken.INTRUDE_MODE_UNCHECKED not in self.faults:
                raise invalid(f"supervisorVisibilityMode must be one of {', '.join(SUPERVISOR_MODES)}")
            if session.holds(username):
                raise invalid("the supervisor is already in this session")
        except ApiError as refusal:
            return self._refused(refusal)
        mode = mode if mode in SUPERVISOR_MODES else "Monitor"
        session.participants.append(
            Participant(self._new_id(), supervisor.nickname, Role.SUPERVISOR, supervisor, invited=True, mode=mode)
        )
        reference_id = allocate_reference_id()
        offered = self._state_change(session, username, reference_id=reference_id)
        if broken.INTRUDE_CHATTING in self.faults:
            offered["smssession"]["state"] = Status.CHATTING.value
        return Outcome(200, self._accepted("Intrude", reference_id), [(username, offered)])

    def _operation_name(self, name: object) -> str:
        if not isinstance(name, str):
            raise invalid("operationName must be a string")
        if broken.OPERATION_CASE in self.faults:
            name = next((known for known in HANDLERS if known.lower() == name.lower()), name)
        if name not in HANDLERS:
            raise invalid(f"Invalid operation '{name}'")
        return name

    def _intruder(self, session: SmsSession, username: str) -> Participant:
        """Under the foreign-session (or feature-not-enforced) fault, an outsider acts as if it owned
        the session."""
        account = self.directory.agents[username]
        intruder = Participant(self._new_id(), account.nickname, Role.OWNER, account)
        session.participants.append(intruder)
        return intruder


def _as_a_phone_shows(message: Message) -> dict[str, Any]:
    """A message as a phone shows it (schemas/probe/customer-phone.json): who wrote it as a
    direction and a name, its type, content and time; no participantId, no index."""
    sender = message.sender
    mine = sender is not None and sender.role is Role.CUSTOMER
    shown: dict[str, Any] = {"direction": "sent" if mine else "received", "type": message.type}
    if sender is not None and not mine:
        shown["nickname"] = sender.nickname
    content = {k: v for k, v in message.extra.items() if k in ("text", "url", "noticeText")}
    return {**shown, **content, "timestamp": message.view()["timestamp"]}
