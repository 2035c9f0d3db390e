"""What a check works with: the configured target, its logged-in agents, sessions, and observations.

:class:`Conformance` is the ``gws`` fixture of the plugin. Checks ask it for targets by role
("consultant", "queue", "third"), for fresh sessions from the session source, and to
*observe* an operation: the request, its response, and what each agent received for the
session between two barriers (see :mod:`conformance.scenario`). An :class:`Observation` is plain
data, so a check is a judgement over it.

A role the configuration does not provide makes the check skip with that reason; a session
source that cannot give what a check needs (the customer probe) does the same.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.client.agent import Agent
from conformance.client.rest import Exchange
from conformance.config import Config
from conformance.judge import Arrival, Expected
from conformance.scenario import Stage, StageError, session_arrivals, session_id_of
from conformance.sessions import SessionSource
from conformance.spec.schemas import validate


@dataclass(frozen=True)
class RoleTarget:
    """A consult/transfer target in one of the two documented forms."""

    form: str  # "uri" or "path"
    value: str

    def as_params(self) -> dict[str, str]:
        return {"targetUri" if self.form == "uri" else "targetPath": self.value}


@dataclass
class Observation:
    """Everything one check needs to judge an operation on one session."""

    session_id: str
    exchange: Exchange
    before: Mapping[str, Any] = field(default_factory=dict)  # the session as the originator saw it
    after: Mapping[str, Any] = field(default_factory=dict)
    log_before: list[Mapping[str, Any]] = field(default_factory=list)
    log_after: list[Mapping[str, Any]] = field(default_factory=list)
    received: dict[str, list[Arrival]] = field(default_factory=dict)
    found: dict[str, Mapping[str, Any] | None] = field(default_factory=dict)  # follow-ups: awaited, by role
    customer_probe: Callable[[], list[Mapping[str, Any]]] | None = None

    @property
    def response_status(self) -> int:
        return self.exchange.status

    @property
    def response_body(self) -> Any:
        return self.exchange.body

    @property
    def last_index_before(self) -> int:
        return max((m.get("index", -1) for m in self.log_before), default=-1)

    def originator_participant(self) -> Mapping[str, Any]:
        return next(p for p in self.before.get("participants", []) if p.get("type") == "Agent")

    def consultant_participant(self) -> Mapping[str, Any]:
        """The participant the consult added, as the first ParticipantsUpdated shows it."""
        known = {p.get("participantId") for p in self.before.get("participants", [])}
        for arrival in self.received.get("originator", []):
            for p in (arrival.data.get("smssession") or {}).get("participants", []):
                if p.get("participantId") not in known:
                    return p
        pytest.fail(f"precondition: no consulted agent joined session {self.session_id}")

    def customer_received(self) -> list[Mapping[str, Any]]:
        if self.customer_probe is None:
            pytest.skip("the session source offers no customer probe (only the reference source does)")
        return self.customer_probe()


class Conformance:
    """The run's view of the target (the ``gws`` fixture)."""

    def __init__(self, config: Config, agents: Mapping[str, Agent], source: SessionSource,
                 make_agent: Callable[[str], Agent]) -> None:
        self.config = config
        self.agents = dict(agents)
        self.source = source
        self.deadline = config.deadline
        self._make_agent = make_agent
        self._unobservable: str | None = None  # set once a barrier never arrived

    # --- who and what ----------------------------------------------------------------------

    def agent(self, role: str) -> Agent:
        """A logged-in agent for ``role``; roles beyond originator/consultant are logged in on demand."""
        if role not in self.agents:
            if self.config.agent(role) is None:
                pytest.skip(f"no '{role}' agent configured")
            self.agents[role] = self._make_agent(role)
        return self.agents[role]

    def target(self, role: str, form: str) -> RoleTarget:
        if role == "queue":
            queue = self.config.queue
            if queue is None:
                pytest.skip("no queue configured (agents.queue)")
            value = queue.uri if form == "uri" else queue.path
        else:
            account = self.config.agent(role)
            if account is None:
                pytest.skip(f"no '{role}' agent configured")
            value = account.uri if form == "uri" else account.path
        if not value:
            pytest.skip(f"no {form} configured for '{role}'")
        return RoleTarget(form, value)

    def unknown_user_target(self) -> RoleTarget:
        """A user uri on the target that names nobody (a fresh random id)."""
        return RoleTarget("uri", f"{self.config.base_url}/api/v2/users/{uuid.uuid4().hex}")

    def new_session(self):
        return self.source.new_session(self.agents["originator"])

    # --- observing ---------------------------------------------------------------------------

    def _stage(self, session_id: str) -> Stage:
        """A stage for the session; once one barrier never arrived, the notification stream is
        known to be unobservable and every later scenario errors at once instead of waiting again."""
        if self._unobservable:
            raise StageError(f"not attempted: {self._unobservable}")
        return Stage(self.agents["originator"], {r: self.agents[r] for r in ("originator", "consultant")},
                     session_id, self.deadline, self.config.barrier_timeout)

    def _session(self, session_id: str) -> tuple[Mapping[str, Any], list[Mapping[str, Any]]]:
        originator = self.agents["originator"]
        session = originator.session(session_id).body.get("smssession", {})
        messages = originator.messages(session_id).body.get("messages", [])
        return session, messages

    @contextmanager
    def _watching(self) -> Iterator[None]:
        try:
            yield
        except StageError as exc:
            self._unobservable = self._unobservable or str(exc)
            raise

    def observe(self, body: object, *, expected: Mapping[str, Sequence[Expected]]) -> Observation:
        """A fresh session; ``body`` sent by the originator between two barriers."""
        with self._watching():
            return self._observe(body, expected)

    def _observe(self, body: object, expected: Mapping[str, Sequence[Expected]]) -> Observation:
        handle = self.new_session()
        stage = self._stage(handle.id)
        stage.settle(participants=("originator",))
        before, log_before = self._session(handle.id)
        exchange = stage.send("originator", body)
        stage.await_each({role: items for role, items in expected.items() if items})
        received = stage.close()
        after, log_after = self._session(handle.id)
        return Observation(handle.id, exchange, before, after, log_before, log_after, received,
                           customer_probe=handle.customer_probe)

    def consultant_writes(self, consult: Observation) -> Observation:
        """The consultant of ``consult`` writes to the session as agents may: SendToAgents, then a
        plain SendMessage (which a server may refuse or keep agent-only)."""
        if not consult.received.get("consultant"):
            raise StageError(f"precondition: the consult of session {consult.session_id} did not reach the consultant")
        with self._watching():
            return self._consultant_writes(consult)

    def _consultant_writes(self, consult: Observation) -> Observation:
        stage = self._stage(consult.session_id)
        stage.settle(participants=("originator", "consultant"))
        exchange = stage.send("consultant", {"operationName": "SendToAgents", "message": "consultant to agents"})
        stage.send("consultant", {"operationName": "SendMessage", "message": "consultant to everyone?"})
        received = stage.close()
        return Observation(consult.session_id, exchange, received=received, customer_probe=consult.customer_probe)

    def follow_up(self, consult: Observation, role: str, body: object,
                  awaited: Mapping[str, Callable[[Mapping[str, Any]], bool]]) -> Observation:
        """After ``consult``, ``role`` sends ``body``; then each role in ``awaited`` waits (with the
        deadline) for a notification about the session that satisfies its predicate.
        ``Observation.found[role]`` is that notification, or None."""
        marks = {r: self.agents[r].log.mark() for r in ("originator", "consultant")}
        sent_at = time.monotonic()
        exchange = self.agents[role].operate(consult.session_id, body)
        found = {
            r: self.agents[r].log.wait_for(
                lambda data, wanted=wanted: session_id_of(data) == consult.session_id and wanted(data),
                since=marks[r], deadline=sent_at + self.deadline)
            for r, wanted in awaited.items()
        }
        received = {r: session_arrivals(self.agents[r].log, consult.session_id, since=marks[r], sent_at=sent_at)
                    for r in ("originator", "consultant")}
        return Observation(consult.session_id, exchange, received=received,
                           found={r: item.data if item else None for r, item in found.items()},
                           customer_probe=consult.customer_probe)

    def request(self, session_id: str, body: object, *, role: str = "originator") -> Observation:
        """One request and its response only (parameter validation)."""
        return Observation(session_id, self.agent(role).operate(session_id, body))

    def request_raw(self, session_id: str, content: bytes, content_type: str) -> Observation:
        return Observation(session_id, self.agents["originator"].operate_raw(session_id, content, content_type))

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
        status, body = seen.response_status, seen.response_body
        assert status < 300 and isinstance(body, Mapping) and body.get("statusCode") == 0, (
            f"{clause_id} [MUST] the request was refused: HTTP {status} {body}")
