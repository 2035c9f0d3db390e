"""The reference server over real HTTP: GWS auth, CSRF, REST, Bayeux long polling, bad input."""

import concurrent.futures
import time

import httpx
import pytest
from bayeux_peer import HANDSHAKE, TOPIC, Client, notifications, provision

from conformance.server.app import MAX_BODY_BYTES, ServerSettings
from conformance.server.runner import ReferenceServer
from conformance.spec.schemas import load_sample, validate


@pytest.fixture(scope="module")
def server():
    with ReferenceServer(settings=ServerSettings(connect_timeout_ms=2_000, max_interval_ms=1_000)) as running:
        yield running


@pytest.fixture(scope="module")
def holding_server():
    """Holds an idle long poll for a minute: a reply well before that was not held (no tight clock
    bound in a test; benchmarks/server_timing.py measures how fast)."""
    with ReferenceServer(settings=ServerSettings(connect_timeout_ms=60_000)) as running:
        yield running


HELD_SECONDS = 30  # far below the minute: a reply sooner was not held


@pytest.fixture(scope="module")
def agents(server):
    return {a["username"]: a for a in httpx.get(f"{server.base_url}/conformance/v1/agents").json()["agents"]}


# --- auth --------------------------------------------------------------------------------------------------


def test_wrong_credentials_get_401_with_the_gws_body(server):
    response = httpx.get(f"{server.base_url}/api/v2/me", auth=("alice", "wrong"))
    assert response.status_code == 401 and response.json() == {"statusCode": 20, "statusMessage": "Access denied"}
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_a_get_opens_a_cookie_session_and_hands_out_the_csrf_token(server):
    response = httpx.get(f"{server.base_url}/api/v2/me", auth=("alice", "alice-pass"))
    assert response.cookies.get("JSESSIONID")
    assert response.headers["X-CSRF-HEADER"] == "X-CSRF-TOKEN" and response.headers["X-CSRF-TOKEN"]


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_write_without_the_csrf_token_is_forbidden(server, token):
    client = Client(server, "alice")
    headers = {"X-CSRF-TOKEN": token} if token else {}
    response = client.http.post("/api/v2/me", json={"operationName": "StartContactCenterSession"}, headers=headers)
    assert response.status_code == 403 and response.json()["statusMessage"] == "Missing or invalid Csrf token"
    assert client.post("/api/v2/me", {"operationName": "StartContactCenterSession"}).json() == {"statusCode": 0}


def test_reference_ids_are_counted_per_cookie_session(server, agents):
    session_id = provision(server)
    first, second = Client(server, "alice"), Client(server, "alice")
    typing = {"operationName": "SendStartTypingNotification"}
    ids = [c.post(f"/api/v2/me/smssessions/{session_id}", typing).json()["referenceId"] for c in (first, first, second)]
    assert ids[1] == ids[0] + 1 and ids[2] == 1


def test_the_version_probe_needs_no_credentials(server):
    assert httpx.get(f"{server.base_url}/api/v2/diagnostics/version").json()["statusCode"] == 0


# --- Bayeux ------------------------------------------------------------------------------------------------------


def test_an_unknown_client_is_told_to_handshake_again(server):
    reply = Client(server, "alice").connect("no-such-client")[0]
    assert reply["error"] == "402::Unknown client" and reply["advice"]["reconnect"] == "handshake"


