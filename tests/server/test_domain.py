"""The SMS session domain of the reference server, without HTTP: states, capabilities, operations."""

import itertools

import pytest

from conformance.server.domain import SmsDomain
from conformance.server.faults import FaultSet
from conformance.server.sessions import AGENT_ONLY_CAPABILITIES
from conformance.spec.schemas import load_sample, validate


class Clock:
    def __init__(self) -> None:
        self.now = 1389039246.007

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


def make_domain(*faults: str) -> SmsDomain:
    domain = SmsDomain(faults=FaultSet(faults), clock=Clock())
    domain.base_url = "http://gws.test:8080"
    for name in ("alice", "bob", "carol"):
        domain.set_online(name, True)
    return domain


@pytest.fixture
def domain() -> SmsDomain:
    return make_domain()


@pytest.fixture
def ids():
    counter = itertools.count(35)
    return lambda: next(counter)


def provision(domain: SmsDomain, state: str = "Chatting") -> str:
    body, _ = domain.provision("alice", "FirstL", "+15550001", "Hello", state)
    return body["id"]


def user(domain: SmsDomain, name: str, form: str = "uri") -> dict:
    account = domain.directory.agents[name]
    return (
        {"targetUri": f"http://elsewhere:1/api/v2/users/{account.user_id}"}
        if form == "uri"
        else {"targetPath": account.user_path}
    )


def consult(domain, ids, session_id, **target):
    return domain.operate("alice", session_id, {"operationName": "Consult", **target}, ids)


# --- capabilities ------------------------------------------------------------------------------------

SAMPLE_BEFORE = set(load_sample("consult/notification-error")["smssession"]["capabilities"])
SAMPLE_DURING = set(load_sample("consult/notification-participants-updated")["smssession"]["capabilities"])


def test_the_owner_has_the_capabilities_of_the_pages_failure_sample(domain):
    session_id = provision(domain)
    assert set(domain.get_session("alice", session_id)["capabilities"]) == SAMPLE_BEFORE


def test_during_a_consult_the_owner_has_the_capabilities_of_the_success_sample(domain, ids):
    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    assert set(domain.get_session("alice", session_id)["capabilities"]) == SAMPLE_DURING
    assert set(AGENT_ONLY_CAPABILITIES) == SAMPLE_DURING - SAMPLE_BEFORE


def test_the_consultant_talks_to_agents_only_and_cannot_move_the_customer(domain, ids):
    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    capabilities = set(domain.get_session("bob", session_id)["capabilities"])
    assert set(AGENT_ONLY_CAPABILITIES) <= capabilities
    assert not capabilities & {"Transfer", "Invite", "Complete", "SendMessage", "Consult"}


def test_an_invited_session_offers_accept_and_reject_only(domain, ids):
    session_id = provision(domain, "Invited")
    assert set(domain.get_session("alice", session_id)["capabilities"]) == {"Accept", "Reject"}
    outcome = domain.operate("alice", session_id, {"operationName": "Accept"}, ids)
    assert outcome.body["statusCode"] == 0
    assert domain.get_session("alice", session_id)["state"] == "Chatting"


def test_a_completed_session_offers_nothing(domain, ids):
    session_id = provision(domain)
    domain.operate("alice", session_id, {"operationName": "Complete"}, ids)
    session = domain.get_session("alice", session_id)
    assert session["state"] == "Completed" and session["capabilities"] == []


# --- validation order and refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "body", "session", "http", "code"),
    [
        ("dave", {"operationName": "Consult"}, "known", 403, 5),
        ("alice", ["Consult"], "known", 400, 1),
        ("alice", {"targetUri": "x"}, "known", 400, 1),
        ("alice", {"operationName": 7}, "known", 400, 2),
        ("alice", {"operationName": "Dance"}, "known", 400, 2),
        ("alice", {"operationName": "Consult"}, "unknown", 404, 6),
        ("bob", {"operationName": "Consult"}, "known", 404, 6),
        ("alice", {"operationName": "Accept"}, "known", 400, 2),
        ("alice", {"operationName": "Consult"}, "known", 400, 1),
        ("alice", {"operationName": "Consult", "targetUri": 42}, "known", 400, 2),
        ("alice", {"operationName": "SendMessage"}, "known", 400, 1),
        ("alice", {"operationName": "UpdateUserData", "userData": []}, "known", 400, 2),
    ],
    ids=[
        "no-feature",
        "not-an-object",
        "no-operation",
        "operation-not-string",
        "unknown-operation",
        "unknown-session",
        "not-a-participant",
        "not-in-capabilities",
        "no-target",
        "target-wrong-type",
        "message-missing",
        "user-data-wrong-type",
    ],
)
def test_refusals_have_the_documented_code_and_change_nothing(domain, ids, username, body, session, http, code):
    session_id = provision(domain)
    before = domain.get_session("alice", session_id), domain.get_messages("alice", session_id)
    outcome = domain.operate(username, session_id if session == "known" else "0000nope", body, ids)
    assert (outcome.http_status, outcome.body["statusCode"]) == (http, code)
    assert set(outcome.body) == {"statusCode", "statusMessage"} and not outcome.notifications
    assert (domain.get_session("alice", session_id), domain.get_messages("alice", session_id)) == before


