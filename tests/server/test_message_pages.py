"""The reference server on the message, user data and resource pages, without HTTP: what each
operation logs, notifies and changes, as the pages document it."""

import pytest
from test_domain import consult, make_domain, provision, user

from conformance.server.domain import ApiError
from conformance.spec.schemas import validate


@pytest.fixture
def domain():
    return make_domain()


@pytest.fixture
def ids():
    return iter(range(35, 1000)).__next__


def test_a_custom_notice_is_logged_visible_to_all_and_reaches_the_customer(domain, ids):
    session_id = provision(domain)
    outcome = domain.operate("alice", session_id, {"operationName": "SendCustomNotice", "noticeText": "n"}, ids)
    assert outcome.body["statusCode"] == 0
    ((to, data),) = outcome.notifications
    assert to == "alice" and validate("notifications/new-messages", data) == []
    message = data["messages"][0]
    assert (message["type"], message["noticeText"], message["visibility"]) == ("CustomNotice", "n", "All")
    assert domain.customer_inbox(session_id)[-1]["noticeText"] == "n"


def test_user_data_operations_add_overwrite_and_delete_exactly_the_keys_given(domain, ids):
    session_id = provision(domain)

    def change(body):
        outcome = domain.operate("alice", session_id, body, ids)
        ((_, data),) = outcome.notifications
        assert (
            validate("notifications/properties-updated", data) == []
            and data["referenceId"] == outcome.body["referenceId"]
        )
        return data["smssession"]["userData"]

    assert change({"operationName": "AttachUserData", "userData": {"a": "1", "b": 2}}) == {"a": "1", "b": 2}
    assert change({"operationName": "UpdateUserData", "userData": {"b": 3}}) == {"a": "1", "b": 3}
    assert change({"operationName": "DeleteUserData", "keys": ["a"]}) == {"b": 3}
    assert change({"operationName": "SetDisposition", "disposition": "Done"}) == {"b": 3, "DispositionCode": "Done"}
    assert change({"operationName": "SetDisposition", "disposition": "X", "dispositionKey": "k"})["k"] == "X"
    assert domain.get_session("alice", session_id)["userData"] == {"b": 3, "DispositionCode": "Done", "k": "X"}


@pytest.mark.parametrize(
    "body",
    [
        {"operationName": "DeleteUserData"},
        {"operationName": "DeleteUserData", "keys": "a"},
        {"operationName": "DeleteUserData", "keys": [1]},
        {"operationName": "AttachUserData", "userData": []},
        {"operationName": "SetDisposition"},
        {"operationName": "SetDisposition", "disposition": "d", "dispositionKey": 1},
    ],
)
def test_user_data_parameters_of_the_wrong_kind_are_refused(domain, ids, body):
    outcome = domain.operate("alice", provision(domain), body, ids)
    assert outcome.http_status == 400 and outcome.body["statusCode"] in (1, 2) and not outcome.notifications


def test_get_messages_pages_by_index_and_count_as_the_getmessages_page_says(domain, ids):
    session_id = provision(domain)  # indexes 1 (customer joined), 2 (text), 3 (alice joined)
    for text in ("a", "b"):
        domain.operate("alice", session_id, {"operationName": "SendMessage", "text": text}, ids)

    def indexes(start=None, count=None):
        return [m["index"] for m in domain.get_messages("alice", session_id, start, count)]

    assert indexes() == indexes("0") == indexes("1") == indexes(count="0") == [1, 2, 3, 4, 5]
    assert indexes("2", "2") == [2, 3] and indexes("5") == [5] and indexes("6") == [] and indexes(count="1") == [1]
    for start, count in (("-1", None), (None, "-2"), ("x", None), (None, "1.5")):
        with pytest.raises(ApiError):
            domain.get_messages("alice", session_id, start, count)


def test_send_to_agents_and_the_agents_typing_need_another_agent_in_the_session(domain, ids):
    session_id = provision(domain)
    alone = domain.operate("alice", session_id, {"operationName": "SendToAgents", "text": "t"}, ids)
    assert alone.body["statusCode"] == 2
    consult(domain, ids, session_id, **user(domain, "bob"))
    typing = domain.operate("alice", session_id, {"operationName": "SendStopTypingToAgentsNotification"}, ids)
    assert {to for to, _ in typing.notifications} == {"alice", "bob"}
    assert typing.notifications[0][1]["messages"][0]["visibility"] == "Agents"
    assert all(m["type"] != "TypingStopped" for m in domain.customer_inbox(session_id))


def test_an_invited_session_refuses_the_message_and_user_data_operations(domain, ids):
    session_id = provision(domain, "Invited")
    for body in (
        {"operationName": "SendMessage", "text": "t"},
        {"operationName": "SendCustomNotice", "noticeText": "n"},
        {"operationName": "AttachUserData", "userData": {"k": "v"}},
    ):
        outcome = domain.operate("alice", session_id, body, ids)
        assert outcome.body["statusCode"] == 2 and not outcome.notifications
