"""What the clients see, as it happens: every exchange and every notification, for whoever listens.

``gws-conformance repro`` listens to print a check's scenario live; nothing else does, and with
no listener an event costs one empty loop. Listeners are called on the thread that saw the event
(a check's thread, a CometD long poll), so they must be quick and thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.client.rest import Exchange


@dataclass(frozen=True)
class Sending:
    """A request about to go out (raw: a listener redacts what it shows)."""

    user: str
    role: str | None
    method: str
    url: str
    body: Any
    at: float  # time.monotonic()


@dataclass(frozen=True)
class Sent:
    """A request and its response (secrets already redacted)."""

    exchange: Exchange


@dataclass(frozen=True)
class Notified:
    """A notification an agent's CometD client received (raw: a listener redacts what it shows)."""

    receiver: str  # the agent's role and username, as the log was named
    channel: str
    data: Mapping[str, Any]
    at: float  # time.monotonic()


Event = Sending | Sent | Notified
_listeners: list[Callable[[Event], None]] = []
_lock = threading.Lock()


def emit(event: Event) -> None:
    for listener in list(_listeners):
        listener(event)


@contextmanager
def listening(listener: Callable[[Event], None]) -> Iterator[None]:
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)