# --- Consult -------------------------------------------------------------------------------------------------


def _same_shape(notification: dict, sample: dict) -> None:
    """Same keys and documented values as the page's sample; ids, names and times differ."""
    assert notification.keys() >= sample.keys() - {"referenceId"}
    for key in ("notificationType", "messageType"):
        assert notification[key] == sample[key]


@pytest.mark.parametrize("form", ["uri", "path"])
def test_a_consult_notifies_every_agent_as_the_page_shows(domain, ids, form):
    session_id = provision(domain)
    outcome = consult(domain, ids, session_id, **user(domain, "bob", form))
    assert outcome.body == {"statusCode": 0, "referenceId": 35}
    sent = [(name, data["notificationType"]) for name, data in outcome.notifications]
    assert sent == [
        ("alice", "ParticipantsUpdated"),
        ("alice", "NewMessages"),
        ("bob", "ParticipantsUpdated"),
        ("bob", "NewMessages"),
    ]
    updated, joined = outcome.notifications[0][1], outcome.notifications[1][1]
    _same_shape(updated, load_sample("consult/notification-participants-updated"))
    _same_shape(joined, load_sample("consult/notification-new-messages"))
    assert validate("notifications/participants-updated", updated) == []
    assert validate("notifications/new-messages", joined) == []
    bob = [p for p in updated["smssession"]["participants"] if p["nickname"] == "Bob"]
    assert [p["type"] for p in bob] == ["Agent"]
    message = joined["messages"][0]
    assert (message["type"], message["visibility"], message["from"]) == ("ParticipantJoined", "Agents", bob[0])
    assert message["index"] == max(m["index"] for m in domain.get_messages("alice", session_id))
    assert all("referenceId" not in data for _, data in outcome.notifications)


def test_a_consult_through_a_queue_picks_its_first_available_member(domain, ids):
    session_id = provision(domain)
    queue = next(iter(domain.directory.queues.values()))
    domain.set_online("bob", False)
    outcome = consult(domain, ids, session_id, targetPath=queue.queue_path)
    assert {name for name, _ in outcome.notifications} == {"alice", "carol"}


@pytest.mark.parametrize("target", ["unknown", "offline", "no-feature", "already-in"])
def test_a_failed_consult_yields_one_error_with_the_session_as_it_stands(domain, ids, target):
    session_id = provision(domain)
    if target == "already-in":
        consult(domain, ids, session_id, **user(domain, "bob"))
    before = domain.get_session("alice", session_id)
    domain.set_online("carol", False)
    reference = {
        "unknown": {"targetPath": "/users/0123"},
        "offline": user(domain, "carol"),
        "no-feature": user(domain, "dave"),
        "already-in": user(domain, "bob"),
    }[target]
    outcome = consult(domain, ids, session_id, **reference)
    accepted_id = outcome.body["referenceId"]
    [(name, error)] = outcome.notifications
    assert name == "alice" and error["referenceId"] == accepted_id
    assert validate("notifications/error", error) == []
    assert error["smssession"]["participants"] == before["participants"]
    assert set(error["smssession"]["capabilities"]) == set(before["capabilities"])


def test_the_customer_never_learns_of_the_consult(domain, ids):
    session_id = provision(domain)
    inbox = domain.customer_inbox(session_id)
    consult(domain, ids, session_id, **user(domain, "bob"))
    domain.operate("bob", session_id, {"operationName": "SendToAgents", "text": "psst"}, ids)
    assert domain.customer_inbox(session_id) == inbox
    domain.operate("alice", session_id, {"operationName": "SendMessage", "text": "hi"}, ids)
    assert domain.customer_inbox(session_id)[:-1] == inbox and domain.customer_inbox(session_id)[-1]["text"] == "hi"


