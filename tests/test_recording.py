"""The recorder (what recheck replays) and content redaction, as units."""

import pytest

from conformance.engine.recording import RecordedError, Recorder
from conformance.engine.verdicts import ErrorCause, NotApplicable
from conformance.redaction import REDACTED_CONTENT, redact_content, redact_headers


def test_a_replay_answers_each_call_as_it_was_recorded():
    recording = Recorder()
    recording.requester = "test_a.py::scenario"
    assert recording.call("target", lambda: {"form": "uri", "value": "u1"}) == {"form": "uri", "value": "u1"}

    def not_applicable():
        raise NotApplicable("no queue configured", "queue")

    with pytest.raises(NotApplicable):
        recording.call("target", not_applicable)
    with pytest.raises(ValueError):
        recording.call("observe", lambda: (_ for _ in ()).throw(ValueError("barrier never came")))
    table = recording.drain()
    assert list(table) == ["test_a.py::scenario#0", "test_a.py::scenario#1", "test_a.py::scenario#2"]

    replay = Recorder(replaying=table)
    replay.requester = "test_a.py::scenario"
    assert replay.call("target", lambda: pytest.fail("replay must not compute")) == {"form": "uri", "value": "u1"}
    with pytest.raises(NotApplicable, match="no queue configured") as skipped:
        replay.call("target", lambda: None)
    assert skipped.value.key == "queue"
    with pytest.raises(RecordedError, match="ValueError: barrier never came") as failed:
        replay.call("observe", lambda: None)
    assert failed.value.cause is ErrorCause.CRASH
    with pytest.raises(RecordedError, match="not in the recording") as missing:
        replay.call("observe", lambda: None)
    assert missing.value.cause is ErrorCause.NOT_RECORDED


def test_keys_count_per_requester_so_order_between_requesters_does_not_matter():
    recorder = Recorder()
    for requester in ("b", "a", "b"):
        recorder.requester = requester
        recorder.call("new_session", lambda: "s")
    assert sorted(recorder.drain()) == ["a#0", "b#0", "b#1"]


def test_content_redaction_keeps_structure_and_types():
    message = {
        "index": 3,
        "type": "Text",
        "text": "my card is 4111",
        "visibility": "All",
        "from": {"nickname": "Jane", "type": "Customer", "participantId": "p1"},
        "userData": {"account": "12345", "vip": True, "tags": ["a", "b"]},
    }
    redacted = redact_content({"messages": [message]})["messages"][0]
    assert redacted["text"] == redacted["from"]["nickname"] == REDACTED_CONTENT
    assert redacted["userData"] == {"account": REDACTED_CONTENT, "vip": True, "tags": [REDACTED_CONTENT] * 2}
    assert {k: redacted[k] for k in ("index", "type", "visibility")} == {
        "index": 3,
        "type": "Text",
        "visibility": "All",
    }
    assert redacted["from"]["participantId"] == "p1"


def test_credential_headers_are_always_redacted():
    headers = redact_headers(
        {
            "Authorization": "Basic YTpi",
            "Cookie": "JSESSIONID=1",
            "X-CSRF-TOKEN": "t",
            "Content-Type": "application/json",
        }
    )
    assert headers == {
        "Authorization": "***",
        "Cookie": "***",
        "X-CSRF-TOKEN": "***",
        "Content-Type": "application/json",
    }


def test_a_secret_that_json_escapes_is_found_deep_in_a_value(monkeypatch):
    """Few secrets are looked for in the value's serialization first: a secret with a quote, a
    backslash or a newline in it is found there escaped, in a key or a value at any depth."""
    import conformance.redaction as redaction

    monkeypatch.setattr(redaction, "_BY_PREFIX", {})
    monkeypatch.setattr(redaction, "_ESCAPED", ())
    redaction.register_secret('pa"ss\\word\n')
    nested = {"a": [{"b": 'x pa"ss\\word\n y'}], 'pa"ss\\word\n': 1}
    assert redaction.redact_secrets(nested) == {"a": [{"b": f"x {redaction.REDACTED} y"}], redaction.REDACTED: 1}
    clean = {"a": [1, "nothing secret"]}
    assert redaction.redact_secrets(clean) is clean  # nothing held: not copied


def test_secrets_are_redacted_alike_whether_few_or_many_are_registered():
    """Few registered secrets are looked for one by one, many by their prefixes: the same result."""
    from conformance.redaction import FEW_SECRETS, REDACTED, redact_secrets, register_secret

    register_secret("few-secret-1")
    assert redact_secrets({"a": "x few-secret-1 y"}) == {"a": f"x {REDACTED} y"}
    for n in range(FEW_SECRETS + 1):
        register_secret(f"{n:04d}-many-secret")
    assert redact_secrets(["0003-many-secret!", "few-secret-1", "none here"]) == [
        f"{REDACTED}!",
        REDACTED,
        "none here",
    ]
