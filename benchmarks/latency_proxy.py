"""A reverse proxy that puts a distance between the suite and its target.

Every HTTP exchange through it is answered ``delay`` seconds later than the target answered it,
and a Bayeux answer that delivers notifications another ``delay`` later: a staging GWS across a
WAN, on loopback. It forwards requests as they are (headers, cookies, bodies) with no cookie jar
of its own, so each agent keeps its own session.

    python benchmarks/latency_proxy.py --target http://127.0.0.1:8080 --delay 0.05 --port 8081
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import threading

import httpx

from conformance.server.runner import AsgiServer

HOP_BY_HOP = {b"host", b"content-length", b"transfer-encoding", b"connection", b"keep-alive"}


class LatencyProxy:
    def __init__(self, upstream: str, delay: float) -> None:
        self.upstream, self.delay = upstream.rstrip("/"), delay
        self._transport: httpx.AsyncHTTPTransport | None = None  # made in the server's loop

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self._transport = self._transport or httpx.AsyncHTTPTransport()
        query = f"?{scope['query_string'].decode()}" if scope["query_string"] else ""
        request = httpx.Request(
            scope["method"],
            f"{self.upstream}{scope['path']}{query}",
            content=body,
            headers=[(k, v) for k, v in scope["headers"] if k.lower() not in HOP_BY_HOP],
        )
        response = await self._transport.handle_async_request(request)
        answer = await response.aread()
        await asyncio.sleep(self.delay)
        if scope["path"].startswith("/api/v2/notifications") and b'"data"' in answer:
            await asyncio.sleep(self.delay)  # a notification's own trip
        headers = [
            (k.encode(), v.encode()) for k, v in response.headers.multi_items() if k.encode().lower() not in HOP_BY_HOP
        ]
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [*headers, (b"content-length", str(len(answer)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": answer})


class ProxyServer:
    """The proxy served from a thread of this process: ``with ProxyServer(url, 0.05) as proxy:``."""

    def __init__(self, upstream: str, delay: float, port: int = 0) -> None:
        self._asgi = AsgiServer(port=port, name="latency-proxy")
        self.app = LatencyProxy(upstream, delay)
        self.base_url = ""

    def __enter__(self) -> ProxyServer:
        self.base_url = self._asgi.bind()
        self._asgi.serve(self.app)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._asgi.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added to each exchange (default 0.05)")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    with ProxyServer(args.target, args.delay, args.port) as proxy:
        print(f"{proxy.base_url} -> {args.target}, +{args.delay * 1000:g} ms per exchange; Ctrl-C stops it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
