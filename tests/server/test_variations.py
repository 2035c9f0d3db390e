"""The benign variations really vary what the server sends (the suite passing them proves
nothing otherwise); that the suite passes them is tests/test_selftest.py's business."""

import asyncio

import pytest
from bayeux_peer import TOPIC, Client, notifications, provision

from conformance.server.app import ServerSettings
from conformance.server.faults import FaultSet
from conformance.server.runner import ReferenceServer
from conformance.server.variations import (
    OTHER_SESSION_ID,
    OrderedDelays,
    vary_notification,
)

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
    with (
        ReferenceServer(settings=SETTINGS) as plain,
        ReferenceServer(faults=["key-order"], settings=SETTINGS) as varied,
    ):
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


# --- the open points of the pages, in the domain -------------------------------------------------------------


def _typing_recipients(*variations: str) -> dict[str, set[str]]:
    """Who is notified of alice's typing and of bob's agents-only text, in a consult session."""
    from test_domain import consult, make_domain, provision, user

    domain = make_domain(*variations)
    ids = iter(range(1, 100)).__next__
    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    typing = domain.operate("alice", session_id, {"operationName": "SendStartTypingNotification"}, ids)
    text = domain.operate("bob", session_id, {"operationName": "SendToAgents", "text": "psst"}, ids)
    return {"typing": {to for to, _ in typing.notifications}, "text": {to for to, _ in text.notifications}}


@pytest.mark.parametrize(
    ("variation", "typing", "text"),
    [
        (None, {"alice", "bob"}, {"alice", "bob"}),
        ("no-echo-to-sender", {"bob"}, {"alice"}),
        ("typing-to-others-only", {"bob"}, {"alice", "bob"}),
    ],
)
def test_who_receives_an_agents_own_messages_varies(variation, typing, text):
    assert _typing_recipients(*([variation] if variation else [])) == {"typing": typing, "text": text}


def _consult_notifications(*variations: str) -> list[dict]:
    from test_domain import consult, make_domain, provision, user

    domain = make_domain(*variations)
    session_id = provision(domain)
    outcome = consult(domain, iter(range(1, 100)).__next__, session_id, **user(domain, "bob"))
    return [data for to, data in outcome.notifications if to == "alice"], outcome


def test_unrelated_notifications_come_between_and_after_the_consults():
    notes, _ = _consult_notifications("unrelated-in-session")
    described = [(d["notificationType"], [m["type"] for m in d.get("messages", [])]) for d in notes]
    assert described == [
        ("ParticipantsUpdated", []),
        ("PropertiesUpdated", []),
        ("NewMessages", ["ParticipantJoined"]),
        ("NewMessages", ["TypingStarted"]),
    ]


@pytest.mark.parametrize("variation", ["participants-reversed", "originator-listed-last"])
def test_participant_order_varies(variation):
    plain = [p["nickname"] for p in _consult_notifications()[0][0]["smssession"]["participants"]]
    varied = [p["nickname"] for p in _consult_notifications(variation)[0][0]["smssession"]["participants"]]
    assert sorted(varied) == sorted(plain) and varied != plain and plain[1] == "Alice"
    assert varied[0] != "Alice"


def test_an_unavailable_target_can_be_refused_in_the_response():
    from test_domain import consult, make_domain, provision

    domain = make_domain("sync-refusal-of-unavailable-target")
    outcome = consult(domain, iter(range(1, 100)).__next__, provision(domain), targetUri="http://x/api/v2/users/nobody")
    assert outcome.http_status == 400 and outcome.body["statusCode"] == 2 and not outcome.notifications


# --- the open points of the lifecycle pages -------------------------------------------------------------------


def _accept_notifications(*variations: str) -> tuple[list[dict], dict]:
    from test_domain import make_domain, provision

    domain = make_domain(*variations)
    session_id = provision(domain, "Invited")
    outcome = domain.operate("alice", session_id, {"operationName": "Accept"}, iter(range(1, 100)).__next__)
    return [data for _, data in outcome.notifications], outcome.body


def test_accept_can_list_participants_first_and_send_its_history_in_pieces():
    plain, _ = _accept_notifications()
    varied, _ = _accept_notifications("accept-history-in-pieces")
    assert plain[0]["smssession"]["participants"] == [] and varied[0]["smssession"]["participants"] != []
    assert [len(d["messages"]) for d in plain[2:]] == [3] and [len(d["messages"]) for d in varied[2:]] == [1, 1, 1]


def test_accept_can_come_with_unrelated_notifications():
    varied, _ = _accept_notifications("unrelated-in-session")
    assert [d["notificationType"] for d in varied] == [
        "StatusChange",
        "PropertiesUpdated",
        "ParticipantsUpdated",
        "NewMessages",
    ]


def test_bare_responses_drop_the_reference_id_but_notifications_keep_it():
    (status, *_), body = _accept_notifications("bare-responses")
    assert body == {"statusCode": 0} and isinstance(status["referenceId"], int)
    assert "referenceId" in _accept_notifications()[1]
