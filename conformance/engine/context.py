"""What a check works with: the configured target, its logged-in agents, sessions, and observations.

:class:`Conformance` is the ``gws`` fixture of the plugin. Checks ask it for targets by role
("consultant", "queue", "third"), for fresh sessions from the session source, and to
*observe* an operation: the request, its response, and what each agent received for the
session between two barriers (see :mod:`conformance.engine.stage`). An :class:`Observation` is plain
data, so a check is a judgement over it.

A role the configuration does not provide makes the check skip with that reason; a session
source that cannot give what a check needs (the customer probe) does the same.

How each stream's end was established (a marker, or a quiet window: see
:mod:`conformance.engine.stage`) travels with every observation as ``evidence``, and the run's
:class:`~conformance.engine.stage.Calibration` with the run.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.client.agent import Agent
from conformance.config import Config
from conformance.engine.judge import Expected
from conformance.engine.observation import Observation, RoleTarget
from conformance.engine.reads import Reads
from conformance.engine.recording import Recorder
from conformance.engine.sessions import (
    CHATTING,
    CustomerProbe,
    ReferenceSource,
    SessionHandle,
    SessionSource,
)
from conformance.engine.stage import (
    PARTICIPANT_JOINS,
    Calibration,
    Stage,
    StageError,
    only_agent,
    session_arrivals,
    session_id_of,
)
from conformance.spec.schemas import validate


@dataclass(frozen=True)
class After:
    """A scenario that needs another's result: ``After("consult_by_uri", gws.consultant_writes)``
    runs when that one is done, on its value (and raises what it raised)."""

    name: str
    work: Callable[[Any], Any]


def scenario_fixture(name: str, params: Sequence[str] | None = None) -> Any:
    """The module fixture that collects scenario ``name`` from the module's ``scenarios`` fixture
    (``name[param]`` for each of ``params``): ``consult_by_uri = scenario_fixture("consult_by_uri")``.
    It bears the scenario's name, which is how :meth:`Conformance.launch` knows a selected check
    needs that scenario."""
    if params is None:

        @pytest.fixture(scope="module", name=name)
        def collect(scenarios: Scenarios) -> Any:
            return scenarios.result(name)
    else:

        @pytest.fixture(scope="module", name=name, params=list(params))
        def collect(request: pytest.FixtureRequest, scenarios: Scenarios) -> Any:
            return scenarios.result(f"{name}[{request.param}]")

    return collect


class Scenarios:
    """Independent scenarios of one page module, each on its own session, running at the same
    time as the other pages' (at most ``concurrency`` at once); each fixture collects its own with
    :meth:`result`, which raises what the scenario raised (a skip, a StageError), so only its
    checks are affected."""

    def __init__(
        self, recorder: Recorder, prefix: str, futures: Mapping[str, Future[Any]], needs: Mapping[str, str]
    ) -> None:
        self._recorder, self._prefix, self._futures, self._needs = recorder, prefix, futures, needs

    def result(self, name: str) -> Any:
        """The scenario's value; its recordings, and those of the scenarios it came After, join
        the current report (a recheck replays the whole chain)."""
        try:
            return self._futures[name].result()
        finally:
            while name is not None:
                self._recorder.adopt(f"{self._prefix}::{name}")
                name = self._needs.get(name)

    def adopt_the_rest(self) -> None:
        """Once every scenario of the module is done, whatever ran and no fixture collected (a
        chain's start) still belongs in the recording."""
        wait(self._futures.values())
        for name in self._futures:
            self._recorder.adopt(f"{self._prefix}::{name}")


class Conformance(Reads):
    """The run's view of the target (the ``gws`` fixture).

    Every public call that reaches the target goes through the :class:`Recorder`, so a run is
    recorded and :meth:`replaying` a recording answers the same calls without a target."""

    def __init__(
        self,
        config: Config,
        agents: Mapping[str, Agent],
        source: SessionSource,
        make_agent: Callable[[str], Agent],
        recorder: Recorder | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.config = config
        self.agents = dict(agents)
        self.source = source
        self.deadline = config.deadline
        self.recorder = recorder or Recorder()
        self.calibration = calibration or Calibration(True, True, config.quiet_window, config.observation)
        self.concurrency = config.concurrency
        self._make_agent = make_agent
        self._unobservable: str | None = self.calibration.unobservable()
        if self._unobservable and isinstance(source, ReferenceSource):
            source.announced = False  # no announcement will arrive: do not wait for any
        self._customer_probes: dict[str, CustomerProbe] = {}  # session id -> the source's probe
        self._logging_in = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None  # the scenarios of every page (launch)
        self._pool_lock = threading.Lock()

    @classmethod
    def replaying(cls, recorder: Recorder, deadline: float, calibration: Calibration) -> Conformance:
        """Answers every call from ``recorder``'s table; nothing is configured, nothing is reached."""
        replay = cls.__new__(cls)
        replay.config, replay.agents, replay.source, replay._make_agent = None, {}, None, None
        replay.deadline, replay.recorder, replay.calibration, replay.concurrency = deadline, recorder, calibration, 1
        replay._unobservable, replay._customer_probes, replay._logging_in = None, {}, threading.Lock()
        replay._pool, replay._pool_lock = None, threading.Lock()
        return replay

    # --- recording ---------------------------------------------------------------------------

    def _observed(self, method: str, compute: Callable[[], Observation]) -> Observation:
        """An observation, redacted unless the configuration says otherwise, and recorded."""

        def redacted() -> Observation:
            seen = compute()
            return seen.redacted() if self.config.redact_content else seen

        return self.recorder.call(method, redacted, encode=Observation.to_record, decode=self._decode)

    def _decode(self, record: Mapping[str, Any], key: str) -> Observation:
        return Observation.from_record(record, key)

    def _customer_phone(self, session_id: str) -> list[Mapping[str, Any]] | None:
        """What the customer's phone holds now, from the source's probe (None: no probe)."""
        probe = self._customer_probes.get(session_id)
        return probe() if probe is not None else None

    # --- who and what ----------------------------------------------------------------------

    def agent(self, role: str) -> Agent:
        """A logged-in agent for ``role``; roles beyond originator/consultant are logged in on demand
        (once, whichever scenario thread asks first)."""
        with self._logging_in:
            if role not in self.agents:
                if self.config.agent(role) is None:
                    pytest.skip(f"no [agents.{role}] configured")
                self.agents[role] = self._make_agent(role)
            return self.agents[role]

    def target(self, role: str, form: str) -> RoleTarget:
        return self.recorder.call(
            "target", lambda: self._target(role, form), encode=dataclasses.asdict, decode=RoleTarget.from_record
        )

    def _target(self, role: str, form: str) -> RoleTarget:
        if role == "queue":
            queue = self.config.queue
            if queue is None:
                pytest.skip("no queue configured ([queue] uri or path)")
            value = queue.uri if form == "uri" else queue.path
        else:
            account = self.config.agent(role)
            if account is None:
                pytest.skip(f"no [agents.{role}] configured")
            value = account.uri if form == "uri" else account.path
        if not value:
            pytest.skip(f"{'queue' if role == 'queue' else f'agents.{role}'}.{form} is not configured")
        return RoleTarget(form, value)

    def queue_members(self) -> list[str]:
        """The roles of the configured queue's agents ([queue] members)."""
        return self.recorder.call("queue_members", lambda: list(self.config.queue.members) if self.config.queue else [])

    def queue_name(self) -> str:
        """The configured queue's name ([queue] name), as Transfer and Complete take it; "" if none."""
        return self.recorder.call("queue_name", lambda: self.config.queue.name if self.config.queue else "")

    def unknown_user_target(self) -> RoleTarget:
        """A user uri on the target that names nobody (a fresh random id)."""
        return self.recorder.call(
            "unknown_user_target",
            lambda: RoleTarget("uri", f"{self.config.base_url}/api/v2/users/{uuid.uuid4().hex}"),
            encode=dataclasses.asdict,
            decode=RoleTarget.from_record,
        )

    def new_session(self, state: str = CHATTING) -> SessionHandle:
        """A session of the originator's from the source, Chatting or Invited (offered, not accepted)."""
        return self.recorder.call(
            "new_session",
            lambda: self._new_session(state),
            encode=self._encode_handle,
            decode=lambda record, key: SessionHandle(record["id"], None, record["announced"]),
        )

    def _new_session(self, state: str) -> SessionHandle:
        handle = self.source.new_session(self.agents["originator"], state)
        if handle.customer_probe is not None:
            self._customer_probes[handle.id] = handle.customer_probe
        return handle

    @staticmethod
    def _encode_handle(handle: SessionHandle) -> dict[str, Any]:
        return {"id": handle.id, "customer_probe": handle.customer_probe is not None, "announced": handle.announced}

    # --- observing ---------------------------------------------------------------------------

    def launch(
        self,
        prefix: str,
        used: set[str],
        scenarios: Mapping[str, Callable[[], Any] | After],
        also: Mapping[str, Sequence[str]] | None = None,
    ) -> Scenarios:
        """Start the scenarios (name -> work) of the page module ``prefix``, each recorded as the
        module's fixture of that name, so the recording and the reports are the same whatever the
        concurrency. Every page's scenarios share one pool of ``concurrency`` threads, so the
        pages of a run go at the same time. Only the scenarios the module's selected checks use
        start (``used``: their fixture names; a fixture of the scenario's name, ``name[param]``
        included, or one that ``also`` maps to scenario names), with what they come ``After``: a
        narrow selection takes no session from the source for nothing."""
        wanted = {name for name in scenarios if name.split("[", 1)[0] in used}
        wanted |= {name for fixture in used for name in (also or {}).get(fixture, ())}
        while missing := {w.name for n, w in scenarios.items() if n in wanted and isinstance(w, After)} - wanted:
            wanted |= missing
        needs = {name: work.name for name, work in scenarios.items() if isinstance(work, After)}
        order = list(scenarios)
        for name, needed in needs.items():  # submitted first, and no After itself: no deadlock, no KeyError
            if needed not in scenarios or order.index(needed) > order.index(name) or needed in needs:
                raise ValueError(f"scenario {name!r} must come After a plain scenario listed before it, not {needed!r}")
        futures: dict[str, Future[Any]] = {}

        def run(name: str, work: Callable[[], Any] | After) -> Any:
            earlier = None
            if isinstance(work, After):
                failed = futures[work.name].exception()  # waits for it
                if failed is not None:  # a copy: the original's traceback grows in whichever thread re-raises it
                    raise copy.copy(failed).with_traceback(None)
                earlier = futures[work.name].result()
            with self.recorder.acting_as(f"{prefix}::{name}"):
                return work.work(earlier) if isinstance(work, After) else work()

        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="scenario")
        for name, work in scenarios.items():
            if name in wanted:  # FIFO: what an After waits for was submitted, so started, before it
                futures[name] = self._pool.submit(run, name, work)
        return Scenarios(self.recorder, prefix, futures, needs)

    def stop_scenarios(self) -> None:
        """At the end of the run: every scenario done, the pool's threads gone."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _observable(self) -> None:
        """StageError at once, before a session is taken or waited on, when the calibration found
        the stream unobservable or an agent's stream has stopped since."""
        if self._unobservable:
            raise StageError(f"not attempted: {self._unobservable}")
        for role in ("originator", "consultant"):
            agent = self.agents.get(role)  # none when replaying a recording
            if agent is not None and agent.bayeux.stopped:
                raise StageError(f"not attempted: the {role}'s notification stream stopped: {agent.bayeux.stopped}")

    def _stage(self, session_id: str, marker_from: str | None, announced: bool = False) -> Stage:
        self._observable()
        return Stage(
            self.agents["originator"],
            {r: self.agents[r] for r in ("originator", "consultant")},
            session_id,
            self.deadline,
            self.config.barrier_timeout,
            self.calibration,
            marker_from,
            announced,
        )

    def _session(self, session_id: str) -> tuple[Mapping[str, Any], list[Mapping[str, Any]]]:
        originator = self.agents["originator"]
        session = originator.session(session_id).body.get("smssession", {})
        messages = originator.messages(session_id).body.get("messages", [])
        return session, messages

    def _listed(self, session_id: str, roles: Sequence[str]) -> dict[str, Mapping[str, Any] | None]:
        """The session as each role's session list (GET /api/v2/me/smssessions) shows it; None: absent."""
        return {role: self.agents[role].listed(session_id) for role in roles}

    def observe(
        self,
        body: object,
        *,
        expected: Mapping[str, Sequence[Expected]],
        state: str = CHATTING,
        prepare: object | None = None,
    ) -> Observation:
        """A fresh session in ``state``; ``body`` sent by the originator between two barriers; then
        the session as the originator and each agent's session list show it, and the customer's phone.
        ``prepare``, if given, is sent first (before the barrier), and ``before`` is read after it."""
        self._observable()  # before taking a session for nothing
        handle = self.new_session(state)
        return self._observed("observe", lambda: self._observe(handle, body, expected, prepare))

    def _observe(
        self,
        handle: SessionHandle,
        body: object,
        expected: Mapping[str, Sequence[Expected]],
        prepare: object | None = None,
    ) -> Observation:
        before, log_before = self._session(handle.id)
        stage = self._stage(handle.id, only_agent(before), handle.announced)
        if prepare is not None:
            stage.announced = self._prepare(handle.id, prepare)
        stage.settle(participants=("originator",))
        if prepare is not None:  # what the preparation changed has arrived: everything before the marker has
            before, log_before = self._session(handle.id)
        return self._send_on_stage(stage, body, expected, before, log_before, only_agent(before))

    def _prepare(self, session_id: str, body: object) -> bool:
        """Send ``body`` before an observation; whether its outcome is known to have arrived (the
        notification carrying its referenceId did): if not, the stage waits a quiet window for it."""
        originator = self.agents["originator"]
        mark, sent_at = originator.log.mark(), time.monotonic()
        prepared = originator.operate(session_id, body)
        if not prepared.succeeded:
            raise StageError(f"precondition: {body} was refused: HTTP {prepared.status} {prepared.body}")
        reference_id = prepared.body.get("referenceId")
        return (
            isinstance(reference_id, int)
            and originator.log.wait_for(
                lambda d: session_id_of(d) == session_id and d.get("referenceId") == reference_id,
                since=mark,
                deadline=sent_at + self.deadline,
            )
            is not None
        )

    def _send_on_stage(
        self,
        stage: Stage,
        body: object,
        expected: Mapping[str, Sequence[Expected]],
        before: Mapping[str, Any],
        log_before: list[Mapping[str, Any]],
        sender: str | None,
    ) -> Observation:
        """``body`` sent by the originator on a settled stage; what each role then received, the
        session and its log after, the agents' session lists and the customer's phone around it."""
        session_id = stage.session_id
        customer_before = self._customer_phone(session_id)
        exchange = stage.send("originator", body)
        if exchange.succeeded:  # a refusal causes nothing
            stage.await_each({role: items for role, items in expected.items() if items})
        received = stage.close()
        after, log_after = self._session(session_id)
        return Observation(
            session_id,
            exchange,
            before,
            after,
            log_before,
            log_after,
            received,
            expected={role: [e.name for e in items] for role, items in expected.items()},
            evidence=stage.evidence,
            listed=self._listed(session_id, ("originator", "consultant")),
            customer_before=customer_before,
            customer_after=self._customer_phone(session_id),
            sender=sender,
        )

    def observe_among_agents(self, body: object, *, expected: Mapping[str, Sequence[Expected]]) -> Observation:
        """As :meth:`observe`, on a fresh session into which the originator first consulted the
        consultant: the pages that say who receives a message (all participants, or the agents
        only) are judged at that other agent, since no page says whether the sender gets its own."""
        self._observable()
        target = self.target("consultant", "uri")
        handle = self.new_session()
        return self._observed(
            "observe_among_agents", lambda: self._observe_among_agents(handle, target, body, expected)
        )

    def _observe_among_agents(
        self, handle: SessionHandle, target: RoleTarget, body: object, expected: Mapping[str, Sequence[Expected]]
    ) -> Observation:
        originator = self.agents["originator"]
        owner = only_agent(self._session(handle.id)[0])
        mark, sent_at = originator.log.mark(), time.monotonic()
        consult = originator.operate(handle.id, {"operationName": "Consult", **target.as_params()})
        updated, announced = PARTICIPANT_JOINS

        def about(step: Expected) -> Callable[[Mapping[str, Any]], bool]:
            return lambda data: session_id_of(data) == handle.id and step.matches(data)

        until = sent_at + self.deadline
        if not (consult.succeeded and originator.log.wait_for(about(updated), since=mark, deadline=until)):
            raise StageError(
                f"precondition: the consultant did not join session {handle.id} (Consult: HTTP "
                f"{consult.status} {consult.body}; no {updated.name} within {self.deadline:g} s)"
            )
        # Once the join's announcement arrived too (in whichever order: that is Consult's own check), no
        # quiet window is spent waiting for the consult's notifications; whatever else of it comes late
        # cannot pass for the message judged (the page's type, from the originator). A server that
        # does not announce the join costs one quiet window more, not a deadline.
        joined = (
            originator.log.wait_for(
                about(announced), since=mark, deadline=min(until, time.monotonic() + self.calibration.quiet_window)
            )
            is not None
        )
        before, log_before = self._session(handle.id)
        stage = self._stage(handle.id, owner, announced=joined)
        stage.settle(participants=("originator", "consultant"))
        return self._send_on_stage(stage, body, expected, before, log_before, owner)

    def consultant_writes(self, consult: Observation) -> Observation:
        """The consultant of ``consult`` writes to the session as agents may: SendToAgents, then a
        plain SendMessage (which a server may refuse or keep agent-only)."""
        return self._observed("consultant_writes", lambda: self._consultant_writes(consult))

    def _consultant_writes(self, consult: Observation) -> Observation:
        if consult.listed.get("consultant") is None:
            raise StageError(f"precondition: the consult of session {consult.session_id} did not reach the consultant")
        stage = self._stage(consult.session_id, only_agent(consult.before))
        stage.settle(participants=("originator", "consultant"))
        customer_before = self._customer_phone(consult.session_id)
        exchange = stage.send("consultant", {"operationName": "SendToAgents", "text": "consultant to agents"})
        public = stage.send("consultant", {"operationName": "SendMessage", "text": "consultant to everyone?"})
        received = stage.close()
        return Observation(
            consult.session_id,
            exchange,
            received=received,
            evidence=stage.evidence,
            more=[public],
            customer_before=customer_before,
            customer_after=self._customer_phone(consult.session_id),
        )

    def follow_up(
        self, consult: Observation, role: str, body: object, awaited: Mapping[str, Callable[[Mapping[str, Any]], bool]]
    ) -> Observation:
        """After ``consult``, ``role`` sends ``body``; then each role in ``awaited`` waits (with the
        deadline) for a notification about the session that satisfies its predicate, and each
        agent's session list is read. ``Observation.found[role]`` is the first such notification
        within the deadline, or None; it is judged from the recorded arrivals, so a recheck finds
        the same."""
        seen = self._observed("follow_up", lambda: self._follow_up(consult, role, body, awaited))
        seen.found = self._found(seen, awaited)
        return seen

    def _found(
        self, seen: Observation, awaited: Mapping[str, Callable[[Mapping[str, Any]], bool]]
    ) -> dict[str, Mapping[str, Any] | None]:
        """Per role, the first recorded arrival within the deadline that its predicate accepts."""
        return {
            role: next(
                (a.data for a in seen.received.get(role, []) if a.after <= self.deadline and wanted(a.data)), None
            )
            for role, wanted in awaited.items()
        }

    def _follow_up(
        self, consult: Observation, role: str, body: object, awaited: Mapping[str, Callable[[Mapping[str, Any]], bool]]
    ) -> Observation:
        marks = {r: self.agents[r].log.mark() for r in ("originator", "consultant")}
        sent_at = time.monotonic()
        exchange = self.agents[role].operate(consult.session_id, body)
        for r, wanted in awaited.items():  # wait on the events; what counts is judged from the arrivals
            self.agents[r].log.wait_for(
                lambda data, wanted=wanted: session_id_of(data) == consult.session_id and wanted(data),
                since=marks[r],
                deadline=sent_at + self.deadline,
            )
        received = {
            r: session_arrivals(self.agents[r].log, consult.session_id, since=marks[r], sent_at=sent_at)
            for r in ("originator", "consultant")
        }
        return Observation(
            consult.session_id,
            exchange,
            received=received,
            listed=self._listed(consult.session_id, ("originator", "consultant")),
        )

    def intrude(self, session_id: str, body: object, awaited: Callable[[Mapping[str, Any]], bool]) -> Observation:
        """The supervisor posts ``body`` to the originator's session through the originator's user
        resource (page Intrude: /api/v2/users/{userId}/smssessions/{id}); if accepted, its stream
        is watched (with the deadline) for a notification about the session that ``awaited``
        accepts. ``Observation.found["supervisor"]`` is the first such notification, or None."""
        seen = self._observed("intrude", lambda: self._intrude(session_id, body, awaited))
        seen.found = self._found(seen, {"supervisor": awaited})
        return seen

    def _intrude(self, session_id: str, body: object, awaited: Callable[[Mapping[str, Any]], bool]) -> Observation:
        supervisor = self.agent("supervisor")  # skips (recorded as a skip) when none is configured
        mark, sent_at = supervisor.log.mark(), time.monotonic()
        exchange = supervisor.rest.post(f"/api/v2/users/{self._user_id('originator')}/smssessions/{session_id}", body)
        if exchange.succeeded:
            supervisor.log.wait_for(
                lambda d: session_id_of(d) == session_id and awaited(d), since=mark, deadline=sent_at + self.deadline
            )
        received = {"supervisor": session_arrivals(supervisor.log, session_id, since=mark, sent_at=sent_at)}
        return Observation(session_id, exchange, received=received, listed=self._listed(session_id, ("supervisor",)))

    def _user_id(self, role: str) -> str:
        """A user's id, the last segment of its configured uri or path (/users/{id})."""
        account = self.config.agent(role)
        return (account.uri or account.path).rstrip("/").rsplit("/", 1)[-1]

    def request(self, session_id: str, body: object, *, role: str = "originator") -> Observation:
        """One request and its response only (parameter validation)."""
        return self._observed("request", lambda: Observation(session_id, self.agent(role).operate(session_id, body)))

    def request_raw(self, session_id: str, content: bytes, content_type: str) -> Observation:
        return self._observed(
            "request_raw",
            lambda: Observation(session_id, self.agents["originator"].operate_raw(session_id, content, content_type)),
        )

    def list_sessions(self, role: str) -> Observation:
        """GET the SMS sessions of ``role`` (the session id of the observation is empty)."""
        return self._observed(
            "list_sessions", lambda: Observation("", self.agent(role).rest.get("/api/v2/me/smssessions"))
        )

    # --- shared judgements --------------------------------------------------------------------

    @staticmethod
    def assert_refusal(seen: Observation, clause_id: str, documented_code: int | None = None) -> None:
        """The GWS way of saying no (page Return Values): a 4xx-or-200 answer, never a 5xx, with a
        non-zero statusCode, a statusMessage and no referenceId."""
        status, body = seen.response_status, seen.response_body
        assert status < 500, f"{clause_id} [MUST] bad input answered with HTTP {status}: {body}"
        problems = [f"{v.path}: {v.message}" for v in validate("responses/error", body)]
        hint = f" (documented statusCode: {documented_code})" if documented_code is not None else ""
        assert not problems, f"{clause_id} [MUST] not a GWS refusal{hint}: HTTP {status} {body}: {problems}"

    @staticmethod
    def assert_accepted(seen: Observation, clause_id: str) -> None:
        assert seen.response_status < 300 and seen.exchange.succeeded, (
            f"{clause_id} [MUST] the request was refused: HTTP {seen.response_status} {seen.response_body}"
        )
