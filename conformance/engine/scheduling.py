"""Scenarios as declarations, and running those of every selected page at the same time.

A page module declares its scenarios in ``SCENARIOS`` (name -> :class:`Scenario`): what each does,
which session it takes from the session source (a fresh one in a state, a session it shares
with others, or none), and the scenario whose value it needs (``after``). Declared, not
discovered by running: how many sessions a selection takes (:func:`sessions_needed`) is known
before a run, which ``list`` and ``doctor`` print and a run checks against its source.

:func:`launch` starts the scenarios of every selected page in one pool of ``concurrency``
threads, each recorded as its page's fixture of that name (so recordings and reports are the
same whatever the concurrency). Scenarios that share a session run one after the other, in
declared order (pages in collection order, scenarios in module order), in one task of the
pool: that order is the only order between them, and each reads the session before and after
its own request, so none depends on what another did.

A session is taken lazily (:class:`Lease`): when the scenario first uses it, so a scenario that
skips before (no queue configured) takes nothing from the source.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import pytest

from conformance.engine.recording import Recorder
from conformance.engine.sessions import CHATTING, SessionHandle

Work = Callable[[Any, Any], Any]  # (gws, the session lease | the earlier scenario's value | None) -> value


@dataclass(frozen=True)
class Scenario:
    """One scenario of a page: ``work(gws, x)`` where ``x`` is the :class:`Lease` of the session it
    takes (``takes``: the state of that session; None: it takes none), or, with ``after``, the value
    of that scenario of the same page. ``shares`` names a session shared with every scenario that
    names it, on any page: they take turns on it, in declared order."""

    work: Work
    takes: str | None = CHATTING
    after: str | None = None
    shares: str | None = None

    def __post_init__(self) -> None:
        if self.after is not None and (self.takes is not None or self.shares is not None):
            raise ValueError("a scenario that comes after another works on that one's value and takes no session")
        if self.shares is not None and self.takes is None:
            raise ValueError("a shared session has a state: give takes")


# The sessions that the scenarios of every page share when a correct server refuses their request
# (or only reads) and they judge only that request (each reads the session before and after it): a
# refusal leaves the session as it was, so they take turns on one session instead of one each. Only
# requests that, wrongly taken, cannot end the session or take it from the originator share one (a
# message, a user data change, a Consult, Invite or Intrude without a valid target or mode, an Accept
# of a Chatting session): a Complete, Reject or Transfer keeps a session of its own.
REFUSED_WHEN_CHATTING = "requests refused on a Chatting session"
REFUSED_WHEN_INVITED = "requests refused on an Invited session"
# The session into which the originator consults the consultant once, for the messages judged at
# that other agent (Conformance.observe_among_agents): a message leaves the session Chatting with
# both agents in it, and each scenario judges only what follows its own request (a stage settled
# after the one before).
AMONG_AGENTS = "messages among agents, on a Chatting session with the consultant"


def fixture_scenarios(name: str, scenarios: Mapping[str, Scenario]) -> list[str]:
    """The scenarios a fixture named ``name`` collects: ``name`` and ``name[param]`` ones."""
    return [s for s in scenarios if s.split("[", 1)[0] == name]


class Sessions(Protocol):
    def new_session(self, state: str = CHATTING, *, shared: str | None = None) -> SessionHandle: ...


class Lease:
    """A scenario's session, taken from the source the first time :attr:`handle` is read."""

    def __init__(self, take: Callable[[], SessionHandle]) -> None:
        self._take = take
        self._handle: SessionHandle | None = None

    @property
    def handle(self) -> SessionHandle:
        if self._handle is None:
            self._handle = self._take()
        return self._handle

    @property
    def id(self) -> str:
        return self.handle.id


