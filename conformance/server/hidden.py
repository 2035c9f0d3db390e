"""The reference server as a GWS without the test-only API: what the suite meets at a vendor's.

In front of the reference app, every request under ``/conformance/v1`` is answered 404, as a GWS
answers a path it does not have, unless it carries :data:`KEY_HEADER` with the server's key: the
key is for the out-of-band tools a test gives the suite (a ``command`` session source that makes
an SMS arrive, a customer probe), never for the suite itself, which cannot know it.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

TEST_API_PREFIX = "/conformance/v1"
KEY_HEADER = "X-Conformance-Test-Api-Key"


class HiddenTestApi:
    """ASGI middleware: ``app`` with its test-only API reachable only with ``key``."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app, self.key = app, key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(TEST_API_PREFIX):
            given = dict(scope["headers"]).get(KEY_HEADER.lower().encode())
            if given != self.key:
                body = json.dumps({"statusCode": 6, "statusMessage": "Not found"}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 404,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
