"""What the reference server's domain and its operations share: an accepted request, its
outcome, and the GWS refusals (page "Return Values": a non-zero statusCode with a statusMessage).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.server.sessions import Participant, SmsSession

Notification = tuple[str, dict[str, Any]]  # (username, data), in send order


@dataclass
class ApiError(Exception):
    status_code: int
    status_message: str
    http_status: int

    def body(self) -> dict[str, Any]:
        return {"statusCode": self.status_code, "statusMessage": self.status_message}


@dataclass
class Outcome:
    http_status: int
    body: dict[str, Any]
    notifications: list[Notification] = field(default_factory=list)


def missing(name: str) -> ApiError:
    return ApiError(1, f"{name} is mandatory", 400)


def invalid(message: str) -> ApiError:
    return ApiError(2, message, 400)


def string_param(body: dict[str, Any], name: str) -> str:
    if name not in body:
        raise missing(name)
    value = body[name]
    if not isinstance(value, str) or not value:
        raise invalid(f"{name} must be a non-empty string")
    return value


@dataclass
class Request:
    """One accepted operation on one session, collecting the notifications it causes."""

    session: SmsSession
    me: Participant
    username: str
    body: dict[str, Any]
    reference_id: int
    notifications: list[Notification] = field(default_factory=list)


@dataclass(frozen=True)
class Handler:
    """How one operation reads its parameters (``prepare``, may refuse) and runs (``run``); both take
    the domain first."""

    prepare: Callable[[Any, dict[str, Any]], Any]
    run: Callable[[Any, Request, Any], None]


def no_params(domain: Any, body: dict[str, Any]) -> None:
    return None


def optional_param(body: dict[str, Any], name: str, kind: type, what: str) -> Any:
    """An optional parameter: absent is None; present, it must be of ``kind``."""
    if name in body and (not isinstance(body[name], kind) or (kind is str and not body[name])):
        raise invalid(f"{name} must be {what}")
    return body.get(name)
