"""A Bayeux 1.0 long-polling server, as GWS serves CometD at ``/api/v2/notifications``.

Hand-written: no maintained Python CometD server exists, and the part GWS uses is small
(handshake, subscribe/unsubscribe, connect held as a long poll, disconnect, advice, 402 for
unknown clients). Everything runs on the server's event loop, so no locking is needed.

Guarantees the conformance checks rely on: messages are queued per client and delivered in
publication order, none lost between two connects; a client that does not reconnect within
``max_interval_ms`` expires and is then answered ``402::Unknown client`` with advice to
handshake again.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.server import faults as fault_catalogue
from conformance.server.faults import FaultSet
from conformance.server.variations import (
    BATCH_WINDOW_SECONDS,
    BATCHED_CONNECTS,
    SPLIT_CONNECTS,
)

Message = dict[str, Any]

REORDER_QUEUED = fault_catalogue.define(
    "bayeux-reorders-queued", "sms.consult.notify.order", "a /meta/connect answers the queued messages newest first"
)
DROPS_QUEUED = fault_catalogue.define(
    "bayeux-drops-queued",
    "sms.consult.notify.order",
    "a /meta/connect answers only the newest of the queued messages; the older ones are lost",
)


def channel_matches(subscription: str, channel: str) -> bool:
    """Bayeux wildcards: ``/a/*`` matches one more segment, ``/a/**`` any number of them."""
    if subscription == channel:
        return True
    prefix, _, last = subscription.rpartition("/")
    if last == "*":
        return channel.startswith(prefix + "/") and "/" not in channel[len(prefix) + 1 :]
    if last == "**":
        return channel.startswith(prefix + "/")
    return False


@dataclass
class Client:
    client_id: str
    username: str
    subscriptions: set[str] = field(default_factory=set)
    queue: deque[Message] = field(default_factory=deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    connects: itertools.count = field(default_factory=itertools.count)  # to supersede an older held connect
    active_connect: int = -1
    holding: bool = False  # a /meta/connect of this client is being held right now
    connected: bool = False  # it sent its first /meta/connect
    expires_at: float = 0.0


class BayeuxServer:
    def __init__(
        self,
        *,
        connect_timeout_ms: int = 30_000,
        max_interval_ms: int = 10_000,
        faults: FaultSet | None = None,
        on_presence: Callable[[str, bool], None] = lambda username, present: None,
    ) -> None:
        self.connect_timeout_ms = connect_timeout_ms
        self.max_interval_ms = max_interval_ms
        self.faults = faults or FaultSet()
        self._on_presence = on_presence
        self._clients: dict[str, Client] = {}
        self._closing = False

    # --- publishing --------------------------------------------------------------------------------

    def publish(self, username: str, channel: str, data: dict[str, Any]) -> None:
        """Queue ``data`` on ``channel`` for every client of ``username`` subscribed to it."""
        for client in self._clients.values():
            if client.username == username and any(channel_matches(s, channel) for s in client.subscriptions):
                client.queue.append({"channel": channel, "data": data})
                client.wakeup.set()

    def has_client(self, username: str) -> bool:
        return any(c.username == username for c in self._clients.values())

    def close(self) -> None:
        """Answer every held connect now, so the server can stop without waiting out long polls."""
        self._closing = True
        for client in self._clients.values():
            client.wakeup.set()

    # --- the protocol -------------------------------------------------------------------------------

    async def handle(self, username: str, messages: list[Any]) -> list[Message]:
        """Answer one POST. As CometD servers do, a /meta/connect is held only when it travels
        alone: a batch that also subscribes (the JavaScript client sends its first subscriptions
        with a connect) is answered at once."""
        self._expire()
        may_hold = len(messages) == 1
        replies: list[Message] = []
        for message in messages:
            replies.extend(await self._handle_one(username, message, may_hold))
        return replies

    async def _handle_one(self, username: str, message: Any, may_hold: bool) -> list[Message]:
        if not isinstance(message, dict) or not isinstance(message.get("channel"), str):
            return [{"successful": False, "error": "400::Invalid message", "channel": "/meta/unknown"}]
        channel = message["channel"]
        reply: Message = {"channel": channel}
        if "id" in message:
            reply["id"] = message["id"]
        if channel == "/meta/handshake":
            return [self._handshake(username, reply)]
        client_id = message.get("clientId")
        client = self._clients.get(client_id) if isinstance(client_id, str) else None
        if client is None or client.username != username:
            reply.update(
                successful=False, error="402::Unknown client", advice={"reconnect": "handshake", "interval": 0}
            )
            return [reply]
        reply["clientId"] = client.client_id
        if channel == "/meta/connect":
            return await self._connect(client, reply, may_hold and client.connected)
        if channel in ("/meta/subscribe", "/meta/unsubscribe"):
            return [self._subscription(client, channel, message.get("subscription"), reply)]
        if channel == "/meta/disconnect":
            self._drop(client)
            reply["successful"] = True
            return [reply]
        reply.update(successful=False, error="403::Publish denied")
        return [reply]

    def _handshake(self, username: str, reply: Message) -> Message:
        client = Client(secrets.token_hex(12), username)
        client.expires_at = self._now() + self.max_interval_ms / 1000
        first = not self.has_client(username)
        self._clients[client.client_id] = client
        if first:
            self._on_presence(username, True)
        reply.update(
            version="1.0",
            supportedConnectionTypes=["long-polling"],
            clientId=client.client_id,
            successful=True,
            advice=self._advice(),
        )
        return reply

    def _subscription(self, client: Client, channel: str, subscription: Any, reply: Message) -> Message:
        if not isinstance(subscription, str) or not subscription.startswith("/"):
            reply.update(successful=False, error="400::Invalid subscription", subscription=subscription)
            return reply
        if channel == "/meta/subscribe":
            client.subscriptions.add(subscription)
        else:
            client.subscriptions.discard(subscription)
        reply.update(successful=True, subscription=subscription)
        return reply

    async def _connect(self, client: Client, reply: Message, may_hold: bool) -> list[Message]:
        """Deliver what is queued; with nothing queued, hold until something is or the timeout.
        The first connect after a handshake is answered at once (it establishes the connection)."""
        client.connected = True
        ticket = next(client.connects)
        client.active_connect = ticket
        client.wakeup.set()  # releases an older held connect of the same client (its wait is resolved)
        client.wakeup.clear()
        if may_hold and not client.queue and not self._closing:
            client.holding = True
            try:
                await asyncio.wait_for(client.wakeup.wait(), self.connect_timeout_ms / 1000)
            except TimeoutError:
                pass
            finally:
                if client.active_connect == ticket:  # a newer connect, if any, holds on
                    client.holding = False
        if BATCHED_CONNECTS in self.faults and client.queue and not self._closing:
            await asyncio.sleep(BATCH_WINDOW_SECONDS)  # the server's own batching, not a client's wait
        client.expires_at = self._now() + self.max_interval_ms / 1000
        reply.update(successful=True, advice=self._advice())
        if client.active_connect != ticket:  # superseded: the newer connect takes the messages
            return [reply]
        if SPLIT_CONNECTS in self.faults and client.queue:
            return [client.queue.popleft(), reply]
        delivered = list(client.queue)
        client.queue.clear()
        if REORDER_QUEUED in self.faults:
            delivered.reverse()
        if DROPS_QUEUED in self.faults:
            delivered = delivered[-1:]
        return [*delivered, reply]

    def _advice(self) -> dict[str, Any]:
        return {"reconnect": "none" if self._closing else "retry", "interval": 0, "timeout": self.connect_timeout_ms}

    def _drop(self, client: Client) -> None:
        self._clients.pop(client.client_id, None)
        client.wakeup.set()
        if not self.has_client(client.username):
            self._on_presence(client.username, False)

    def _expire(self) -> None:
        now = self._now()
        for client in [c for c in self._clients.values() if c.expires_at < now and not c.holding]:
            self._drop(client)

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()
