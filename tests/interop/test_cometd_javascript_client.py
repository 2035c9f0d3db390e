"""The official CometD JavaScript client (npm cometd + cometd-nodejs-client) talks to the reference
server: handshake with Basic auth and the cookie session, subscribe, receive a Consult's two
notifications in the documented order."""

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from conformance.server.runner import ReferenceServer

HERE = Path(__file__).parent


def _require_node() -> str:
    node = shutil.which("node")
    if node and (HERE / "node_modules" / "cometd").is_dir():
        return node
    reason = "node and tests/interop/node_modules are needed: (cd tests/interop && npm ci)"
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI must run this test)")
    pytest.skip(reason)


class Lines:
    """The listener's stdout as JSON events, read on a thread so waiting has a deadline."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(process.stdout,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self._queue.put(json.loads(line))
        self._queue.put(None)

    def next(self, deadline: float) -> dict:
        event = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        assert event is not None, "the CometD client exited"
        return event


def _logged_in(server, username: str) -> httpx.Client:
    """A REST client with its cookie session and the CSRF token it was handed."""
    client = httpx.Client(base_url=server.base_url, auth=(username, f"{username}-pass"))
    client.headers["X-CSRF-TOKEN"] = client.get("/api/v2/me").headers["X-CSRF-TOKEN"]
    return client


def test_the_official_cometd_client_receives_a_consult_in_order():
    node = _require_node()
    with ReferenceServer() as server:
        agents = {a["username"]: a for a in httpx.get(f"{server.base_url}/conformance/v1/agents").json()["agents"]}
        listener = subprocess.Popen(
            [
                node,
                str(HERE / "cometd-listener.mjs"),
                f"{server.base_url}/api/v2/notifications",
                "alice",
                "alice-pass",
                "/v2/me/smssessions",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            lines = Lines(listener)
            deadline = time.monotonic() + 20
            subscribed = lines.next(deadline)
            assert subscribed["event"] == "subscribed" and subscribed["transport"] == "long-polling", subscribed
            session_id = httpx.post(
                f"{server.base_url}/conformance/v1/smssessions",
                json={
                    "agent": "alice",
                    "customer": {"nickname": "FirstL", "phoneNumber": "+15550100"},
                    "text": "Hi",
                    "state": "Chatting",
                },
            ).json()["id"]
            provisioning = [lines.next(deadline)["data"]["notificationType"] for _ in range(2)]
            assert provisioning == ["StatusChange", "NewMessages"]

            bob = _logged_in(server, "bob")  # the consultant must be available
            bob.post("/api/v2/me", json={"operationName": "StartContactCenterSession", "channels": ["sms"]})
            accepted = _logged_in(server, "alice").post(
                f"/api/v2/me/smssessions/{session_id}",
                json={"operationName": "Consult", "targetUri": agents["bob"]["userUri"]},
            )
            assert accepted.json()["statusCode"] == 0
            received = [lines.next(deadline) for _ in range(2)]
            assert [e["channel"] for e in received] == ["/v2/me/smssessions"] * 2
            assert [e["data"]["notificationType"] for e in received] == ["ParticipantsUpdated", "NewMessages"]
            assert received[1]["data"]["messages"][0]["type"] == "ParticipantJoined"
        finally:
            listener.stdin.close()
            listener.wait(timeout=10)