def test_a_connect_batched_with_other_messages_is_answered_at_once(holding_server):
    """As CometD servers do: the JavaScript client sends its first subscriptions with a connect."""
    client = Client(holding_server, "carol")
    client_id = client.subscribe()
    started = time.monotonic()
    replies = client.bayeux(
        {"channel": "/meta/subscribe", "clientId": client_id, "subscription": "/v2/me/*"},
        {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"},
    )
    assert [r["successful"] for r in replies] == [True, True] and time.monotonic() - started < HELD_SECONDS


def test_batched_messages_in_one_post_are_each_answered_with_their_id(server):
    client = Client(server, "alice")
    client_id = client.bayeux(HANDSHAKE)[0]["clientId"]
    replies = client.bayeux(
        {"channel": "/meta/subscribe", "clientId": client_id, "subscription": TOPIC, "id": "a"},
        {"channel": "/meta/subscribe", "clientId": client_id, "subscription": "/v2/me/*", "id": "b"},
        {"channel": "/meta/unsubscribe", "clientId": client_id, "subscription": "/v2/me/*", "id": "c"},
    )
    assert [(r["id"], r["successful"]) for r in replies] == [("a", True), ("b", True), ("c", True)]


def test_a_connect_is_held_until_the_advised_timeout_when_nothing_comes(server):
    client = Client(server, "carol")
    client_id = client.subscribe()
    started = time.monotonic()
    reply = client.connect(client_id)
    assert reply == [
        {
            "channel": "/meta/connect",
            "clientId": client_id,
            "successful": True,
            "advice": {"reconnect": "retry", "interval": 0, "timeout": 2000},
        }
    ]
    assert time.monotonic() - started >= 1.9  # held for the advised timeout (a slow machine only adds)


def test_a_held_connect_returns_as_soon_as_a_notification_is_published(holding_server):
    client = Client(holding_server, "alice")
    client_id = client.subscribe()
    holder = concurrent.futures.ThreadPoolExecutor(1).submit(client.connect, client_id)
    provision(holding_server)
    replies = holder.result(timeout=HELD_SECONDS)  # released by the notification, not by the minute's hold
    assert next(r["data"]["notificationType"] for r in replies if r["channel"] == TOPIC) == "StatusChange"


def test_messages_queued_between_connects_are_neither_lost_nor_reordered(server):
    client = Client(server, "alice")
    client_id = client.subscribe()
    session_id = provision(server)
    for operation in ("SendStartTypingNotification", "SendStopTypingNotification") * 5:
        client.post(f"/api/v2/me/smssessions/{session_id}", {"operationName": operation})
    received = notifications(client, client_id, 12)
    indexes = [m["index"] for data in received[1:] for m in data["messages"]]
    assert indexes == sorted(indexes) and len(indexes) == len(set(indexes)) == 3 + 10


def test_a_client_that_stops_connecting_expires(server):
    """max_interval is 1 s; the time passes inside another client's held long poll (2 s), not a sleep."""
    client = Client(server, "alice")
    idle = client.subscribe()
    waiter = Client(server, "carol")
    started = time.monotonic()
    waiter.connect(waiter.subscribe())
    assert time.monotonic() - started > 1
    assert client.connect(idle)[0]["error"] == "402::Unknown client"


# --- the Consult flow with the page's samples as expected shapes ----------------------------------------------------


def test_consult_success_notifies_both_agents_in_the_documented_order(server, agents):
    alice, bob = Client(server, "alice"), Client(server, "bob")
    alice_id, bob_id = alice.subscribe(), bob.subscribe()
    session_id = provision(server)
    notifications(alice, alice_id, 2)  # the provisioning ones
    response = alice.post(
        f"/api/v2/me/smssessions/{session_id}", {"operationName": "Consult", "targetUri": agents["bob"]["userUri"]}
    )
    assert response.status_code == 200 and validate("responses/accepted", response.json()) == []
    for client, client_id in ((alice, alice_id), (bob, bob_id)):
        updated, joined = notifications(client, client_id, 2)
        assert (updated["notificationType"], joined["notificationType"]) == ("ParticipantsUpdated", "NewMessages")
        assert validate("notifications/participants-updated", updated) == []
        assert validate("notifications/new-messages", joined) == []
        sample = load_sample("consult/notification-new-messages")["messages"][0]
        message = joined["messages"][0]
        assert {k: message[k] for k in ("type", "visibility")} == {k: sample[k] for k in ("type", "visibility")}


def test_consult_failure_echoes_the_reference_id_in_the_error(server):
    alice = Client(server, "alice")
    alice_id = alice.subscribe()
    session_id = provision(server)
    notifications(alice, alice_id, 2)
    response = alice.post(
        f"/api/v2/me/smssessions/{session_id}",
        {"operationName": "Consult", "targetPath": "/users/00000000000000000000000000000000"},
    )
    [error] = notifications(alice, alice_id, 1)
    sample = load_sample("consult/notification-error")
    assert error.keys() == sample.keys() and validate("notifications/error", error) == []
    assert error["referenceId"] == response.json()["referenceId"]


# --- bad input never crashes it -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b'{"operationName": "Consult"}', "text/plain", 415),
        (b"[]", "application/json", 400),
        (b'"Consult"', "application/json", 400),
        (b"null", "application/json", 400),
        (b'{"operationName": "Consult", "targetUri": {"$ne": 1}}', "application/json", 400),
        (b'{"operationName": "' + b"A" * 10_000 + b'"}', "application/json", 400),
        (
            b'{"operationName": "Consult", "targetUri": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}',
            "application/json",
            413,
        ),
    ],
)
def test_garbage_gets_a_gws_refusal_never_a_5xx(server, content, content_type, status):
    client = Client(server, "alice")
    response = client.http.post(
        f"/api/v2/me/smssessions/{provision(server)}",
        content=content,
        headers={"X-CSRF-TOKEN": client.token, "Content-Type": content_type},
    )
    assert response.status_code == status
    assert validate("responses/error", response.json()) == []


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v2/nothing/here", 404),
        ("DELETE", "/api/v2/me/smssessions", 405),
        ("GET", "/api/v2/me/smssessions/0000nope", 404),
        ("GET", "/api/v2/me/smssessions/x/messages?count=-1", 400),
    ],
)
def test_unknown_paths_and_methods_get_gws_bodies(server, method, path, status):
    client = Client(server, "alice")
    response = client.http.request(method, path, headers={"X-CSRF-TOKEN": client.token})
    assert response.status_code == status and response.json()["statusCode"] != 0