def test_indexes_increase_and_timestamps_are_one_instant(domain, ids):
    from conformance.engine.timestamps import disagreement

    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    messages = domain.get_messages("alice", session_id)
    assert [m["index"] for m in messages] == list(range(1, len(messages) + 1))
    assert all(disagreement(m["timestamp"], m["timestampSeconds"]) is None for m in messages)
    assert domain.get_messages("alice", session_id, start_index=2, count=1) == messages[1:2]


# --- follow-ups ------------------------------------------------------------------------------------------------


def test_transfer_to_the_consultant_leaves_it_alone_with_the_customer(domain, ids):
    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    outcome = domain.operate("alice", session_id, {"operationName": "Transfer", **user(domain, "bob")}, ids)
    assert domain.get_session("alice", session_id)["state"] == "LeftChat"
    bob_view = domain.get_session("bob", session_id)
    assert {p["nickname"] for p in bob_view["participants"]} == {"FirstL", "Bob"}
    assert "Transfer" in bob_view["capabilities"]
    first_to, first = outcome.notifications[0]
    assert first_to == "alice" and first["smssession"]["state"] == "LeftChat"
    assert first["referenceId"] == outcome.body["referenceId"]


def test_inviting_the_consultant_makes_a_conference_the_customer_sees(domain, ids):
    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    domain.operate("alice", session_id, {"operationName": "Invite", **user(domain, "bob")}, ids)
    joins = [m for m in domain.customer_inbox(session_id) if m["type"] == "ParticipantJoined"]
    assert joins[-1]["from"]["nickname"] == "Bob" and joins[-1]["visibility"] == "All"
    assert "SendMessage" in domain.get_session("bob", session_id)["capabilities"]


def test_the_consultant_leaves_unseen_by_the_customer(domain, ids):
    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    outcome = domain.operate("bob", session_id, {"operationName": "Leave"}, ids)
    status = outcome.notifications[0]  # the Leave page: in a consultation, the leaver's session is Completed
    assert status[0] == "bob" and status[1]["smssession"]["state"] == "Completed"
    assert status[1]["referenceId"] == outcome.body["referenceId"]
    assert domain.get_session("alice", session_id)["state"] == "Chatting"
    left = domain.get_messages("alice", session_id)[-1]
    assert (left["type"], left["visibility"]) == ("ParticipantLeft", "Agents")
    assert not any(m["type"] == "ParticipantLeft" for m in domain.customer_inbox(session_id))


def test_an_agent_alone_that_leaves_keeps_the_session_to_wrap_up(domain, ids):
    """The Leave page: LeftChat; the session ends for the customer; user data and Complete still work."""
    session_id = provision(domain)
    [(_, status)] = domain.operate("alice", session_id, {"operationName": "Leave"}, ids).notifications
    assert status["smssession"]["state"] == "LeftChat"
    assert {"Complete", "UpdateUserData", "SetDisposition"} <= set(status["smssession"]["capabilities"])
    assert domain.customer_inbox(session_id)[-1]["type"] == "ParticipantLeft"
    assert [s["id"] for s in domain.list_sessions("alice")] == [session_id]
    update = domain.operate("alice", session_id, {"operationName": "UpdateUserData", "userData": {"a": "1"}}, ids)
    assert update.body["statusCode"] == 0
    [(_, done)] = domain.operate("alice", session_id, {"operationName": "Complete"}, ids).notifications
    assert done["smssession"]["state"] == "Completed" and domain.list_sessions("alice") == []


def test_accept_sends_the_three_documented_notifications_in_order(domain, ids):
    session_id = provision(domain, "Invited")
    outcome = domain.operate("alice", session_id, {"operationName": "Accept", "nickname": "Al"}, ids)
    status, updated, history = (data for _, data in outcome.notifications)
    assert (status["notificationType"], status["smssession"]["state"]) == ("StatusChange", "Chatting")
    assert status["referenceId"] == outcome.body["referenceId"] and status["smssession"]["participants"] == []
    assert {p["type"] for p in updated["smssession"]["participants"]} == {"Agent", "Customer"}
    assert [m["type"] for m in history["messages"]] == ["ParticipantJoined", "Text", "ParticipantJoined"]
    assert domain.customer_inbox(session_id)[-1]["from"]["nickname"] == "Al"


