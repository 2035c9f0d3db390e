"""Where the SMS sessions a check works on come from.

An SMS session starts from a customer's text, which the agent API cannot create, so a source
provides them: ``reference`` provisions them through the reference server's test-only API (and
offers the customer probe), ``existing`` hands out configured session ids, ``command`` runs a
user's command that injects an inbound SMS and waits for the new session on the agent's stream
(and, with ``source.probe_command``, offers a customer probe too).

A check asks for a session in a state: ``Chatting`` (most) or ``Invited`` (offered to the agent,
not yet accepted: Accept and Reject). ``existing`` keeps one list per state; a ``command``
session arrives as the target routes it (a real GWS offers it Invited) and is accepted where a
Chatting one is asked for; a source that cannot give the state asked for makes the check skip.
"""

from __future__ import annotations

import itertools
import json
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from conformance.client.agent import Agent
from conformance.client.rest import Exchange, tls_options
from conformance.config import Config
from conformance.engine.notation import body
from conformance.engine.stage import about_session, session_id_of
from conformance.engine.verdicts import NotApplicable
from conformance.spec.schemas import validate

CustomerProbe = Callable[[], list[Mapping[str, Any]]]


@dataclass(frozen=True)
class SessionHandle:
    id: str
    customer_probe: CustomerProbe | None = None
    announced: bool = False  # every notification the session's arrival causes is known to be in the stream


CHATTING, INVITED = "Chatting", "Invited"


class SessionSource(Protocol):
    def new_session(self, agent: Agent, state: str = CHATTING) -> SessionHandle: ...


def provision(http: httpx.Client, username: str, state: str, number: int) -> Mapping[str, Any]:
    """A session the reference server's test-only API makes for ``username`` in ``state`` (the
    ``number``-th customer's): its answer, with the session's ``id`` and ``notifications``."""
    response = http.post(
        "/conformance/v1/smssessions",
        json={
            "agent": username,
            "state": state,
            "text": f"Hello, I need help ({number})",
            "customer": {"nickname": f"Customer{number}", "phoneNumber": f"+1555000{number:04d}"},
        },
    )
    body = response.json()
    if body.get("statusCode") != 0:
        raise RuntimeError(f"the reference server could not provision a session: {body}")
    return body


class ReferenceSource:
    """Sessions provisioned by the reference server's test-only API, routed to the agent, Chatting."""

    def __init__(self, config: Config) -> None:
        self._http = httpx.Client(base_url=config.base_url, timeout=config.http_timeout, **tls_options(config.tls))
        self._numbers = itertools.count(1)  # safe across the threads of concurrent scenarios
        self.announced = True  # wait for each new session's announcements (False: the stream is known broken)
        self._deadline = config.deadline

    def new_session(self, agent: Agent, state: str = CHATTING) -> SessionHandle:
        body = provision(self._http, agent.account.username, state, next(self._numbers))
        session_id = body["id"]
        announced = self.announced and _arrived(
            agent, session_id, body["notifications"], deadline=time.monotonic() + self._deadline
        )

        def probe() -> list[Mapping[str, Any]]:
            return self._http.get(f"/conformance/v1/smssessions/{session_id}/customer").json()["messages"]

        return SessionHandle(session_id, probe, announced)


class ExistingSource:
    """Configured sessions already routed to the originator, each used once: Chatting ones
    (``source.session_ids``) and Invited ones (``source.invited_session_ids``)."""

    def __init__(self, config: Config) -> None:
        self._ids = {CHATTING: list(config.source.session_ids), INVITED: list(config.source.invited_session_ids)}

    def new_session(self, agent: Agent, state: str = CHATTING) -> SessionHandle:
        try:
            return SessionHandle(self._ids[state].pop(0))  # one pop: safe across the threads of concurrent scenarios
        except IndexError:
            key = "session_ids" if state == CHATTING else "invited_session_ids"
            raise NotApplicable(
                f"the existing session source has no unused {state} session id left (source.{key})", key=f"source.{key}"
            ) from None


AGENT_PLACEHOLDER = "{agent}"  # in source.command: the username of the agent the session is for


