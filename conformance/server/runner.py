"""Running the reference server in-process: uvicorn on a free loopback port in a background thread.

    with ReferenceServer() as server:
        httpx.get(server.base_url + "/api/v2/diagnostics/version")

Two details keep it fast: the listening socket is created with
``IPPROTO_TCP`` so asyncio sets TCP_NODELAY (a plain socket costs ~44 ms per request), and
stopping first answers every held long poll, so shutdown does not wait out a CometD timeout.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from conformance.server.app import ReferenceApp, ServerSettings
from conformance.server.directory import Directory
from conformance.server.domain import SmsDomain
from conformance.server.faults import FaultSet
from conformance.server.hidden import HiddenTestApi
from conformance.server.hostile import Hostile
from conformance.server.hostile import check as hostile_check


@dataclass(frozen=True)
class ServerTls:
    """HTTPS for the reference server: its certificate and key (PEM files), and, to require a
    client certificate, the CA that must have issued it."""

    certfile: Path
    keyfile: Path
    client_ca: Path | None = None

    def uvicorn_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"ssl_certfile": str(self.certfile), "ssl_keyfile": str(self.keyfile)}
        if self.client_ca is not None:
            options.update(ssl_ca_certs=str(self.client_ca), ssl_cert_reqs=ssl.CERT_REQUIRED)
        return options


class ServerStartError(RuntimeError):
    pass


class AsgiServer:
    """An ASGI app served by uvicorn from a thread of this process, on a socket bound first (so
    its URL is known before the app is built). The socket is made with IPPROTO_TCP: asyncio sets
    TCP_NODELAY only then, and without it every request costs ~44 ms (measured with uvicorn on loopback)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, tls: ServerTls | None = None, name: str = "asgi-server"
    ) -> None:
        self._host, self._port, self._tls, self._name = host, port, tls, name
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.base_url = ""

    def bind(self) -> str:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._port))
        except OSError as exc:
            sock.close()
            raise ServerStartError(f"cannot listen on {self._host}:{self._port}: {exc.strerror}") from None
        sock.listen(128)
        self._sock = sock
        host = f"[{self._host}]" if family == socket.AF_INET6 else self._host
        self.base_url = f"{'https' if self._tls else 'http'}://{host}:{sock.getsockname()[1]}"
        return self.base_url

    def serve(self, app: ASGIApp) -> None:
        if self._sock is None:
            raise ServerStartError(f"the {self._name} serves only once bound")
        sock = self._sock
        # keep-alive 30 s, as GWS fronts usually keep it, rather than uvicorn's 5 s
        config = uvicorn.Config(
            app,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
            **(self._tls.uvicorn_options() if self._tls else {}),
        )
        self._server = server = uvicorn.Server(config)
        started = threading.Event()

        def run() -> None:
            async def main() -> None:
                self.loop = asyncio.get_running_loop()
                task = asyncio.create_task(server.serve(sockets=[sock]))
                while not server.started and not task.done():
                    await asyncio.sleep(0.001)
                started.set()
                await task

            asyncio.run(main())

        self._thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread.start()
        if not started.wait(10) or not server.started:
            raise ServerStartError(f"the {self._name} did not start within 10 s")

    def stop(self, first: Callable[[], None] | None = None) -> None:
        """Stop serving; ``first`` runs in the server's loop before (to answer held requests)."""
        if self._server is None or self.loop is None:
            return
        if first is not None:
            self.loop.call_soon_threadsafe(first)
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server = None


class ReferenceServer:
    def __init__(
        self,
        directory: Directory | None = None,
        faults: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        settings: ServerSettings | None = None,
        hostile: str | None = None,
        tls: ServerTls | None = None,
        test_api_key: str | None = None,
    ) -> None:
        hostile_check(hostile)
        self.hostile = hostile
        self.test_api_key = test_api_key  # set: the test-only API is hidden from whoever lacks it
        self.faults = FaultSet(faults)
        self.domain = SmsDomain(directory, self.faults)
        self.app = ReferenceApp(self.domain, settings or ServerSettings())
        self._asgi = AsgiServer(host, port, tls, "gws-reference-server")
        self.base_url = ""

    def start(self) -> str:
        self.base_url = self.domain.base_url = self._asgi.bind()
        app: ASGIApp = self.app.asgi
        if self.test_api_key is not None:
            app = HiddenTestApi(app, self.test_api_key)
        self._asgi.serve(Hostile(app, self.hostile) if self.hostile else app)
        return self.base_url

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The server's event loop (for a test that must act inside it)."""
        return self._asgi.loop

    def stop(self) -> None:
        self._asgi.stop(first=self.app.bayeux.close)  # held long polls are answered, not waited out

    def __enter__(self) -> ReferenceServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
