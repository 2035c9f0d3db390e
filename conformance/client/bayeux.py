"""A Bayeux 1.0 long-polling client on httpx, and the ordered log of what it receives.

Hand-written because no Python CometD client fits:
aiocometd does not run on Python 3.10+, aiocometd-ng loses cookies on IP hosts and cannot share
the REST session's cookies and credentials, which GWS requires. This client shares the REST
client's ``httpx.Client``: same Basic credentials, same JSESSIONID.

A check never sleeps: it marks the log, acts, and waits on the log's condition variable for the
notification it expects, with a deadline.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from conformance.client import tap
from conformance.client.rest import (
    MAX_BODY_BYTES,
    TargetUnreachable,
    parse_json,
    read_bounded,
)
from conformance.redaction import redact_secrets

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

    def __init__(self, receiver: str = "") -> None:
        self.receiver = receiver  # whose notifications these are (role and username), for the live tap
        self._items: list[Received] = []
        self._changed = threading.Condition()
        self._closed = False

    def close(self) -> None:
        """Nobody waits any more: every wait returns at once (the run is out of time)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def append(self, channel: str, data: Mapping[str, Any]) -> None:
        with self._changed:
            received = Received(len(self._items), time.monotonic(), channel, data)
            self._items.append(received)
            self._changed.notify_all()
        tap.emit(tap.Notified(self.receiver, channel, data, received.arrival))

    def mark(self) -> int:
        """The position the next notification will get."""
        with self._changed:
            return len(self._items)

    def snapshot(self, since: int = 0) -> list[Received]:
        with self._changed:
            return self._items[since:]

    def wait_for(
        self, predicate: Callable[[Mapping[str, Any]], bool], *, since: int, deadline: float
    ) -> Received | None:
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
                if remaining <= 0 or self._closed:
                    return None
                self._changed.wait(remaining)

    def wait_quiet(
        self,
        predicate: Callable[[Mapping[str, Any]], bool],
        *,
        since: int,
        quiet_from: float,
        window: float,
        deadline: float,
    ) -> int:
        """Wait until no notification satisfying ``predicate`` arrived (at or after ``since``) for
        ``window`` seconds, counted from ``quiet_from`` (a time.monotonic() value) or the last such
        arrival, whichever is later; give up waiting at ``deadline``. Returns the position after
        the last notification received by then: the end of what a judge may look at."""
        with self._changed:
            while True:
                last = max([quiet_from, *(item.arrival for item in self._items[since:] if predicate(item.data))])
                now = time.monotonic()
                if now >= last + window or now >= deadline or self._closed:
                    return len(self._items)
                self._changed.wait(min(last + window, deadline) - now)