def test_a_supervisor_intrudes_and_is_offered_the_session(domain, ids):
    session_id = provision(domain)
    alice = domain.directory.agents["alice"].user_id
    outcome = domain.intrude(
        "erin", alice, session_id, {"operationName": "Intrude", "supervisorVisibilityMode": "Coach"}, ids
    )
    [(name, offered)] = outcome.notifications
    assert name == "erin" and offered["smssession"]["state"] == "Invited"
    assert (
        domain.intrude(
            "erin", alice, session_id, {"operationName": "Intrude", "supervisorVisibilityMode": "Spy"}, ids
        ).body["statusCode"]
        == 2
    )
    assert (
        domain.intrude(
            "bob", alice, session_id, {"operationName": "Intrude", "supervisorVisibilityMode": "Coach"}, ids
        ).body["statusCode"]
        == 5
    )


def test_reject_completes_the_session_with_no_participants(domain, ids):
    session_id = provision(domain, "Invited")
    [(_, status)] = domain.operate("alice", session_id, {"operationName": "Reject"}, ids).notifications
    assert status["smssession"]["state"] == "Completed" and status["smssession"]["participants"] == []


# --- scale and faults ---------------------------------------------------------------------------------------------


def test_a_hundred_sessions_with_consults_going_on_at_once(domain, ids):
    sessions = [provision(domain) for _ in range(100)]
    for session_id in sessions:
        assert consult(domain, ids, session_id, **user(domain, "bob")).body["statusCode"] == 0
    assert len(domain.list_sessions("bob")) == 100
    assert all(set(domain.get_session("alice", s)["capabilities"]) == SAMPLE_DURING for s in sessions)


@pytest.mark.parametrize(
    ("fault", "effect"),
    [
        ("consult-notifications-swapped", lambda o: o.notifications[0][1]["notificationType"] == "NewMessages"),
        ("consult-join-duplicated", lambda o: len(o.notifications) == 6),
        ("consult-join-missing", lambda o: len(o.notifications) == 2),
        ("consult-join-visible-to-all", lambda o: o.notifications[1][1]["messages"][0]["visibility"] == "All"),
        ("timestamp-seconds-in-seconds", lambda o: o.notifications[1][1]["messages"][0]["timestampSeconds"] < 10**10),
        ("consult-response-without-reference-id", lambda o: "referenceId" not in o.body),
        ("consultant-not-notified", lambda o: {n for n, _ in o.notifications} == {"alice"}),
    ],
)
def test_each_fault_changes_its_behaviour(ids, fault, effect):
    broken = make_domain(fault)
    session_id = provision(broken)
    assert effect(consult(broken, ids, session_id, **user(broken, "bob")))
    correct = make_domain()
    assert not effect(consult(correct, ids, provision(correct), **user(correct, "bob")))


def test_send_url_is_accepted_from_whoever_may_write_to_the_customer(domain, ids):
    """No sample lists SendUrl, so it is not advertised; it is allowed wherever SendMessage is."""
    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    pushed = domain.operate("alice", session_id, {"operationName": "SendUrl", "url": "https://genesys.com"}, ids)
    assert pushed.body["statusCode"] == 0 and "SendUrl" not in domain.get_session("alice", session_id)["capabilities"]
    assert [m["url"] for m in domain.customer_inbox(session_id) if m["type"] == "PushUrl"] == ["https://genesys.com"]
    refused = domain.operate("bob", session_id, {"operationName": "SendUrl", "url": "https://x"}, ids)
    assert refused.body["statusCode"] == 2  # the consultant may not write to the customer


def test_conference_is_accepted_as_an_unadvertised_alias_of_invite(domain, ids):
    session_id = provision(domain)
    consult(domain, ids, session_id, **user(domain, "bob"))
    outcome = domain.operate("alice", session_id, {"operationName": "Conference", **user(domain, "bob")}, ids)
    assert outcome.body["statusCode"] == 0
    assert [d["notificationType"] for n, d in outcome.notifications if n == "alice"] == [
        "ParticipantsUpdated",
        "NewMessages",
    ]
    assert "Conference" not in domain.get_session("alice", session_id)["capabilities"]
