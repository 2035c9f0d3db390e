"""The operations of the pages that add a message (SendMessage, SendToAgents, SendUrl, the typing
pages, SendCustomNotice) and of those that change user data (Attach-, Update-, DeleteUserData,
SetDisposition): :class:`MessageOperations`, a base of :class:`conformance.server.operations.Operations`,
and :data:`MESSAGE_HANDLERS`, their rows of the operations' table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.server import domain_faults as broken
from conformance.server import message_faults as broken_pages
from conformance.server.faults import Fault
from conformance.server.requests import (
    ApiError,
    Handler,
    Request,
    invalid,
    missing,
    no_params,
    optional_param,
    string_param,
)
from conformance.server.sessions import Role
from conformance.server.state import DomainState
from conformance.server.variations import NO_ECHO_TO_SENDER, TYPING_TO_OTHERS

# The user data key SetDisposition writes under without a dispositionKey: "the disposition key
# configured for the server" (page SetDisposition); the page's sample uses this one.
DEFAULT_DISPOSITION_KEY = "DispositionCode"


class MessageOperations(DomainState):
    """The operations of the message and user data pages."""

    def _switched(self, table: dict[str, Fault], operation: str) -> bool:
        """Whether the fault ``table`` holds for ``operation`` is on (a table keyed by operation)."""
        fault = table.get(operation)
        return fault is not None and fault in self.faults

    def _post(self, request: Request, message_type: str, visibility: str, **extra: Any) -> None:
        operation = request.body["operationName"]
        if request.me.role is Role.CONSULTANT:
            if broken.CONSULTANT_DROPPED in self.faults:
                return
            if broken.CONSULTANT_PUBLIC in self.faults:
                visibility = "All"
        if self._switched(broken_pages.WRONG_VISIBILITY, operation):
            visibility = "Agents" if visibility == "All" else "All"
        anonymous = operation == "SendStopTypingNotification" and broken_pages.STOP_TYPING_ANONYMOUS in self.faults
        message = self._log(
            request.session,
            message_type,
            None if anonymous else request.me,
            visibility,
            **{k: v for k, v in extra.items() if v is not None},
        )
        message.to_customer = not self._switched(broken_pages.NOT_TO_CUSTOMER, operation)
        message.leaked = self._switched(broken_pages.LEAKS_TO_CUSTOMER, operation)
        typing = message_type in ("TypingStarted", "TypingStopped")
        if typing and broken_pages.TYPING_TO_NO_AGENT in self.faults:
            return
        sender = (
            request.username
            if NO_ECHO_TO_SENDER in self.faults or (typing and TYPING_TO_OTHERS in self.faults)
            else None
        )
        self._to_agents(request, lambda u: self._new_messages(request.session, [message]), except_for=sender)
        if broken_pages.ANNOUNCED_TWICE in self.faults:
            self._to_agents(request, lambda u: self._new_messages(request.session, [message]), except_for=sender)

    def _change_user_data(self, request: Request, change: UserDataChange) -> None:
        """Attach adds the keys, Update overwrites the given ones, Delete removes the given ones,
        SetDisposition writes one; every agent in the session (and a requester wrapping up) is
        sent PropertiesUpdated with the whole session, the requester's with the referenceId."""
        data, operation = request.session.user_data, change.operation
        if operation == "DeleteUserData":
            for deleted in list(data) if broken_pages.DELETE_ALL in self.faults else change.keys:
                data.pop(deleted, None)
        elif operation == "SetDisposition":
            key: str | None = change.disposition_key
            if key is None or broken_pages.DISPOSITION_KEY_IGNORED in self.faults:
                key = None if broken_pages.DISPOSITION_DEFAULT_LOST in self.faults else DEFAULT_DISPOSITION_KEY
            if key is not None and change.disposition is not None:
                data[key] = change.disposition
        else:
            if (
                broken_pages.ATTACH_REPLACES if operation == "AttachUserData" else broken_pages.UPDATE_CLEARS_OTHERS
            ) in self.faults and change.values:
                data.clear()
            data.update(change.values)
        told = [p.username for p in request.session.agents()]
        told += [request.username] if request.username not in told else []
        for name in told:
            request.notifications.append(
                (
                    name,
                    self._state_change(
                        request.session,
                        name,
                        "PropertiesUpdated",
                        reference_id=request.reference_id if name == request.username else None,
                    ),
                )
            )


@dataclass(frozen=True)
class UserDataChange:
    operation: str
    values: dict[str, Any] = field(default_factory=dict)  # Attach and Update
    keys: tuple[str, ...] = ()  # Delete
    disposition: str | None = None  # SetDisposition
    disposition_key: str | None = None


def _user_data_params(domain: MessageOperations, body: dict[str, Any]) -> UserDataChange:
    """userData (an object: Attach, Update), keys (an array of strings: Delete), disposition (a
    string) and dispositionKey (optional: SetDisposition). Under the parameter fault of the
    operation a wrong value is taken and changes nothing."""
    operation = body["operationName"]
    unchecked = domain._switched(broken_pages.USER_DATA_UNCHECKED, operation)
    try:
        if operation == "SetDisposition":
            key = optional_param(body, "dispositionKey", str, "a non-empty string")
            return UserDataChange(operation, disposition=string_param(body, "disposition"), disposition_key=key)
        if operation == "DeleteUserData":
            if "keys" not in body:
                raise missing("keys")
            keys = body["keys"]
            if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
                raise invalid("keys must be an array of user data keys (strings)")
            return UserDataChange(operation, keys=tuple(keys))
        if "userData" not in body:
            raise missing("userData")
        if not isinstance(body["userData"], dict):
            raise invalid("userData must be an object")
        return UserDataChange(operation, values=dict(body["userData"]))
    except ApiError:
        if unchecked:
            return UserDataChange(operation)
        raise


def _posting(message_type: str, visibility: str, param: str | None = None) -> Handler:
    """An operation that adds one message to the log: ``param`` of the request becomes the
    message's field of the same name (SendMessage's text -> a Text's text, SendUrl's url)."""
    if param is None:
        return Handler(no_params, lambda d, r, _: d._post(r, message_type, visibility))

    def prepare(domain: MessageOperations, body: dict[str, Any]) -> Any:
        if domain._switched(broken_pages.PARAM_UNCHECKED, body["operationName"]):
            return body.get(param)
        return string_param(body, param)

    return Handler(prepare, lambda d, r, value: d._post(r, message_type, visibility, **{param: value}))


MESSAGE_HANDLERS: dict[str, Handler] = {
    "SendMessage": _posting("Text", "All", "text"),
    "SendToAgents": _posting("Text", "Agents", "text"),
    "SendUrl": _posting("PushUrl", "All", "url"),
    "SendStartTypingNotification": _posting("TypingStarted", "All"),
    "SendStopTypingNotification": _posting("TypingStopped", "All"),
    "SendStartTypingToAgentsNotification": _posting("TypingStarted", "Agents"),
    "SendStopTypingToAgentsNotification": _posting("TypingStopped", "Agents"),
    "SendCustomNotice": _posting("CustomNotice", "All", "noticeText"),
    "SetDisposition": Handler(_user_data_params, MessageOperations._change_user_data),
    "AttachUserData": Handler(_user_data_params, MessageOperations._change_user_data),
    "UpdateUserData": Handler(_user_data_params, MessageOperations._change_user_data),
    "DeleteUserData": Handler(_user_data_params, MessageOperations._change_user_data),
}