class BayeuxClient:
    """A long-polling client that is polite to the server it tests: it follows the server's advice
    (interval, timeout, reconnect), backs off when connects come back empty at once, reads every
    reply with the REST client's bounds, and survives what it cannot use: a malformed message
    is counted and skipped, a failing exchange retried with back-off, and after too many in a row
    the loop stops and says why (:attr:`failure`)."""

    MAX_FAILURES = 5  # failed exchanges in a row before the loop gives up
    EMPTY_FAST = 0.05  # seconds: a connect answered faster than this with nothing is "empty at once"
    BACKOFF_MAX = 2.0  # seconds between connects, at most, while the server answers empty at once

    def __init__(
        self,
        http: httpx.Client,
        path: str,
        log: NotificationLog,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        headers: Callable[[], Mapping[str, str]] = dict,
    ) -> None:
        self._http = http
        self._headers = headers  # asked before each POST: the CSRF header, once the server handed one out
        self._path = path
        self.log = log
        self.max_body_bytes = max_body_bytes
        self.client_id: str | None = None
        self.subscriptions: list[str] = []
        self.rehandshakes = 0
        self.malformed = 0  # messages skipped because they were not Bayeux messages with an object as data
        self.empty_connects = 0
        self._ids = itertools.count(1)
        self._timeout_ms = 30_000
        self._interval_ms = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.failure: str | None = None  # why the connect loop gave up, if it did
        self._gave_up = False

    def _post(self, messages: list[dict[str, Any]], timeout: float | None = None) -> list[dict[str, Any]]:
        for message in messages:
            message["id"] = str(next(self._ids))
        budget = timeout if timeout is not None else self._http.timeout.read or 30.0
        what = f"POST {self._path} ({messages[0].get('channel')})"
        try:
            with self._http.stream(
                "POST", self._path, json=messages, timeout=budget, headers=dict(self._headers())
            ) as response:
                content = read_bounded(
                    response, max_bytes=self.max_body_bytes, deadline=time.monotonic() + budget, what=what
                )
        except (httpx.HTTPError, TargetUnreachable) as exc:
            raise BayeuxError(f"{what}: {exc}") from None
        if response.status_code != 200:
            raise BayeuxError(f"{self._path} answered HTTP {response.status_code}: {content[:200]!r}")
        replies = parse_json(content)
        replies = replies if isinstance(replies, list) else [replies]
        usable = [dict(r) for r in replies if isinstance(r, Mapping)]
        self.malformed += len(replies) - len(usable)
        return usable

    def _take_advice(self, reply: Mapping[str, Any]) -> str:
        given = reply.get("advice")
        advice: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        try:
            self._timeout_ms = max(0, int(advice.get("timeout", self._timeout_ms)))
            self._interval_ms = max(0, int(advice.get("interval", self._interval_ms)))
        except (TypeError, ValueError):
            self.malformed += 1  # advice that is no number: keep the last good one
        return str(advice.get("reconnect", "retry"))

    def handshake(self) -> None:
        replies = self._post(
            [{"channel": "/meta/handshake", "version": "1.0", "supportedConnectionTypes": ["long-polling"]}]
        )
        reply = next((r for r in replies if r.get("channel") == "/meta/handshake"), {})
        if not reply.get("successful"):
            raise BayeuxError(f"handshake refused: {reply.get('error', reply)}")
        self.client_id = reply["clientId"]
        self._take_advice(reply)

    def subscribe(self, subscription: str) -> None:
        """Returns once the server confirmed the subscription (a listener proven live)."""
        replies = self._post([{"channel": "/meta/subscribe", "clientId": self.client_id, "subscription": subscription}])
        reply = next((r for r in replies if r.get("channel") == "/meta/subscribe"), {})
        if not reply.get("successful"):
            raise BayeuxError(f"subscription to {subscription} refused: {reply.get('error', reply)}")
        if subscription not in self.subscriptions:
            self.subscriptions.append(subscription)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._connect_loop, name=f"bayeux-{self.client_id}", daemon=True)
        self._thread.start()

    @property
    def stopped(self) -> str | None:
        """Why the stream ended before the run did, or None while it runs (or was never started)."""
        ended = self._thread is not None and not self._thread.is_alive() and not self._stopping.is_set()
        return self.failure if ended or (self.failure and self._gave_up) else None

    def _connect_loop(self) -> None:
        try:
            self._connect()
        finally:
            if not self._stopping.is_set():  # the stream ended on its own: nothing more will arrive
                self._gave_up = True
                self.log.close()

    def _connect(self) -> None:
        failures, backoff = 0, 0.0
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                replies = self._post(
                    [{"channel": "/meta/connect", "clientId": self.client_id, "connectionType": "long-polling"}],
                    timeout=self._timeout_ms / 1000 + 15,
                )
            except Exception as exc:  # whatever the server sent, the loop must not die unsaid
                if self._stopping.is_set():
                    return
                failures += 1
                self.failure = f"{type(exc).__name__}: {exc}"
                if failures >= self.MAX_FAILURES:
                    self.failure = f"the notification stream stopped after {failures} failed connects: {self.failure}"
                    return
                self._stopping.wait(min(self.BACKOFF_MAX, 0.1 * 2**failures))
                continue
            failures = 0
            reconnect, delivered = "retry", 0
            for reply in replies:
                channel = reply.get("channel", "")
                if channel == "/meta/connect":
                    reconnect = self._take_advice(reply)
                    if not reply.get("successful") and reconnect != "none":
                        reconnect = "handshake"
                elif not isinstance(channel, str) or not isinstance(reply.get("data"), Mapping):
                    self.malformed += 1  # data that is not an object is no GWS notification
                elif not channel.startswith("/meta/"):
                    self.log.append(channel, redact_secrets(reply["data"]))
                    delivered += 1
            if reconnect == "none":
                self.failure = "the server advised reconnect: none; the notification stream ended"
                return
            if reconnect == "handshake" and not self._stopping.is_set():
                self._rehandshake()
            # A server that answers every connect at once with nothing would be polled in a tight
            # loop: back off (up to BACKOFF_MAX) until it holds connects or delivers again.
            empty_at_once = not delivered and time.monotonic() - started < self.EMPTY_FAST
            self.empty_connects += empty_at_once
            backoff = min(self.BACKOFF_MAX, max(0.05, backoff * 2)) if empty_at_once else 0.0
            wait = max(self._interval_ms / 1000, backoff)
            if wait:
                self._stopping.wait(wait)

    def _rehandshake(self) -> None:
        """The server forgot this client (402 or advice): handshake and subscribe again."""
        self.rehandshakes += 1
        try:
            self.handshake()
            for subscription in self.subscriptions:
                self.subscribe(subscription)
        except BayeuxError as exc:
            self.failure = f"re-handshake failed: {exc}"
            self._stopping.set()
            return
        # In the stream, so a reader sees where notifications may have been missed.
        self.log.append(REHANDSHAKE_CHANNEL, {"rehandshake": self.rehandshakes, "clientId": self.client_id})

    def trouble(self) -> str:
        """What went wrong with the stream so far, in words (empty when nothing did)."""
        said = [self.failure or ""]
        if self.malformed:
            said.append(f"{self.malformed} messages that were no Bayeux message with an object as data were skipped")
        if self.empty_connects:
            said.append(f"{self.empty_connects} connects came back empty at once (backed off)")
        return "; ".join(s for s in said if s)

    def stop_now(self) -> None:
        """End the loop without a goodbye to the server (the run is out of time)."""
        self._stopping.set()

    def stop(self) -> None:
        """Disconnect (which also releases the held connect) and join the loop."""
        self._stopping.set()
        if self.client_id is not None:
            # The server may be gone or have forgotten us: then nothing is left to release.
            with contextlib.suppress(httpx.HTTPError, BayeuxError, ValueError):
                self._post([{"channel": "/meta/disconnect", "clientId": self.client_id}], timeout=5)
        if self._thread is not None:
            self._thread.join(10)
