"""Driving one SMS session through an operation and collecting what every agent received.

A :class:`Stage` brackets an operation in each watching agent's ordered notification stream, so
a check can know that "nothing else arrived" without sleeping. Two kinds of evidence exist, and
the run's :class:`Calibration` picks one per stream (no page says who receives an agent's typing,
so the suite measures it instead of assuming it):

- **marker**: the originator sends ``SendStartTypingNotification`` before the operation and
  ``SendStopTypingNotification`` after it. When its ``TypingStopped`` arrives in a stream,
  everything the operation caused is in that stream before it (a session's notifications arrive
  in the order the server produced them). Markers are recognised by their sender, the
  originator's participant, so another agent's typing is never taken for one.
- **quiet window**: where the server does not deliver the originator's typing to a stream, that
  stream is judged up to the moment it has received nothing about the session for
  ``quiet_window`` seconds, counted from the request and from the last arrival.

The steps of a stage:

1. ``settle()``: everything older than the operation is behind the mark (a marker, or a quiet
   window unless the session source proved the session's announcements all arrived);
2. ``send(...)``: the request under test; its time starts the deadline clock;
3. ``await_each(...)``: wait (on events, with the deadline) until each expected notification
   arrived in every stream that should get it; a correct server never makes this run out;
4. ``close()``: the end marker, or the quiet window; what lies between is what checks judge, and
   :attr:`Stage.evidence` says for each stream how its end was established.

The typing pair is the cheapest operation that changes nothing a check looks at (assumed: its
message is visible to All; the customer sees an agent typing, which is no trace of a consult).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.client.agent import Agent
from conformance.client.bayeux import NotificationLog
from conformance.client.rest import Exchange
from conformance.engine.judge import Arrival, Expected
from conformance.engine.verdicts import ErrorCause, Unjudgeable

TYPING_STARTED = "TypingStarted"
TYPING_STOPPED = "TypingStopped"
MARKER = "marker"
QUIET = "quiet"


def session_id_of(data: Mapping[str, Any]) -> str | None:
    """The session a notification is about: smssession.id, or the last segment of smssessionUri."""
    session = data.get("smssession")
    if isinstance(session, Mapping) and isinstance(session.get("id"), str):
        return session["id"]
    uri = data.get("smssessionUri")
    if isinstance(uri, str):
        return uri.rstrip("/").rsplit("/", 1)[-1]
    return None


def carries_message(data: Mapping[str, Any], message_type: str, sender: str | None = None) -> bool:
    """Whether ``data`` carries a message of ``message_type`` (from participant ``sender``, if given)."""
    messages = data.get("messages")
    return isinstance(messages, list) and any(
        isinstance(m, Mapping)
        and m.get("type") == message_type
        and (sender is None or (isinstance(m.get("from"), Mapping) and m["from"].get("participantId") == sender))
        for m in messages
    )


def is_participants_updated(data: Mapping[str, Any]) -> bool:
    return data.get("notificationType") == "ParticipantsUpdated"


def is_join(data: Mapping[str, Any]) -> bool:
    return data.get("notificationType") == "NewMessages" and carries_message(data, "ParticipantJoined")


# An agent joining a session, as the Consult and Invite pages both document it: ParticipantsUpdated,
# then NewMessages announcing the join.
PARTICIPANT_JOINS = (
    Expected("ParticipantsUpdated", is_participants_updated),
    Expected("NewMessages(ParticipantJoined)", is_join),
)


Predicate = Callable[[Mapping[str, Any]], bool]


def about_session(session_id: str, accepts: Predicate | None = None) -> Predicate:
    """Accepts a notification about the session (that ``accepts`` accepts too, if given)."""
    return lambda data: session_id_of(data) == session_id and (accepts is None or accepts(data))


def status_change(state: str | None = None) -> Callable[[Mapping[str, Any]], bool]:
    """A StatusChange (with the session in ``state``, if given)."""
    return lambda data: (
        data.get("notificationType") == "StatusChange"
        and (
            state is None or (isinstance(data.get("smssession"), Mapping) and data["smssession"].get("state") == state)
        )
    )


def session_arrivals(
    log: NotificationLog, session_id: str, *, since: int, sent_at: float, until: int | None = None
) -> list[Arrival]:
    """What ``log`` received about the session from position ``since`` (up to, not including,
    ``until``), each timed in seconds after ``sent_at``."""
    return [
        Arrival(r.data, r.arrival - sent_at)
        for r in log.snapshot(since=since)
        if session_id_of(r.data) == session_id and (until is None or r.seq < until)
    ]


def only_agent(session: Mapping[str, Any]) -> str | None:
    """The participantId of the one Agent of a session (a fresh session: its owner), else None."""
    agents = [
        p.get("participantId")
        for p in session.get("participants", [])
        if isinstance(p, Mapping) and p.get("type") == "Agent"
    ]
    return agents[0] if len(agents) == 1 else None


@dataclass(frozen=True)
class Calibration:
    """What this server shows each agent of the originator's typing, measured once per run
    (:func:`calibrate`), and so how each stream proves "nothing else arrived"."""

    originator_sees_own_typing: bool
    consultant_sees_others_typing: bool | None  # None: the calibration consult never reached the consultant
    quiet_window: float
    observation: str = "auto"  # the configuration's choice: auto (measured), markers or quiet
    note: str = ""  # what went wrong while measuring, if anything
    silent: bool = False  # the originator's stream received nothing at all about the calibration session

    def unobservable(self) -> str | None:
        """Why no scenario can be observed on this server, or None."""
        if not self.silent:
            return None
        return (
            "the session's notifications cannot be observed: the originator's stream received nothing about "
            f"the calibration session ({self.note}); are notification_path and sms_topic right for this server? "
            "'gws-conformance doctor' looks for them"
        )

    def mode(self, role: str) -> str:
        if self.observation != "auto":
            return MARKER if self.observation == "markers" else QUIET
        seen = self.originator_sees_own_typing if role == "originator" else self.consultant_sees_others_typing
        return MARKER if seen else QUIET

    def evidence(self, role: str) -> str:
        return "proven by marker" if self.mode(role) == MARKER else f"nothing else within {self.quiet_window:.1f} s"

    def as_record(self) -> dict[str, Any]:
        return {**asdict(self), "modes": {role: self.mode(role) for role in ("originator", "consultant")}}

    @classmethod
    def from_record(cls, record: Mapping[str, Any], key: str = "") -> Calibration:
        return cls(**{k: v for k, v in record.items() if k != "modes"})


def calibrate(
    originator: Agent,
    consultant: Agent,
    session_id: str,
    consult_target: Mapping[str, str],
    *,
    deadline: float,
    quiet_window: float,
    observation: str = "auto",
) -> Calibration:
    """Measure, on a session of the run's own, whether the originator's typing reaches the
    originator's stream and the consultant's: the originator consults the consultant, waits for
    the documented ParticipantsUpdated, types, and watches both streams for one quiet window.
    The consultant leaves afterwards. Anything that goes wrong leaves that stream on quiet windows."""

    def measured(own: bool, others: bool | None, note: str = "") -> Calibration:
        return Calibration(own, others, quiet_window, observation, note)

    about = about_session(session_id)
    session = originator.session(session_id).body
    owner = only_agent(session.get("smssession", {})) if isinstance(session, Mapping) else None
    marks = {"originator": originator.log.mark(), "consultant": consultant.log.mark()}
    consult = originator.operate(session_id, {"operationName": "Consult", **consult_target})
    accepted = consult.succeeded
    joined = (
        accepted
        and originator.log.wait_for(
            lambda d: about(d) and d.get("notificationType") == "ParticipantsUpdated",
            since=marks["originator"],
            deadline=time.monotonic() + deadline,
        )
        is not None
    )
    originator.operate(session_id, {"operationName": "SendStartTypingNotification"})
    until = time.monotonic() + quiet_window
    typed = lambda d: about(d) and carries_message(d, TYPING_STARTED, owner)  # noqa: E731
    own = originator.log.wait_for(typed, since=marks["originator"], deadline=until) is not None
    if not joined:
        why = "the Consult was refused" if not accepted else f"no ParticipantsUpdated within {deadline:g} s"
        silent = not any(about(r.data) for r in originator.log.snapshot(since=marks["originator"]))
        stream = f"; the stream: {originator.bayeux.trouble()}" if originator.bayeux.trouble() else ""
        return dataclasses.replace(measured(own, None, f"calibration consult: {why}{stream}"), silent=silent)
    others = consultant.log.wait_for(typed, since=marks["consultant"], deadline=until) is not None
    consultant.operate(session_id, {"operationName": "Leave"})
    return measured(own, others)


@dataclass
class Stage:
    """One session under test, watched through the notification streams of ``watchers``."""

    originator: Agent
    watchers: Mapping[str, Agent]  # role -> agent whose stream is judged (originator included)
    session_id: str
    deadline: float  # seconds an expected notification may take
    barrier_timeout: float  # seconds a marker (or a quiet window) may take before the session is unobservable
    calibration: Calibration
    marker_from: str | None = None  # the originator's participantId: the sender of the markers
    announced: bool = False  # the session source proved all of the session's announcements arrived
    evidence: dict[str, str] = field(default_factory=dict)  # role -> how the end of its stream was established
    markers: list[Exchange] = field(default_factory=list)  # the originator's marker requests, in order
    _marks: dict[str, int] = field(default_factory=dict)
    _sent_at: float = 0.0
    _ends: dict[str, int] = field(default_factory=dict)
    _lost: set[str] = field(default_factory=set)  # roles whose stream lost a marker
    _unrecognised: set[str] = field(default_factory=set)  # roles whose marker could not be told as the originator's

    def _about(self, data: Mapping[str, Any]) -> bool:
        return session_id_of(data) == self.session_id

    def _markers(self, roles: Sequence[str]) -> list[str]:
        return [role for role in roles if self.calibration.mode(role) == MARKER]

    def _barrier(self, operation: str, message_type: str, roles: Sequence[str]) -> dict[str, int]:
        """The originator sends a marker; the position of its arrival in each role's stream. A
        marker that never arrives (the stream lost it), or that the session refuses (an Invited or
        ended session takes no typing), is left out: that stream falls back to a quiet window,
        and its evidence says so. So is one that arrives but cannot be told as the originator's
        (no ``from``, or another participant's): at once, not after the barrier timeout."""
        since = {role: self.watchers[role].log.mark() for role in roles}
        marker = self.originator.operate(self.session_id, {"operationName": operation})
        self.markers.append(marker)
        if not marker.succeeded:  # e.g. the session is over
            self._lost.update(roles)
            return {}
        until = time.monotonic() + self.barrier_timeout
        positions = {}
        for role in roles:
            found = self.watchers[role].log.wait_for(
                lambda d: self._about(d) and carries_message(d, message_type),
                since=since[role],
                deadline=until,
            )
            if found is None:
                self._lost.add(role)
            elif not carries_message(found.data, message_type, self.marker_from):
                self._lost.add(role)
                self._unrecognised.add(role)
            else:
                positions[role] = found.seq
        return positions

    def _quiet(self, role: str, *, since: int, quiet_from: float) -> int:
        return self.watchers[role].log.wait_quiet(
            self._about,
            since=since,
            quiet_from=quiet_from,
            window=self.calibration.quiet_window,
            deadline=time.monotonic() + self.barrier_timeout,
        )

    def settle(self, participants: Sequence[str] = ("originator",)) -> None:
        """Everything older than the operation is behind the mark, in the streams of the agents
        already in the session; the others (a consultant to be) only mark where they are."""
        self._marks = {role: agent.log.mark() for role, agent in self.watchers.items()}
        markers = self._markers(participants)
        barrier = self._barrier("SendStartTypingNotification", TYPING_STARTED, markers) if markers else {}
        self._lost.clear()  # only the end marker decides how a stream's end is proven
        self._unrecognised.clear()
        self._marks.update({role: seq + 1 for role, seq in barrier.items()})
        if not self.announced:
            for role in (r for r in participants if r not in barrier):
                self._marks[role] = self._quiet(role, since=0, quiet_from=0.0)

    def watch_since(self, marks: Mapping[str, int], sent_at: float) -> None:
        """The stage takes over streams marked before a request sent without it: :meth:`close`
        then ends each with a marker (or a quiet window) after what that request caused."""
        self._marks, self._sent_at = {role: marks[role] for role in self.watchers}, sent_at

    def send(self, role: str, body: object) -> Exchange:
        self._sent_at = time.monotonic()
        return self.watchers[role].operate(self.session_id, body)

    def await_each(self, expected: Mapping[str, Sequence[Expected]]) -> None:
        """Wait until every expected notification arrived for each role, or the deadline passed."""
        until = self._sent_at + self.deadline
        for role, items in expected.items():
            for item in items:
                self.watchers[role].log.wait_for(
                    about_session(self.session_id, item.matches),
                    since=self._marks[role],
                    deadline=until,
                )

    def close(self) -> dict[str, list[Arrival]]:
        """The end of each stream; then what each watcher received in between.

        A marker is awaited only in the streams of the watchers that are in the session now,
        which are those that received anything about it since the mark (an agent the operation
        never reached gets no marker either). A quiet window is awaited in every quiet stream,
        and in a marker stream whose marker was lost."""
        current = [role for role in self.watchers if role == "originator" or self.arrivals(role)]
        markers = self._markers(current)
        if markers:
            self._ends.update(self._barrier("SendStopTypingNotification", TYPING_STOPPED, markers))
        for role in self.watchers:
            if role not in self._ends and (role in self._lost or self.calibration.mode(role) == QUIET):
                self._ends[role] = self._quiet(role, since=self._marks[role], quiet_from=self._sent_at)
        for role, agent in self.watchers.items():
            if agent.bayeux.stopped:
                raise Unjudgeable(
                    f"the {role}'s notification stream stopped: {agent.bayeux.stopped}", ErrorCause.UNOBSERVABLE
                )
        self.evidence = {role: self._evidence(role) for role in self.watchers}
        return {role: self.arrivals(role) for role in self.watchers}

    def _evidence(self, role: str) -> str:
        if role not in self._ends:
            return "not in the session: nothing to prove"
        if role in self._unrecognised:
            return (
                "a marker that cannot be told as the originator's (no from, or another sender); "
                f"nothing else within {self.calibration.quiet_window:.1f} s"
            )
        if role in self._lost:
            return f"no marker (lost or refused); nothing else within {self.calibration.quiet_window:.1f} s"
        return self.calibration.evidence(role)

    def arrivals(self, role: str) -> list[Arrival]:
        arrivals = session_arrivals(
            self.watchers[role].log,
            self.session_id,
            since=self._marks[role],
            sent_at=self._sent_at,
            until=self._ends.get(role),
        )
        if role in self._ends or not self._ends:
            return arrivals
        # Nothing had reached this role when the stage closed, so its stream has no awaited end
        # marker; if the marker came since, what follows it is not the operation's.
        end = next(
            (n for n, a in enumerate(arrivals) if carries_message(a.data, TYPING_STOPPED, self.marker_from)),
            len(arrivals),
        )
        return arrivals[:end]