class CommandSource:
    """Runs the configured command, then waits for a session not seen before on the agent's stream.
    ``{agent}`` in the command is replaced by the agent's username (for a gateway that routes an
    SMS to an agent: several agents at once, as a load's agent pairs, each get their own)."""

    def __init__(self, config: Config) -> None:
        self._command = config.source.command
        self._probe_command = config.source.probe_command
        self._deadline = config.deadline
        self._seen: set[str] = set()
        # Scenarios run at the same time: each new session is claimed once. A command that names
        # the agent ({agent}) makes a session arrive for that agent only: one at a time per agent.
        self._per_agent = AGENT_PLACEHOLDER in self._command
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def _lock(self, agent: Agent) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(agent.account.username if self._per_agent else "", threading.Lock())

    def new_session(self, agent: Agent, state: str = CHATTING) -> SessionHandle:
        with self._lock(agent):
            handle, arrived_as = self._new_session(agent)
        if arrived_as == state:
            return handle
        if state == CHATTING and arrived_as == INVITED:
            return self._accepted(agent, handle)
        raise NotApplicable(
            f"the command source's session arrived {arrived_as or 'in an unknown state'}, "
            f"and this check needs one {state}",
            key="source.invited_session_ids",
        )

    def _accepted(self, agent: Agent, handle: SessionHandle) -> SessionHandle:
        """An Invited session accepted, once the agent's stream shows it Chatting."""
        answer, chatting = accept_offered(agent, handle.id, self._deadline)
        if not answer.succeeded:
            raise RuntimeError(
                f"the injected session {handle.id} arrived Invited and its Accept was refused: {body(answer.body)}"
            )
        if not chatting:
            raise RuntimeError(
                f"the injected session {handle.id} was accepted but never shown Chatting within {self._deadline:g}s"
            )
        return handle

    def _new_session(self, agent: Agent) -> tuple[SessionHandle, str | None]:
        since = agent.log.mark()
        self._seen |= {i for r in agent.log.snapshot() if (i := session_id_of(r.data))}
        command = shlex.split(self._command.replace(AGENT_PLACEHOLDER, shlex.quote(agent.account.username)))
        run = subprocess.run(command, capture_output=True, text=True, timeout=self._deadline)
        if run.returncode != 0:
            raise RuntimeError(f"source.command exited {run.returncode}: {run.stderr.strip()[:200]}")
        arrived = agent.log.wait_for(
            lambda d: session_id_of(d) not in (None, *self._seen),
            since=since,
            deadline=time.monotonic() + self._deadline,
        )
        if arrived is None:
            raise RuntimeError(
                f"no new SMS session reached {agent.account.username} within {self._deadline:g}s after source.command"
            )
        session_id = session_id_of(arrived.data)
        if session_id is None:  # the predicate above accepted only notifications about a session
            raise RuntimeError("a notification without a session was taken for a new session")
        self._seen.add(session_id)
        return SessionHandle(session_id, self._probe(session_id) if self._probe_command else None), _state(arrived.data)

    def _probe(self, session_id: str) -> CustomerProbe:
        command = shlex.split(self._probe_command.replace("{session_id}", session_id))

        def probe() -> list[Mapping[str, Any]]:
            run = subprocess.run(command, capture_output=True, text=True, timeout=self._deadline)
            if run.returncode != 0:
                raise RuntimeError(f"source.probe_command exited {run.returncode}: {run.stderr.strip()[:200]}")
            try:
                messages = json.loads(run.stdout)
            except json.JSONDecodeError as exc:
                raise RuntimeError(f"source.probe_command printed no JSON list of messages: {exc}") from None
            problems = validate("probe/customer-phone", messages)
            if problems:
                raise RuntimeError(
                    "source.probe_command printed what schemas/probe/customer-phone.json does not allow: "
                    + "; ".join(map(str, problems[:3]))
                )
            return messages

        return probe


def accept_offered(agent: Agent, session_id: str, deadline: float) -> tuple[Exchange, bool]:
    """The agent's Accept of a session offered to it, and whether its stream then showed the
    session Chatting within ``deadline`` seconds: how every SMS session reaches an agent. The
    Accept carries every field its page lists: nickname ("as displayed to the customer") is not
    marked optional there, so a server may require it."""
    since = agent.log.mark()
    answer = agent.operate(session_id, {"operationName": "Accept", "nickname": agent.account.shown_name})
    if not answer.succeeded:
        return answer, False
    chatting = agent.log.wait_for(
        lambda d: session_id_of(d) == session_id and _state(d) == CHATTING,
        since=since,
        deadline=time.monotonic() + deadline,
    )
    return answer, chatting is not None


def _state(data: Mapping[str, Any]) -> str | None:
    session = data.get("smssession")
    return session.get("state") if isinstance(session, Mapping) else None


def _arrived(agent: Agent, session_id: str, count: int, *, deadline: float) -> bool:
    """Whether ``count`` notifications about the session reached the agent's stream by ``deadline``."""
    since = 0
    for _ in range(count):
        found = agent.log.wait_for(about_session(session_id), since=since, deadline=deadline)
        if found is None:
            return False
        since = found.seq + 1
    return True


def make_source(config: Config) -> SessionSource:
    kinds: dict[str, Callable[[Config], SessionSource]] = {
        "reference": ReferenceSource,
        "existing": ExistingSource,
        "command": CommandSource,
    }
    return kinds[config.source.kind](config)
