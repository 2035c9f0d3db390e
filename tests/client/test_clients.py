"""The REST and Bayeux clients against the reference server: CSRF, redaction, ordering, re-handshake."""

import json
import os
import re
import subprocess
import threading
import time

import httpx
import pytest

from conformance.client.agent import Agent
from conformance.client.bayeux import NotificationLog
from conformance.client.rest import GwsRestClient, TargetUnreachable
from conformance.config import load_config
from conformance.server.app import ServerSettings
from conformance.server.runner import ReferenceServer


@pytest.fixture(scope="module")
def server():
    with ReferenceServer(settings=ServerSettings(connect_timeout_ms=1_000)) as running:
        yield running


@pytest.fixture(scope="module")
def config(server, tmp_path_factory):
    return load_config(environ={}, cwd=tmp_path_factory.mktemp("cwd")).with_reference_server(
        server.base_url, server.app.agents_listing()
    )


def provision(server) -> str:
    return httpx.post(
        f"{server.base_url}/conformance/v1/smssessions",
        json={"agent": "alice", "customer": {"nickname": "C", "phoneNumber": "+15550100"}, "text": "Hi"},
    ).json()["id"]


def test_the_rest_client_fetches_the_csrf_token_before_its_first_write(server):
    client = GwsRestClient(server.base_url, "alice", "alice-pass")
    exchange = client.post("/api/v2/me", {"operationName": "StartContactCenterSession"})
    assert exchange.status == 200 and exchange.body == {"statusCode": 0}
    assert exchange.request_headers["x-csrf-token"] == "***" and exchange.request_headers["authorization"] == "***"
    curl = exchange.curl()
    assert "alice-pass" not in curl and "$GWS_PASSWORD" in curl and "$GWS_CSRF_TOKEN" in curl


def test_an_unreachable_target_is_one_clear_exception():
    client = GwsRestClient("http://127.0.0.1:9", "a", "b", timeout=2)
    with pytest.raises(TargetUnreachable, match=re.escape("GET http://127.0.0.1:9/api/v2/me: ConnectError")):
        client.get("/api/v2/me")


def test_the_log_waits_on_events_with_a_deadline():
    log = NotificationLog()
    threading.Timer(0.05, log.append, args=("/t", {"n": 1})).start()
    found = log.wait_for(lambda d: d["n"] == 1, since=0, deadline=time.monotonic() + 5)
    assert found is not None and found.seq == 0
    started = time.monotonic()
    assert log.wait_for(lambda d: d["n"] == 2, since=0, deadline=started + 0.1) is None
    assert time.monotonic() - started >= 0.09  # it waited for the deadline (a slow machine only adds)


def test_an_agent_receives_a_sessions_notifications_in_order(server, config):
    with Agent(config, "originator") as alice:
        since = alice.log.mark()
        session_id = provision(server)
        for operation in ("SendStartTypingNotification", "SendStopTypingNotification") * 3:
            alice.operate(session_id, {"operationName": operation})
        last = alice.log.wait_for(
            lambda d: len(alice.log.snapshot(since)) >= 8, since=since, deadline=time.monotonic() + 5
        )
        assert last is not None
        indexes = [m["index"] for r in alice.log.snapshot(since)[1:] for m in r.data["messages"]]
        assert indexes == sorted(set(indexes))


def test_the_bayeux_client_handshakes_again_when_the_server_forgets_it(server, config):
    with Agent(config, "originator") as alice:
        forgotten = alice.bayeux.client_id
        since = alice.log.mark()
        # the server drops the client, as after an expiry; the next connect gets 402::Unknown client
        server.loop.call_soon_threadsafe(server.app.bayeux._drop, server.app.bayeux._clients[forgotten])
        rehandshake = alice.log.wait_for(lambda d: "rehandshake" in d, since=since, deadline=time.monotonic() + 10)
        assert rehandshake is not None and rehandshake.channel == "/meta/handshake"
        session_id = provision(server)
        arrived = alice.log.wait_for(
            lambda d: (d.get("smssession") or {}).get("id") == session_id, since=since, deadline=time.monotonic() + 10
        )
        assert arrived is not None and alice.bayeux.rehandshakes >= 1 and alice.bayeux.client_id != forgotten


def test_the_reproduction_of_a_write_runs_as_pasted(server, tmp_path):
    """The shell block logs in, keeps the cookie, takes the CSRF token and sends the request."""
    client = GwsRestClient(server.base_url, "alice", "alice-pass")
    session_id = provision(server)
    recorded = client.post(f"/api/v2/me/smssessions/{session_id}", {"operationName": "Consul"})
    replayed = subprocess.run(
        ["bash", "-c", recorded.curl()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "GWS_USER": "alice", "GWS_PASSWORD": "alice-pass"},
    )
    assert replayed.returncode == 0, replayed.stderr
    assert (
        json.loads(replayed.stdout) == recorded.body == {"statusCode": 2, "statusMessage": "Invalid operation 'Consul'"}
    )


def test_the_stream_backs_off_when_connects_come_back_empty_at_once(tmp_path):
    """A server that answers every /meta/connect at once with nothing is not polled in a loop."""
    with ReferenceServer(hostile="empty-connects") as hostile:
        front = load_config(environ={}, cwd=tmp_path).with_reference_server(
            hostile.base_url, hostile.app.agents_listing()
        )
        with Agent(front, "originator") as alice:
            alice.log.wait_for(lambda d: False, since=0, deadline=time.monotonic() + 2)  # two seconds of it
            connects = alice.bayeux.empty_connects
    assert 3 <= connects <= 40, connects  # backed off to at most BACKOFF_MAX between connects, not thousands
    assert "connects came back empty at once" in alice.bayeux.trouble()


@pytest.mark.parametrize("token", ["tok\nen", "tök"], ids=["newline", "not-ascii"])
def test_a_csrf_token_that_is_no_legal_header_value_is_a_named_transport_failure(server, token):
    client = GwsRestClient(server.base_url, "alice", "alice-pass")
    client.get("/api/v2/me")
    client._csrf = ("X-CSRF-TOKEN", token)  # as a broken server could hand it out
    with pytest.raises(TargetUnreachable, match="is the X-CSRF-TOKEN it handed out a legal header value"):
        client.post("/api/v2/me", {"operationName": "StartContactCenterSession"})


def test_a_server_echoing_credentials_leaves_them_in_no_exchange(server):
    from conformance.redaction import REDACTED

    with ReferenceServer(hostile="echo-headers") as echoing:
        client = GwsRestClient(echoing.base_url, "alice", "alice-pass")
        exchange = client.get("/api/v2/me")
    echoed = exchange.body["debug"]["requestHeaders"]
    assert echoed["authorization"] == f"Basic {REDACTED}" and "alice-pass" not in json.dumps(exchange.body)