# --- scale and start-up --------------------------------------------------------------------------------------


def test_a_hundred_concurrent_sessions_with_consults_at_once(server, agents):
    sessions = [provision(server) for _ in range(100)]
    clients = [Client(server, "alice") for _ in range(4)]
    bob = Client(server, "bob")  # available to be consulted whatever ran before in this module
    bob.post("/api/v2/me", {"operationName": "StartContactCenterSession", "channels": ["sms"]})

    def consult(index):
        return clients[index % 4].post(
            f"/api/v2/me/smssessions/{sessions[index]}",
            {"operationName": "Consult", "targetPath": agents["bob"]["userPath"]},
        )

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(consult, range(100)))
    assert all(r.status_code == 200 and r.json()["statusCode"] == 0 for r in responses)
    listed = bob.http.get("/api/v2/me/smssessions").json()["smssessions"]
    assert {s["id"] for s in listed} >= set(sessions)


def test_stopping_the_server_answers_a_held_long_poll_instead_of_waiting_for_it():
    """Its start and stop times are measured by benchmarks/server_timing.py, not asserted here."""
    with ReferenceServer(settings=ServerSettings(connect_timeout_ms=60_000)) as running:
        assert httpx.get(f"{running.base_url}/api/v2/diagnostics/version").status_code == 200
        client = Client(running, "alice")
        client_id = client.subscribe()
        holder = concurrent.futures.ThreadPoolExecutor(1).submit(client.connect, client_id)
    holder.result(timeout=HELD_SECONDS)  # answered by the stop, not by the minute's hold


# --- strict readings a server built from the pages may take (benign variations) ---------------------------


def test_csrf_on_every_post_refuses_a_cometd_post_without_the_token():
    with ReferenceServer(faults=["csrf-on-every-post"]) as strict:
        client = Client(strict, "alice")
        refused = client.http.post("/api/v2/notifications", json=[HANDSHAKE])
        taken = client.http.post("/api/v2/notifications", json=[HANDSHAKE], headers={"X-CSRF-TOKEN": client.token})
    assert refused.status_code == 403 and taken.json()[0]["successful"]


def test_accept_nickname_required_refuses_an_accept_without_it():
    with ReferenceServer(faults=["accept-nickname-required"]) as strict:
        session = provision_invited(strict)
        client = Client(strict, "alice")
        without = client.post(f"/api/v2/me/smssessions/{session}", {"operationName": "Accept"}).json()
        named = client.post(f"/api/v2/me/smssessions/{session}", {"operationName": "Accept", "nickname": "A"}).json()
    assert without["statusCode"] == 1 and named["statusCode"] == 0


def test_the_strict_server_refuses_what_each_strict_reading_refuses():
    """strict is every strict reading at once: CometD's POSTs need the CSRF header, Accept its nickname."""
    with ReferenceServer(faults=["strict"]) as strict:
        session = provision_invited(strict)
        client = Client(strict, "alice")
        handshake = client.http.post("/api/v2/notifications", json=[HANDSHAKE])
        without = client.post(f"/api/v2/me/smssessions/{session}", {"operationName": "Accept"}).json()
    assert handshake.status_code == 403 and without["statusCode"] == 1


def test_feature_only_on_operations_lists_sessions_to_a_user_without_the_feature():
    for faults, listed in (((), False), (("feature-only-on-operations",), True)):
        with ReferenceServer(faults=faults) as running:
            answer = httpx.get(f"{running.base_url}/api/v2/me/smssessions", auth=("dave", "dave-pass")).json()
        assert (answer["statusCode"] == 0) is listed, answer


def provision_invited(server):
    return httpx.post(
        f"{server.base_url}/conformance/v1/smssessions",
        json={"agent": "alice", "customer": {"nickname": "FirstL", "phoneNumber": "+15550100"}, "state": "Invited"},
    ).json()["id"]
