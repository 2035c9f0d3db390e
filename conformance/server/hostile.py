"""Hostile targets: the reference server behind a front that misbehaves the way half-deployed
staging stacks, proxies and overloaded servers do (``gws-conformance serve --hostile NAME``).

Each misbehaviour is in the spirit of the fault catalogue, but breaks no clause: it breaks the
transport, the body or the CometD protocol, and the suite must end against it in bounded time
and memory with a clear line, complete reports and no secret echoed
(``tests/test_hostile_targets.py``; ``benchmarks/hostile_targets.py`` measures each with the
default settings). It is an ASGI middleware around the reference app: what it does not touch,
the correct server answers.
"""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from starlette.types import ASGIApp as App
from starlette.types import Message, Receive, Scope, Send

from conformance.errors import UsageError

OPERATION = re.compile(r"^/api/v2/me/smssessions/[^/]+$")
HUGE_BYTES = 100 * 2**20  # the huge body
BOMB_BYTES = 2**30  # what the gzip bomb inflates to
DRIP_SECONDS = 1.0  # between two bytes of a slow drip
UNAUTHORIZED_AFTER = 60  # requests before every answer is 401


@dataclass(frozen=True)
class Misbehaviour:
    name: str
    summary: str


CATALOGUE: dict[str, Misbehaviour] = {
    m.name: m
    for m in (
        Misbehaviour("post-hangs", "operation POSTs are accepted and never answered"),
        Misbehaviour("slow-drip", "operation POSTs are answered one byte a second"),
        Misbehaviour("slow-drip-everything", "every answer comes one byte a second, the first GET's too"),
        Misbehaviour("huge-body", "GET of a session answers a 100 MB JSON body"),
        Misbehaviour("gzip-bomb", "GET of a session answers about 1 MB of gzip that inflates to 1 GB"),
        Misbehaviour(
            "echo-headers",
            "every JSON answer carries the request's headers, credentials included (the "
            "server is otherwise correct: the run passes, and must show no credential)",
        ),
        Misbehaviour("reset-on-post", "operation POSTs: the connection closes in the middle of the answer"),
        Misbehaviour("html-errors", "operation POSTs answer 502 with an HTML page"),
        Misbehaviour("bad-utf8", "the JSON answers to operation POSTs carry a byte that is not UTF-8"),
        Misbehaviour("redirect-elsewhere", "operation POSTs answer 307 to another origin"),
        Misbehaviour("unauthorized-later", f"after {UNAUTHORIZED_AFTER} requests every answer is 401"),
        Misbehaviour("handshake-refused", "the CometD handshake is refused"),
        Misbehaviour("empty-connects", "every /meta/connect is answered at once, with nothing"),
        Misbehaviour("reconnect-none", "every /meta/connect advises reconnect: none"),
        Misbehaviour("data-not-object", "every notification's data is a string, not an object"),
        Misbehaviour("deep-json", "every /meta/connect answers JSON nested 100,000 levels deep"),
    )
}


def check(name: str | None) -> None:
    if name is not None and name not in CATALOGUE:
        raise UsageError(f"unknown hostile behaviour {name!r}; known: {', '.join(CATALOGUE)}")


