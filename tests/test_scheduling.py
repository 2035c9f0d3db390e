"""Scenarios as declarations (conformance.engine.scheduling), as units: what a selection takes
from the session source, and how the scheduler runs scenarios that share a session."""

import threading

import pytest

from conformance.engine.recording import Recorder
from conformance.engine.scheduling import Scenario, Scheduler, selected, sessions_needed
from conformance.engine.sessions import CHATTING, INVITED, SessionHandle


class CountingSessions:
    """A session source that hands out numbered sessions, one per shared name, as the run's does."""

    def __init__(self) -> None:
        self.taken: list[tuple[str, str | None]] = []
        self._shared: dict[str, SessionHandle] = {}
        self._lock = threading.Lock()

    def new_session(self, state: str = CHATTING, *, shared: str | None = None) -> SessionHandle:
        with self._lock:
            if shared in self._shared:
                return self._shared[shared]
            self.taken.append((state, shared))
            handle = SessionHandle(f"s{len(self.taken)}")
            if shared is not None:
                self._shared[shared] = handle
            return handle


def _run(pages, concurrency=4):
    sessions = CountingSessions()
    scheduler = Scheduler(Recorder(), sessions, concurrency)
    try:
        running = scheduler.launch(None, pages)
        values = {(prefix, name): running[prefix].result(name) for prefix in pages for name in pages[prefix]}
    finally:
        scheduler.stop()
    return values, sessions


def test_sessions_needed_counts_own_sessions_and_each_shared_session_once():
    pages = {
        "test_a.py": {
            "one": Scenario(lambda gws, s: s.id),
            "two": Scenario(lambda gws, s: s.id, takes=INVITED),
            "read": Scenario(lambda gws, s: s.id, shares="pool"),
            "none": Scenario(lambda gws, s: None, takes=None),
            "later": Scenario(lambda gws, value: value, takes=None, after="one"),
        },
        "test_b.py": {"read": Scenario(lambda gws, s: s.id, shares="pool")},
    }
    assert sessions_needed(pages) == {CHATTING: 2, INVITED: 1}
    values, sessions = _run(pages)
    assert sorted(state for state, _ in sessions.taken) == [CHATTING, CHATTING, INVITED]  # what was declared
    assert values[("test_a.py", "read")] == values[("test_b.py", "read")]  # one session, both pages
    assert values[("test_a.py", "later")] == values[("test_a.py", "one")]


def test_a_lease_not_read_takes_no_session():
    values, sessions = _run({"test_a.py": {"skips": Scenario(lambda gws, s: "skipped before the session")}})
    assert values[("test_a.py", "skips")] == "skipped before the session" and sessions.taken == []


def test_scenarios_sharing_a_session_take_turns_in_declared_order():
    order: list[str] = []
    busy = threading.Lock()

    def turn(name):
        def work(gws, session):
            assert busy.acquire(blocking=False), "two scenarios on the shared session at once"
            try:
                order.append(f"{name}:{session.id}")
            finally:
                busy.release()

        return work

    pages = {f"test_{n}.py": {"read": Scenario(turn(str(n)), shares="pool")} for n in range(5)}
    _run(pages, concurrency=4)
    assert order == [f"{n}:s1" for n in range(5)]


def test_an_after_must_name_an_earlier_scenario_that_comes_after_nothing():
    """Listed the other way round it could wait on a scenario not yet submitted (a deadlock at
    concurrency 1): refused before anything runs."""
    pages = {
        "test_x.py": {
            "second": Scenario(lambda gws, value: value, takes=None, after="first"),
            "first": Scenario(lambda gws, s: 1, takes=None),
        }
    }
    with pytest.raises(ValueError, match="must come after a scenario listed before it"):
        _run(pages, concurrency=1)


def test_a_selection_brings_the_scenarios_its_scenarios_come_after():
    pages = {
        "test_a.py": {
            "first": Scenario(lambda gws, s: 1, takes=None),
            "second": Scenario(lambda gws, value: value, takes=None, after="first"),
            "unused": Scenario(lambda gws, s: 2),
        }
    }
    assert list(selected(pages, {"test_a.py": {"second"}})["test_a.py"]) == ["first", "second"]