def selected(
    pages: Mapping[str, Mapping[str, Scenario]],
    used: Mapping[str, set[str]],
    also: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> dict[str, dict[str, Scenario]]:
    """Per page (module prefix), the scenarios its selected checks use (``used``: their fixture
    names; a fixture of the scenario's name, ``name[param]`` included, or one that the page's
    ``also`` maps to scenario names), with those they come after."""
    chosen: dict[str, dict[str, Scenario]] = {}
    for prefix, scenarios in pages.items():
        fixtures = used.get(prefix, set())
        wanted = {name for name in scenarios if name.split("[", 1)[0] in fixtures}
        wanted |= {name for fixture in fixtures for name in (also or {}).get(prefix, {}).get(fixture, ())}
        while missing := {s.after for n, s in scenarios.items() if n in wanted and s.after} - wanted:
            wanted |= {m for m in missing if m is not None}
        chosen[prefix] = {name: s for name, s in scenarios.items() if name in wanted}
    return chosen


def scenarios_of(items: Iterable[pytest.Item]) -> dict[str, dict[str, Scenario]]:
    """Per page module (its node id), the scenarios the collected ``items`` use: what a run of
    them launches, and so what it takes from the session source."""
    modules: dict[str, Any] = {}
    used: dict[str, set[str]] = {}
    for item in items:
        module = item.getparent(pytest.Module)
        if module is not None and hasattr(module.obj, "SCENARIOS"):
            modules.setdefault(module.nodeid, module.obj)
            used.setdefault(module.nodeid, set()).update(getattr(item, "fixturenames", ()))
    return selected(
        {prefix: module.SCENARIOS for prefix, module in modules.items()},
        used,
        {prefix: getattr(module, "ALSO", {}) for prefix, module in modules.items()},
    )


def sessions_needed(pages: Mapping[str, Mapping[str, Scenario]]) -> Counter[str]:
    """How many sessions of each state the scenarios take from the source: one per scenario that
    takes its own, one per shared session (whatever the number of scenarios sharing it)."""
    needed: Counter[str] = Counter()
    shared: dict[str, str] = {}
    for scenarios in pages.values():
        for scenario in scenarios.values():
            if scenario.takes is None:
                continue
            if scenario.shares is None:
                needed[scenario.takes] += 1
            else:
                shared.setdefault(scenario.shares, scenario.takes)
    needed.update(shared.values())
    return needed


class Scenarios:
    """The running scenarios of one page module; each fixture collects its own with
    :meth:`result`, which raises what the scenario raised (a skip, an error), so only its checks
    are affected."""

    def __init__(
        self, recorder: Recorder, prefix: str, futures: Mapping[str, Future[Any]], scenarios: Mapping[str, Scenario]
    ) -> None:
        self._recorder, self._prefix, self._futures, self._scenarios = recorder, prefix, futures, scenarios

    def result(self, name: str) -> Any:
        """The scenario's value; its recordings, and those of the scenarios it came after, join
        the current report (a recheck replays the whole chain)."""
        try:
            return self._futures[name].result()
        finally:
            chain: str | None = name
            while chain is not None:
                self._recorder.adopt(f"{self._prefix}::{chain}")
                chain = self._scenarios[chain].after

    def adopt_the_rest(self) -> None:
        """Once every scenario of the module is done, whatever ran and no fixture collected (a
        chain's start) still belongs in the recording."""
        wait(self._futures.values())
        for name in self._futures:
            self._recorder.adopt(f"{self._prefix}::{name}")


class Scheduler:
    """Runs the scenarios of every page in one pool of ``concurrency`` threads."""

    def __init__(self, recorder: Recorder, sessions: Sessions, concurrency: int) -> None:
        self._recorder = recorder
        self._sessions = sessions
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="scenario")
        self._lock = threading.Lock()

    def launch(self, gws: Any, pages: Mapping[str, Mapping[str, Scenario]]) -> dict[str, Scenarios]:
        """Start ``pages`` (module prefix -> its selected scenarios); every page's scenarios go at once.

        The shared sessions' turns go first (each a chain of scenarios one after the other: the
        longest tasks, which must not start last), then the other scenarios in declared order. An
        ``after`` must name an earlier scenario of its page that comes after nothing itself and
        shares no session: what it waits for was submitted, so started, before it, and never waits
        itself (no deadlock in a bounded pool)."""
        futures: dict[str, dict[str, Future[Any]]] = {prefix: {} for prefix in pages}
        groups: dict[str, list[tuple[str, str, Scenario]]] = {}
        turns: list[Callable[[], None]] = []  # one per shared session
        tasks: list[Callable[[], None]] = []
        for prefix, scenarios in pages.items():
            order = list(scenarios)
            for name, scenario in scenarios.items():
                needed = scenario.after
                if needed is not None and (
                    needed not in scenarios
                    or order.index(needed) > order.index(name)
                    or scenarios[needed].after
                    or scenarios[needed].shares
                ):
                    raise ValueError(
                        f"scenario {name!r} must come after a scenario listed before it that comes after "
                        f"nothing and shares no session, not {needed!r}"
                    )
                futures[prefix][name] = Future()
                if scenario.shares is None:
                    tasks.append(self._task(gws, prefix, name, scenario, futures[prefix]))
                else:
                    if scenario.shares not in groups:
                        groups[scenario.shares] = []
                        turns.append(self._group(gws, groups[scenario.shares], futures))
                    groups[scenario.shares].append((prefix, name, scenario))
        with self._lock:
            for task in (*turns, *tasks):  # FIFO: in submission order
                self._pool.submit(task)
        return {
            prefix: Scenarios(self._recorder, prefix, futures[prefix], scenarios) for prefix, scenarios in pages.items()
        }

    def _task(
        self, gws: Any, prefix: str, name: str, scenario: Scenario, futures: Mapping[str, Future[Any]]
    ) -> Callable[[], None]:
        return partial(self._settle, futures[name], partial(self._run, gws, prefix, name, scenario, futures))

    def _group(
        self, gws: Any, members: list[tuple[str, str, Scenario]], futures: Mapping[str, Mapping[str, Future[Any]]]
    ) -> Callable[[], None]:
        """One task for the scenarios sharing a session: one after the other, in declared order."""

        def run() -> None:
            for prefix, name, scenario in members:
                self._settle(futures[prefix][name], partial(self._run, gws, prefix, name, scenario, futures[prefix]))

        return run

    @staticmethod
    def _settle(future: Future[Any], compute: Callable[[], Any]) -> None:
        try:
            future.set_result(compute())
        except BaseException as exc:  # the fixture that collects the scenario raises it
            future.set_exception(exc)

    def _run(self, gws: Any, prefix: str, name: str, scenario: Scenario, futures: Mapping[str, Future[Any]]) -> Any:
        argument: Any = None
        if scenario.after is not None:
            failed = futures[scenario.after].exception()  # waits for it
            if failed is not None:  # a copy: the original's traceback grows in whichever thread re-raises it
                raise copy.copy(failed).with_traceback(None)
            argument = futures[scenario.after].result()
        with self._recorder.acting_as(f"{prefix}::{name}"):
            if scenario.takes is not None:
                state, shared = scenario.takes, scenario.shares
                argument = Lease(lambda: self._sessions.new_session(state, shared=shared))
            return scenario.work(gws, argument)

    def stop(self) -> None:
        """At the end of the run: every scenario done, the pool's threads gone."""
        self._pool.shutdown(wait=True)


def scenario_fixture(name: str, params: Iterable[str] | None = None) -> Any:
    """The module fixture that collects scenario ``name`` from the module's ``scenarios`` fixture
    (``name[param]`` for each of ``params``): ``consult_by_uri = scenario_fixture("consult_by_uri")``.
    It bears the scenario's name, which is how :func:`selected` knows a selected check needs that
    scenario."""
    if params is None:

        @pytest.fixture(scope="module", name=name)
        def collect(scenarios: Scenarios) -> Any:
            return scenarios.result(name)

    else:

        @pytest.fixture(scope="module", name=name, params=list(params))
        def collect_one(request: pytest.FixtureRequest, scenarios: Scenarios) -> Any:
            return scenarios.result(f"{name}[{request.param}]")

        return collect_one
    return collect