@cache
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to BOMB_BYTES of zeros (made once, in about a second)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    block = bytes(2**20)
    return b"".join(packer.compress(block) for _ in range(BOMB_BYTES // len(block))) + packer.flush()


class Hostile:
    """ASGI middleware: ``name``'s misbehaviour in front of ``app``."""

    def __init__(self, app: App, name: str) -> None:
        check(name)
        self.app, self.name, self.requests = app, name, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/conformance/"):
            return await self.app(scope, receive, send)  # the test-only API stays as it is
        self.requests += 1
        path, method, name = scope["path"], scope["method"], self.name
        operation = method == "POST" and OPERATION.match(path) is not None
        session_get = method == "GET" and OPERATION.match(path) is not None
        cometd = path.startswith("/api/v2/notifications")
        if name == "post-hangs" and operation:
            await asyncio.sleep(3600)
        if name == "html-errors" and operation:
            return await _answer(send, 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        if name == "redirect-elsewhere" and operation:
            return await _answer(send, 307, b"", "text/plain", [(b"location", b"http://127.0.0.2:9" + path.encode())])
        if name == "unauthorized-later" and self.requests > UNAUTHORIZED_AFTER:
            return await _answer(send, 401, b'{"statusCode": 20, "statusMessage": "Access denied"}')
        if name == "huge-body" and session_get:
            return await _huge(send)
        if name == "gzip-bomb" and session_get:
            return await _answer(send, 200, gzip_bomb(), "application/json", [(b"content-encoding", b"gzip")])
        if name == "reset-on-post" and operation:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"statusCode"', "more_body": True})
            raise ConnectionResetError("hostile: the connection is cut")
        if cometd and name in ("handshake-refused", "empty-connects", "reconnect-none", "deep-json"):
            body = await _body(receive)
            replies = _cometd(name, json.loads(body or b"[]"))
            if replies is not None:
                return await _answer(send, 200, replies)
            receive = _replay(body)
        if (name == "slow-drip" and operation) or name == "slow-drip-everything":
            return await self.app(scope, receive, _dripping(send))
        if name == "echo-headers":
            return await self.app(scope, receive, _rewriting(send, _echo(scope)))
        if name == "bad-utf8" and operation:
            return await self.app(scope, receive, _rewriting(send, _bad_utf8))
        if name == "data-not-object" and cometd:
            return await self.app(scope, receive, _rewriting(send, _no_objects))
        return await self.app(scope, receive, send)


# --- the pieces ------------------------------------------------------------------------------------


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "application/json",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _huge(send: Send) -> None:
    chunk = b" " * 2**20
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(HUGE_BYTES + 16).encode())],
        }
    )
    await send({"type": "http.response.body", "body": b'{"statusCode": 0', "more_body": True})
    for _ in range(HUGE_BYTES // len(chunk)):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def _body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _cometd(name: str, messages: Any) -> bytes | None:
    """The answer to a Bayeux batch under a CometD misbehaviour, or None to let it through."""
    channels = [m.get("channel") for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    if name == "handshake-refused" and "/meta/handshake" in channels:
        return json.dumps(
            [{"channel": "/meta/handshake", "successful": False, "error": "403::Handshake denied"}]
        ).encode()
    if "/meta/connect" not in channels:
        return None
    if name == "deep-json":
        return b"[" * 100_000 + b"]" * 100_000
    advice = {"reconnect": "none" if name == "reconnect-none" else "retry", "interval": 0, "timeout": 30_000}
    return json.dumps([{"channel": "/meta/connect", "successful": True, "advice": advice}]).encode()


def _rewriting(send: Send, change: Callable[[bytes], bytes]) -> Send:
    """A send that buffers the answer and passes it through ``change`` (content-length fixed)."""
    start: Message = {}
    chunks: list[bytes] = []

    async def rewritten(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = change(b"".join(chunks))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return rewritten


def _echo(scope: Scope) -> Callable[[bytes], bytes]:
    """Adds the request's headers to a JSON object answer, the way a debugging proxy does."""
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}

    def change(body: bytes) -> bytes:
        try:
            value = json.loads(body)
        except ValueError:
            return body
        return json.dumps({**value, "debug": {"requestHeaders": headers}}).encode() if isinstance(value, dict) else body

    return change


def _bad_utf8(body: bytes) -> bytes:
    return body.replace(b'"statusCode"', b'"status\xffCode"', 1) if body.startswith(b"{") else body


def _no_objects(body: bytes) -> bytes:
    try:
        replies = json.loads(body)
    except ValueError:
        return body
    if isinstance(replies, list):
        for reply in replies:
            if isinstance(reply, dict) and "data" in reply:
                reply["data"] = "not an object"
    return json.dumps(replies).encode()


def _dripping(send: Send) -> Send:
    async def dripping(message: Message) -> None:
        if message["type"] != "http.response.body":
            return await send(message)
        body = message.get("body", b"")
        for n in range(len(body)):
            await send({"type": "http.response.body", "body": body[n : n + 1], "more_body": True})
            await asyncio.sleep(DRIP_SECONDS)
        if not message.get("more_body"):
            await send({"type": "http.response.body", "body": b""})

    return dripping
