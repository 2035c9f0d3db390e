"""What a check works with: the configured target, its logged-in agents, sessions, and observations.

:class:`Conformance` is the ``gws`` fixture of the plugin. Scenarios ask it for targets by role
("consultant", "queue", "third"), for sessions from the session source, and to *observe* an
operation: the request, its response, and what each agent received for the session between two
barriers (see :mod:`conformance.engine.stage`). An :class:`Observation` is plain data, so a check
is a judgement over it.

Every public call that reaches the target goes through the :class:`Recorder`, so a run is
recorded, and a :class:`Conformance` made without a :class:`LiveTarget` (``recheck``) answers the
same calls from a recording, reaching nothing.

A role the configuration does not provide makes the scenario not applicable (a skip naming the
key); a source that cannot give what a check needs (the customer probe) does the same.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.client.agent import Agent
from conformance.client.rest import Exchange
from conformance.config import Config
from conformance.engine import notation
from conformance.engine.judge import Expected
from conformance.engine.observation import Observation, RoleTarget
from conformance.engine.recording import Recorder
from conformance.engine.scheduling import Lease
from conformance.engine.sessions import CHATTING, CustomerProbe, SessionHandle, SessionSource, accept_offered
from conformance.engine.stage import (
    PARTICIPANT_JOINS,
    Calibration,
    Stage,
    about_session,
    only_agent,
    session_arrivals,
    session_id_of,
)
from conformance.engine.verdicts import ErrorCause, NotApplicable, Unjudgeable

# The GET .../messages parameters to ask, made from the whole log.
Queries = Callable[[list[Mapping[str, Any]]], Sequence[Mapping[str, str]]]
Awaited = Mapping[str, Callable[[Mapping[str, Any]], bool]]  # role -> the notification it waits for


@dataclass
class LiveTarget:
    """What a live run has and a replay does not: the configuration, the logged-in agents (roles
    beyond the standing ones log in on demand with ``make_agent``) and the session source."""

    config: Config
    agents: dict[str, Agent]
    source: SessionSource
    make_agent: Callable[[str], Agent]
    customer_probes: dict[str, CustomerProbe] = field(default_factory=dict)  # session id -> the source's probe
    shared: dict[str, SessionHandle] = field(default_factory=dict)  # shared session name -> its session
    lock: threading.Lock = field(default_factory=threading.Lock)


class Conformance:
    """The run's view of the target (the ``gws`` fixture); see the module."""

    def __init__(
        self, recorder: Recorder, calibration: Calibration, deadline: float, live: LiveTarget | None = None
    ) -> None:
        self.recorder = recorder
        self.calibration = calibration
        self.deadline = deadline
        self._live = live
        self._unobservable = calibration.unobservable() if live is not None else None
        # The sessions the consultant was consulted into, with that Consult, the session's owner and
        # whether the join was announced: the scenarios sharing such a session (AMONG_AGENTS) consult once.
        self._among_agents: dict[str, tuple[Exchange, str | None, bool]] = {}

    @property
    def live(self) -> LiveTarget:
        if self._live is None:
            raise RuntimeError("a replay reached for the target: every call must come from the recording")
        return self._live

    @property
    def config(self) -> Config:
        return self.live.config

    @property
    def agents(self) -> dict[str, Agent]:
        return self._live.agents if self._live is not None else {}

    # --- recording ---------------------------------------------------------------------------

    def observed(self, method: str, compute: Callable[[], Observation]) -> Observation:
        """An observation, recorded under ``method``, redacted unless the configuration says otherwise."""

        def redacted() -> Observation:
            seen = compute()
            return seen.redacted() if self.config.redact_content else seen

        return self.recorder.call(method, redacted, encode=Observation.to_record, decode=Observation.from_record)

    # --- who and what ----------------------------------------------------------------------

    def agent(self, role: str) -> Agent:
        """A logged-in agent for ``role``; roles beyond originator/consultant are logged in on demand
        (once, whichever scenario thread asks first)."""
        live = self.live
        with live.lock:
            if role not in live.agents:
                if live.config.agent(role) is None:
                    raise NotApplicable(f"no [agents.{role}] configured", key=f"agents.{role}")
                live.agents[role] = live.make_agent(role)
            return live.agents[role]

    def target(self, role: str, form: str) -> RoleTarget:
        return self.recorder.call(
            "target",
            lambda: self._target(role, form),
            encode=dataclasses.asdict,
            decode=RoleTarget.from_record,
        )

    def _target(self, role: str, form: str) -> RoleTarget:
        if role == "queue":
            queue = self.config.queue
            if queue is None:
                raise NotApplicable("no queue configured ([queue] uri or path)", key="queue.uri")
            value = queue.uri if form == "uri" else queue.path
            key = f"queue.{form}"
        else:
            account = self.config.agent(role)
            if account is None:
                raise NotApplicable(f"no [agents.{role}] configured", key=f"agents.{role}")
            value = account.uri if form == "uri" else account.path
            key = f"agents.{role}.{form}"
        if not value:
            raise NotApplicable(f"{key} is not configured", key=key)
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

    def user_id(self, role: str) -> str:
        """A user's id, the last segment of its uri or path (/users/{id})."""
        account = self.config.agent(role)
        if account is None:
            raise NotApplicable(f"no [agents.{role}] configured", key=f"agents.{role}")
        return (account.uri or account.path).rstrip("/").rsplit("/", 1)[-1]

    def new_session(self, state: str = CHATTING, *, shared: str | None = None) -> SessionHandle:
        """A session of the originator's from the source, Chatting or Invited (offered, not
        accepted); with ``shared``, the one session of that name, taken the first time."""
        return self.recorder.call(
            "new_session",
            lambda: self._new_session(state, shared),
            encode=self._encode_handle,
            decode=lambda record, key: SessionHandle(record["id"], None, record["announced"]),
        )

    def _new_session(self, state: str, shared: str | None) -> SessionHandle:
        live = self.live
        if shared is not None:
            with live.lock:
                handle = live.shared.get(shared)
            if handle is not None:
                return handle
        handle = live.source.new_session(live.agents["originator"], state)
        with live.lock:
            if handle.customer_probe is not None:
                live.customer_probes[handle.id] = handle.customer_probe
            if shared is not None:
                live.shared[shared] = handle
        return handle

    @staticmethod
    def _encode_handle(handle: SessionHandle) -> dict[str, Any]:
        return {"id": handle.id, "customer_probe": handle.customer_probe is not None, "announced": handle.announced}

    def customer_phone(self, session_id: str) -> list[Mapping[str, Any]] | None:
        """What the customer's phone holds now, from the source's probe (None: no probe)."""
        probe = self.live.customer_probes.get(session_id)
        return probe() if probe is not None else None

    # --- the stage ---------------------------------------------------------------------------

    def observable(self) -> None:
        """Unjudgeable at once, before a session is taken or waited on, when the calibration found
        the stream unobservable or an agent's stream has stopped since."""
        if self._unobservable:
            raise Unjudgeable(f"not attempted: {self._unobservable}", ErrorCause.UNOBSERVABLE)
        for role in ("originator", "consultant"):
            agent = self.agents.get(role)
            if agent is not None and agent.bayeux.stopped:
                raise Unjudgeable(
                    f"not attempted: the {role}'s notification stream stopped: {agent.bayeux.stopped}",
                    ErrorCause.UNOBSERVABLE,
                )

    def stage(
        self,
        session_id: str,
        marker_from: str | None,
        announced: bool = False,
        roles: Sequence[str] = ("originator", "consultant"),
    ) -> Stage:
        """A stage on the session, watched by the streams of ``roles``."""
        self.observable()
        agents = self.live.agents
        return Stage(
            agents["originator"],
            {role: agents[role] for role in roles},
            session_id,
            self.deadline,
            self.config.barrier_timeout,
            self.calibration,
            marker_from,
            announced,
        )

    def session_state(self, session_id: str) -> tuple[Mapping[str, Any], list[Mapping[str, Any]]]:
        """The session and its message log as the originator reads them now."""
        originator = self.live.agents["originator"]
        session = originator.session(session_id).body
        messages = originator.messages(session_id).body
        return (
            session.get("smssession", {}) if isinstance(session, Mapping) else {},
            messages.get("messages", []) if isinstance(messages, Mapping) else [],
        )

    def listed(self, session_id: str, roles: Sequence[str]) -> dict[str, Mapping[str, Any] | None]:
        """The session as each role's session list (GET /api/v2/me/smssessions) shows it; None: absent."""
        return {role: self.agent(role).listed(session_id) for role in roles}

    # --- observing ---------------------------------------------------------------------------

    def observe(
        self,
        session: Lease,
        body: object,
        *,
        expected: Mapping[str, Sequence[Expected]],
        prepare: object | None = None,
    ) -> Observation:
        """``body`` sent by the originator on ``session`` between two barriers; then the session
        as the originator and each agent's session list show it, and the customer's phone.
        ``prepare``, if given, is sent first (before the barrier), and ``before`` is read after it."""
        self.observable()  # before taking a session for nothing
        handle = session.handle
        return self.observed("observe", lambda: self._observe(handle, body, expected, prepare))

    def _observe(
        self,
        handle: SessionHandle,
        body: object,
        expected: Mapping[str, Sequence[Expected]],
        prepare: object | None = None,
    ) -> Observation:
        before, log_before = self.session_state(handle.id)
        stage = self.stage(handle.id, only_agent(before), handle.announced)
        if prepare is not None:
            stage.announced = self._prepare(handle.id, prepare)
        stage.settle(participants=("originator",))
        if prepare is not None:  # what the preparation changed has arrived: everything before the marker has
            before, log_before = self.session_state(handle.id)
        return self.send_on_stage(stage, body, expected, before, log_before, only_agent(before))

    def _prepare(self, session_id: str, body: object) -> bool:
        """Send ``body`` before an observation; whether its outcome is known to have arrived (the
        notification carrying its referenceId did): if not, the stage waits a quiet window for it."""
        originator = self.live.agents["originator"]
        mark, sent_at = originator.log.mark(), time.monotonic()
        prepared = originator.operate(session_id, body)
        if not prepared.succeeded:
            raise Unjudgeable(
                f"precondition: {notation.body(body)} was refused: "
                f"HTTP {prepared.status} {notation.body(prepared.body)}",
                ErrorCause.PRECONDITION,
            )
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

    def send_on_stage(
        self,
        stage: Stage,
        body: object,
        expected: Mapping[str, Sequence[Expected]],
        before: Mapping[str, Any],
        log_before: list[Mapping[str, Any]],
        sender: str | None,
        role: str = "originator",
    ) -> Observation:
        """``body`` sent by ``role`` on a settled stage; what each role then received, the session
        and its log after, the agents' session lists and the customer's phone around it."""
        session_id = stage.session_id
        customer_before = self.customer_phone(session_id)
        exchange = stage.send(role, body)
        if exchange.succeeded:  # a refusal causes nothing
            stage.await_each({r: items for r, items in expected.items() if items})
        received = stage.close()
        after, log_after = self.session_state(session_id)
        return Observation(
            session_id,
            exchange,
            before,
            after,
            log_before,
            log_after,
            received,
            expected={r: [e.name for e in items] for r, items in expected.items()},
            evidence=stage.evidence,
            listed=self.listed(session_id, ("originator", "consultant")),
            customer_before=customer_before,
            customer_after=self.customer_phone(session_id),
            sender=sender,
        )

    def observe_among_agents(
        self, session: Lease, body: object, *, expected: Mapping[str, Sequence[Expected]]
    ) -> Observation:
        """As :meth:`observe`, on a session into which the originator first consulted the
        consultant: the pages that say who receives a message (all participants, or the agents
        only) are judged at that other agent, since no page says whether the sender gets its own.
        The scenarios sharing a session (:data:`AMONG_AGENTS`) consult once, the first of them."""
        self.observable()
        target = self.target("consultant", "uri")
        handle = session.handle
        return self.observed("observe_among_agents", lambda: self._observe_among_agents(handle, target, body, expected))

    def _observe_among_agents(
        self, handle: SessionHandle, target: RoleTarget, body: object, expected: Mapping[str, Sequence[Expected]]
    ) -> Observation:
        if handle.id not in self._among_agents:
            self._consult_the_consultant(handle, target)
        consult, owner, joined = self._among_agents[handle.id]
        before, log_before = self.session_state(handle.id)
        stage = self.stage(handle.id, owner, announced=joined)
        stage.settle(participants=("originator", "consultant"))
        seen = self.send_on_stage(stage, body, expected, before, log_before, owner)
        seen.setup = [consult, *stage.markers]  # the originator's requests before its own: one client session's
        return seen

    def _consult_the_consultant(self, handle: SessionHandle, target: RoleTarget) -> None:
        """The originator consults the consultant into the session, once per session: the scenarios
        that share it (one after the other) find the consultant there."""
        originator = self.live.agents["originator"]
        owner = only_agent(self.session_state(handle.id)[0])
        mark, sent_at = originator.log.mark(), time.monotonic()
        consult = originator.operate(handle.id, {"operationName": "Consult", **target.as_params()})
        updated, announced = PARTICIPANT_JOINS

        def about(step: Expected) -> Callable[[Mapping[str, Any]], bool]:
            return about_session(handle.id, step.matches)

        until = sent_at + self.deadline
        if not (consult.succeeded and originator.log.wait_for(about(updated), since=mark, deadline=until)):
            raise Unjudgeable(
                f"precondition: the consultant did not join session {handle.id} (Consult: HTTP "
                f"{consult.status} {consult.body}; no {updated.name} within {self.deadline:g} s)",
                ErrorCause.PRECONDITION,
            )
        # Once the join's announcement arrived too (in whichever order: that is Consult's own check), no
        # quiet window is spent waiting for the consult's notifications; whatever else of it comes late
        # cannot pass for the message judged (the page's type, from the originator). A server that
        # does not announce the join costs one quiet window more, not a deadline.
        joined = (
            originator.log.wait_for(
                about(announced),
                since=mark,
                deadline=min(until, time.monotonic() + self.calibration.quiet_window),
            )
            is not None
        )
        self._among_agents[handle.id] = (consult, owner, joined)

    def follow_up(self, consult: Observation, role: str, body: object, awaited: Awaited) -> Observation:
        """After ``consult``, ``role`` sends ``body``; then each role in ``awaited`` waits (with the
        deadline) for a notification about the session that satisfies its predicate, and each
        agent's session list is read. ``Observation.found[role]`` is the first such notification
        within the deadline, or None; it is judged from the recorded arrivals, so a recheck finds
        the same."""
        seen = self.observed("follow_up", lambda: self._follow_up(consult, role, body, awaited))
        seen.found = self.found(seen, awaited)
        return seen

    def found(self, seen: Observation, awaited: Awaited) -> dict[str, Mapping[str, Any] | None]:
        """Per role, the first recorded arrival within the deadline that its predicate accepts."""
        return {
            role: next(
                (a.data for a in seen.received.get(role, []) if a.after <= self.deadline and wanted(a.data)), None
            )
            for role, wanted in awaited.items()
        }

    def _follow_up(self, consult: Observation, role: str, body: object, awaited: Awaited) -> Observation:
        agents = self.live.agents
        marks = {r: agents[r].log.mark() for r in ("originator", "consultant")}
        sent_at = time.monotonic()
        exchange = agents[role].operate(consult.session_id, body)
        self.await_any(consult.session_id, awaited, marks, sent_at)
        received = {
            r: session_arrivals(agents[r].log, consult.session_id, since=marks[r], sent_at=sent_at)
            for r in ("originator", "consultant")
        }
        evidence = {}
        if role != "originator" and exchange.succeeded:
            # Another agent acted: what the originator was told is judged to the end of its stream
            # (a marker after it, or a quiet window), not only to what had come when the awaited did.
            stage = self.stage(consult.session_id, only_agent(consult.before), roles=("originator",))
            stage.watch_since(marks, sent_at)
            received["originator"] = stage.close()["originator"]
            evidence = stage.evidence
        return Observation(
            consult.session_id,
            exchange,
            received=received,
            evidence=evidence,
            listed=self.listed(consult.session_id, ("originator", "consultant")),
        )

    def taken_if_offered(self, seen: Observation, role: str) -> Observation:
        """``seen`` (a Transfer) with ``role``'s Accept after it when ``role``'s list shows the
        session Invited: how every SMS session reaches an agent, which no page rules out for a
        transferred one. The Accept (with the fields its page lists) is recorded; ``listed`` is
        then read again, once ``role``'s stream shows the session Chatting or the deadline passed."""
        offered = (seen.listed.get(role) or {}).get("state") == "Invited"
        if not (seen.exchange.succeeded and offered):
            return seen
        taken = self.observed("accept_offered", lambda: self._accept_offered(seen.session_id, role))
        return replace(seen, listed={**seen.listed, **taken.listed}, more=[*seen.more, taken.exchange])

    def _accept_offered(self, session_id: str, role: str) -> Observation:
        exchange, _ = accept_offered(self.agent(role), session_id, self.deadline)
        return Observation(session_id, exchange, listed=self.listed(session_id, ("originator", role)))

    def await_any(self, session_id: str, awaited: Awaited, marks: Mapping[str, int], sent_at: float) -> None:
        """Wait (on the events, with the deadline) until each role in ``awaited`` received a
        notification about the session that its predicate accepts; what counts is judged later,
        from the recorded arrivals."""
        for role, wanted in awaited.items():
            self.agent(role).log.wait_for(
                about_session(session_id, wanted),
                since=marks[role],
                deadline=sent_at + self.deadline,
            )

    def request(self, session_id: str, body: object, *, role: str = "originator") -> Observation:
        """One request and its response only (parameter validation)."""
        return self.observed("request", lambda: Observation(session_id, self.agent(role).operate(session_id, body)))

    def request_raw(self, session_id: str, content: bytes, content_type: str) -> Observation:
        return self.observed(
            "request_raw",
            lambda: Observation(
                session_id, self.live.agents["originator"].operate_raw(session_id, content, content_type)
            ),
        )

    def list_sessions(self, role: str) -> Observation:
        """GET the SMS sessions of ``role`` (the session id of the observation is empty)."""
        return self.observed(
            "list_sessions", lambda: Observation("", self.agent(role).rest.get("/api/v2/me/smssessions"))
        )

    # --- no barrier: one request with the session around it, and the resource's reads ----------

    def attempt(self, session: Lease, body: object) -> Observation:
        """One request on ``session``, with the session and its log before and after; no
        notification is watched (a refused request causes none)."""
        handle = session.handle
        return self.observed("attempt", lambda: self._attempt(handle.id, body))

    def _attempt(self, session_id: str, body: object) -> Observation:
        before, log_before = self.session_state(session_id)
        exchange = self.live.agents["originator"].operate(session_id, body)
        after, log_after = self.session_state(session_id)
        return Observation(session_id, exchange, before, after, log_before, log_after)

    def list_held_session(self, session: Lease) -> Observation:
        """The originator's session list as the resource page asks for it
        (GET /api/v2/me/smssessions?fields=*), with ``session`` held."""
        handle = session.handle
        return self.observed(
            "list_held_session",
            lambda: Observation(
                handle.id, self.live.agents["originator"].rest.get("/api/v2/me/smssessions", {"fields": "*"})
            ),
        )

    def page_through_log(self, session: Lease, texts: Sequence[str], queries: Queries) -> Observation:
        """The originator sends ``texts`` (SendMessage) on ``session``, then reads its log whole,
        once per query that ``queries`` makes of the whole log (GET .../messages with those
        parameters), and whole again: ``log_before`` and ``log_after`` are the two whole reads,
        ``more`` the answers in order (each exchange's URL says what it asked). Pages are judged
        only where the two whole reads agree."""
        handle = session.handle
        return self.observed("page_through_log", lambda: self._page_through_log(handle.id, texts, queries))

    def _page_through_log(self, session_id: str, texts: Sequence[str], queries: Queries) -> Observation:
        originator = self.live.agents["originator"]
        sent = [originator.operate(session_id, {"operationName": "SendMessage", "text": text}) for text in texts]
        _, whole = self.session_state(session_id)
        pages: list[Exchange] = [
            originator.messages(session_id, q.get("startIndex"), q.get("count")) for q in queries(whole)
        ]
        _, again = self.session_state(session_id)
        return Observation(session_id, sent[-1], log_before=whole, log_after=again, more=pages)
