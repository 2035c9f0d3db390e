"""A Bayeux 1.0 long-polling client on httpx, and the ordered log of what it receives.

Hand-written (about 150 lines) because no Python CometD client fits (shared/notes/libraries.md):
aiocometd does not run on Python 3.10+, aiocometd-ng loses cookies on IP hosts and cannot share
the REST session's cookies and credentials, which GWS requires. This client shares the REST
client's ``httpx.Client``: same Basic credentials, same JSESSIONID.

A check never sleeps: it marks the log, acts, and waits on the log's condition variable for the
notification it expects, with a deadline.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx


REHANDSHAKE_CHANNEL = "/meta/handshake"


class BayeuxError(Exception):
    """The server refused a handshake or subscription: the run cannot watch notifications."""


@dataclass(frozen=True)
class Received:
    seq: int  # position in this client's stream, from 0
    arrival: float  # time.monotonic() when it was read
    channel: str
    data: Mapping[str, Any]


class NotificationLog:
    """Every notification one client received, in arrival order; thread-safe."""

    def __init__(self) -> None:
        self._items: list[Received] = []
        self._changed = threading.Condition()

    def append(self, channel: str, data: Mapping[str, Any]) -> None:
        with self._changed:
            self._items.append(Received(len(self._items), time.monotonic(), channel, data))
            self._changed.notify_all()

    def mark(self) -> int:
        """The position the next notification will get."""
        with self._changed:
            return len(self._items)

    def snapshot(self, since: int = 0) -> list[Received]:
        with self._changed:
            return self._items[since:]

    def wait_for(self, predicate: Callable[[Mapping[str, Any]], bool], *, since: int,
                 deadline: float) -> Received | None:
        """The first notification at or after ``since`` whose data satisfies ``predicate``,
        waiting until ``deadline`` (a time.monotonic() value); None if none came by then."""
        with self._changed:
            checked = since
            while True:
                for item in self._items[checked:]:
                    if predicate(item.data):
                        return item
                checked = max(checked, len(self._items))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)


    def wait_quiet(self, predicate: Callable[[Mapping[str, Any]], bool], *, since: int, quiet_from: float,
                   window: float, deadline: float) -> int:
        """Wait until no notification satisfying ``predicate`` arrived (at or after ``since``) for
        ``window`` seconds, counted from ``quiet_from`` (a time.monotonic() value) or the last such
        arrival, whichever is later; give up waiting at ``deadline``. Returns the position after
        the last notification received by then: the end of what a judge may look at."""
        with self._changed:
            while True:
                last = max([quiet_from, *(item.arrival for item in self._items[since:] if predicate(item.data))])
                now = time.monotonic()
                if now >= last + window or now >= deadline:
                    return len(self._items)
                self._changed.wait(min(last + window, deadline) - now)


class BayeuxClient:
    def __init__(self, http: httpx.Client, path: str, log: NotificationLog) -> None:
        self._http = http
        self._path = path
        self.log = log
        self.client_id: str | None = None
        self.subscriptions: list[str] = []
        self.rehandshakes = 0
        self._ids = itertools.count(1)
        self._timeout_ms = 30_000
        self._interval_ms = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.failure: str | None = None  # why the connect loop gave up, if it did

    def _post(self, messages: list[dict[str, Any]], timeout: float | None = None) -> list[dict[str, Any]]:
        for message in messages:
            message["id"] = str(next(self._ids))
        response = self._http.post(self._path, json=messages,
                                   timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        if response.status_code != 200:
            raise BayeuxError(f"{self._path} answered HTTP {response.status_code}: {response.text[:200]}")
        replies = response.json()
        return replies if isinstance(replies, list) else [replies]

    def _take_advice(self, reply: Mapping[str, Any]) -> str:
        advice = reply.get("advice") or {}
        self._timeout_ms = int(advice.get("timeout", self._timeout_ms))
        self._interval_ms = int(advice.get("interval", self._interval_ms))
        return str(advice.get("reconnect", "retry"))

    def handshake(self) -> None:
        replies = self._post([{"channel": "/meta/handshake", "version": "1.0",
                               "supportedConnectionTypes": ["long-polling"]}])
        reply = next((r for r in replies if r.get("channel") == "/meta/handshake"), {})
        if not reply.get("successful"):
            raise BayeuxError(f"handshake refused: {reply.get('error', reply)}")
        self.client_id = reply["clientId"]
        self._take_advice(reply)

    def subscribe(self, subscription: str) -> None:
        """Returns once the server confirmed the subscription (a listener proven live)."""
        replies = self._post([{"channel": "/meta/subscribe", "clientId": self.client_id,
                               "subscription": subscription}])
        reply = next((r for r in replies if r.get("channel") == "/meta/subscribe"), {})
        if not reply.get("successful"):
            raise BayeuxError(f"subscription to {subscription} refused: {reply.get('error', reply)}")
        if subscription not in self.subscriptions:
            self.subscriptions.append(subscription)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._connect_loop, name=f"bayeux-{self.client_id}", daemon=True)
        self._thread.start()

    def _connect_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                replies = self._post([{"channel": "/meta/connect", "clientId": self.client_id,
                                       "connectionType": "long-polling"}],
                                     timeout=self._timeout_ms / 1000 + 15)
            except (httpx.HTTPError, BayeuxError, ValueError) as exc:
                if self._stopping.is_set():
                    return
                self.failure = f"{type(exc).__name__}: {exc}"
                return
            reconnect = "retry"
            for reply in replies:
                channel = reply.get("channel", "")
                if channel == "/meta/connect":
                    reconnect = self._take_advice(reply)
                    if not reply.get("successful") and reconnect != "none":
                        reconnect = "handshake"
                elif not channel.startswith("/meta/") and isinstance(reply.get("data"), Mapping):
                    self.log.append(channel, reply["data"])
            if reconnect == "none":
                return
            if reconnect == "handshake" and not self._stopping.is_set():
                self._rehandshake()
            if self._interval_ms:
                self._stopping.wait(self._interval_ms / 1000)

    def _rehandshake(self) -> None:
        """The server forgot this client (402 or advice): handshake and subscribe again."""
        self.rehandshakes += 1
        try:
            self.handshake()
            for subscription in self.subscriptions:
                self.subscribe(subscription)
        except (httpx.HTTPError, BayeuxError) as exc:
            self.failure = f"re-handshake failed: {exc}"
            self._stopping.set()
            return
        # In the stream, so a reader sees where notifications may have been missed.
        self.log.append(REHANDSHAKE_CHANNEL, {"rehandshake": self.rehandshakes, "clientId": self.client_id})

    def stop(self) -> None:
        """Disconnect (which also releases the held connect) and join the loop."""
        self._stopping.set()
        if self.client_id is not None:
            try:
                self._post([{"channel": "/meta/disconnect", "clientId": self.client_id}], timeout=5)
            except (httpx.HTTPError, BayeuxError, ValueError):
                pass  # the server is gone or forgot us: nothing left to release
        if self._thread is not None:
            self._thread.join(10)
