"""Driving one SMS session through an operation and collecting what every agent received.

A :class:`Stage` brackets an operation between two barriers in each agent's ordered
notification stream, so a check can prove "nothing else arrived" without sleeping:

1. ``settle()``: the originator sends ``SendStartTypingNotification``; once every watching agent
   has received the resulting ``TypingStarted`` message, everything older is behind the mark.
2. ``send(...)``: the request under test; its time starts the deadline clock.
3. ``await_each(...)``: wait (on events, with the deadline) until each expected notification
   arrived in every stream that should get it. A correct server never makes this wait out the
   deadline.
4. ``close()``: the originator sends ``SendStopTypingNotification``; when its ``TypingStopped``
   arrives, every notification the operation caused is in the streams before it (a session's
   notifications arrive in the order the server produced them). What lies between the two
   barriers is what the check judges.

The typing pair is the cheapest operation that every agent participant is notified of and
that changes nothing a check looks at (assumed: its message is visible to All; the customer
sees an agent typing, which is no trace of a consult).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.client.agent import Agent
from conformance.client.bayeux import NotificationLog
from conformance.client.rest import Exchange
from conformance.judge import Arrival, Expected

TYPING_STARTED = "TypingStarted"
TYPING_STOPPED = "TypingStopped"


def session_id_of(data: Mapping[str, Any]) -> str | None:
    """The session a notification is about: smssession.id, or the last segment of smssessionUri."""
    session = data.get("smssession")
    if isinstance(session, Mapping) and isinstance(session.get("id"), str):
        return session["id"]
    uri = data.get("smssessionUri")
    if isinstance(uri, str):
        return uri.rstrip("/").rsplit("/", 1)[-1]
    return None


def carries_message(data: Mapping[str, Any], message_type: str) -> bool:
    messages = data.get("messages")
    return isinstance(messages, list) and any(
        isinstance(m, Mapping) and m.get("type") == message_type for m in messages
    )


def session_arrivals(log: NotificationLog, session_id: str, *, since: int, sent_at: float,
                     until: int | None = None) -> list[Arrival]:
    """What ``log`` received about the session from position ``since`` (up to, not including,
    ``until``), each timed in seconds after ``sent_at``."""
    return [Arrival(r.data, r.arrival - sent_at) for r in log.snapshot(since=since)
            if session_id_of(r.data) == session_id and (until is None or r.seq < until)]


class StageError(RuntimeError):
    """The stage could not be set up (barrier never arrived): the check errors, it does not fail."""


@dataclass
class Stage:
    """One session under test, watched through the notification streams of ``agents``."""

    originator: Agent
    watchers: Mapping[str, Agent]  # role -> agent whose stream is judged (originator included)
    session_id: str
    deadline: float  # seconds an expected notification may take
    barrier_timeout: float  # seconds a barrier may take before the session counts as unobservable
    _marks: dict[str, int] = field(default_factory=dict)
    _sent_at: float = 0.0
    _ends: dict[str, int] = field(default_factory=dict)

    def _about(self, data: Mapping[str, Any]) -> bool:
        return session_id_of(data) == self.session_id

    def _barrier(self, sender: Agent, operation: str, message_type: str,
                 roles: Sequence[str]) -> dict[str, int]:
        since = {role: self.watchers[role].log.mark() for role in roles}
        sender.operate(self.session_id, {"operationName": operation})
        until = time.monotonic() + self.barrier_timeout
        positions = {}
        for role in roles:
            found = self.watchers[role].log.wait_for(
                lambda d: self._about(d) and carries_message(d, message_type),
                since=since[role], deadline=until,
            )
            if found is None:
                raise StageError(
                    f"{operation}: no {message_type} for session {self.session_id} reached the {role} within "
                    f"{self.barrier_timeout:g}s; the session's notifications cannot be observed "
                    "(are notification_path and sms_topic right for this server?)"
                )
            positions[role] = found.seq
        return positions

    def settle(self, participants: Sequence[str] = ("originator",)) -> None:
        """Barrier in the streams of the agents already in the session; the others (a consultant
        to be) only mark where they are, as nothing about this session can reach them yet."""
        self._marks = {role: agent.log.mark() for role, agent in self.watchers.items()}
        barrier = self._barrier(self.originator, "SendStartTypingNotification", TYPING_STARTED, participants)
        self._marks.update({role: seq + 1 for role, seq in barrier.items()})

    def send(self, role: str, body: object) -> Exchange:
        self._sent_at = time.monotonic()
        return self.watchers[role].operate(self.session_id, body)

    def await_each(self, expected: Mapping[str, Sequence[Expected]]) -> None:
        """Wait until every expected notification arrived for each role, or the deadline passed."""
        until = self._sent_at + self.deadline
        for role, items in expected.items():
            for item in items:
                self.watchers[role].log.wait_for(
                    lambda d, item=item: self._about(d) and item.matches(d),
                    since=self._marks[role], deadline=until,
                )

    def close(self) -> dict[str, list[Arrival]]:
        """End barrier sent by the originator; then what each watcher received between the barriers.

        The barrier is awaited in the streams of the watchers that are in the session now, which
        are those that received anything about it since the mark (an agent the operation never
        reached gets no barrier either, and has nothing to prove)."""
        roles = [role for role in self.watchers if role == "originator" or self.arrivals(role)]
        self._ends = self._barrier(self.originator, "SendStopTypingNotification", TYPING_STOPPED, roles)
        return {role: self.arrivals(role) for role in self.watchers}

    def arrivals(self, role: str) -> list[Arrival]:
        arrivals = session_arrivals(self.watchers[role].log, self.session_id, since=self._marks[role],
                                    sent_at=self._sent_at, until=self._ends.get(role))
        if role in self._ends or not self._ends:
            return arrivals
        # Nothing had reached this role when the stage closed, so its stream has no awaited end
        # barrier; if the barrier came since, what follows it is not the operation's.
        end = next((n for n, a in enumerate(arrivals) if carries_message(a.data, TYPING_STOPPED)), len(arrivals))
        return arrivals[:end]
