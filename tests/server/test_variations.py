"""The benign variations really vary what the server sends (the suite passing them proves
nothing otherwise); that the suite passes them is tests/test_selftest.py's business."""

import asyncio

import pytest
from bayeux_peer import TOPIC, Client, notifications, provision

from conformance.server.app import ServerSettings
from conformance.server.faults import FaultSet
from conformance.server.runner import ReferenceServer
from conformance.server.variations import OTHER_SESSION_ID, OrderedDelays, vary_notification

SETTINGS = ServerSettings(connect_timeout_ms=2_000, max_interval_ms=5_000)


def test_extra_fields_reach_responses_and_notifications():
    with ReferenceServer(faults=["extra-fields"], settings=SETTINGS) as server:
        client = Client(server, "alice")
        me = client.http.get("/api/v2/me").json()
        client_id = client.subscribe()
        provision(server)
        status_change = notifications(client, client_id, 1)[0]
    assert "x-vendor-extension" in me
    assert "x-vendor-extension" in status_change and "x-vendor-extension" in status_change["smssession"]
    assert all("x-vendor-extension" in p for p in status_change["smssession"]["participants"])


def test_key_order_reverses_keys_and_capabilities():
    with ReferenceServer(settings=SETTINGS) as plain, ReferenceServer(faults=["key-order"], settings=SETTINGS) as varied:
        sessions = []
        for server in (plain, varied):
            client = Client(server, "alice")
            client_id = client.subscribe()
            provision(server)
            sessions.append(notifications(client, client_id, 1)[0]["smssession"])
    assert list(sessions[1]) == list(reversed(sessions[0]))
    assert sessions[1]["capabilities"] == list(reversed(sessions[0]["capabilities"]))


@pytest.mark.parametrize(("variation", "most_per_connect"), [("split-connects", 1), (None, 4)])
def test_split_connects_answer_one_notification_each(variation, most_per_connect):
    with ReferenceServer(faults=[variation] if variation else [], settings=SETTINGS) as server:
        client = Client(server, "alice")
        client_id = client.subscribe()
        session_id = provision(server)
        for operation in ("SendStartTypingNotification", "SendStopTypingNotification"):  # 2 + 2 provisioning
            client.post(f"/api/v2/me/smssessions/{session_id}", {"operationName": operation})
        first = [r for r in client.connect(client_id) if r["channel"] == TOPIC]
        assert len(first) == most_per_connect


def test_other_sessions_are_interleaved_after_each_notification():
    data = {"notificationType": "StatusChange", "smssession": {"id": "S1", "participants": []}}
    mine, other = vary_notification(data, FaultSet(["other-sessions-interleaved"]))
    assert mine == data and other["smssession"]["id"] == OTHER_SESSION_ID


def test_ordered_delays_keep_each_users_order_whatever_the_jitter():
    async def deliver_all() -> list[int]:
        delays, delivered = OrderedDelays(seed=7), []
        for n in range(200):
            delays.schedule("alice", lambda n=n: delivered.append(n), delays.jitter())
        while len(delivered) < 200:
            await asyncio.sleep(0.01)  # the event loop runs the scheduled deliveries meanwhile
        return delivered

    assert asyncio.run(deliver_all()) == list(range(200))
