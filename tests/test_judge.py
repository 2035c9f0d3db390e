"""The ordering judge names each kind of sequence problem, and finds none in the documented order."""

import pytest

from conformance.engine.judge import Arrival, Expected, describe, judge_sequence

PARTICIPANTS = {"notificationType": "ParticipantsUpdated", "smssession": {"state": "Chatting"}}
JOINED = {"notificationType": "NewMessages", "messages": [{"type": "ParticipantJoined"}]}
OTHER = {"notificationType": "NewMessages", "messages": [{"type": "Text"}]}

EXPECTED = [
    Expected("ParticipantsUpdated", lambda d: d.get("notificationType") == "ParticipantsUpdated"),
    Expected("NewMessages(ParticipantJoined)", lambda d: d.get("messages", [{}])[0].get("type") == "ParticipantJoined"),
]


def _arrivals(*items, after=0.01):
    return [Arrival(data, after * (n + 1)) for n, data in enumerate(items)]


def _kinds(observed, deadline=1.0):
    return sorted(p.kind for p in judge_sequence(EXPECTED, observed, deadline=deadline))


def test_the_documented_sequence_has_no_problem():
    assert _kinds(_arrivals(PARTICIPANTS, JOINED)) == []


@pytest.mark.parametrize(
    ("observed", "kinds"),
    [
        pytest.param(_arrivals(PARTICIPANTS), ["missing"], id="missing"),
        pytest.param(_arrivals(PARTICIPANTS, JOINED, JOINED), ["duplicate"], id="duplicate"),
        pytest.param(_arrivals(PARTICIPANTS, OTHER, JOINED), ["extra"], id="extra"),
        pytest.param(_arrivals(JOINED, PARTICIPANTS), ["reordered"], id="reordered"),
        pytest.param(_arrivals(PARTICIPANTS, JOINED, after=0.6), ["late"], id="late"),
        pytest.param([], ["missing", "missing"], id="nothing"),
    ],
)
def test_each_problem_is_named_by_its_kind(observed, kinds):
    assert _kinds(observed) == kinds


def test_describe_names_type_messages_and_state():
    assert describe(PARTICIPANTS) == "ParticipantsUpdated[Chatting]"
    assert describe(JOINED) == "NewMessages(ParticipantJoined)"
