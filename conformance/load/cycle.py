"""Lifecycle cycles on one SMS session each, judged as the conformance run judges them.

The consult cycle: Consult (the originator's ParticipantsUpdated then the join, in that order),
SendMessage (the Text at the consultant), the consultant's Leave (its StatusChange Completed)
and Complete (the originator's StatusChange Completed). The transfer cycle: Consult, Transfer to
the consultant (its notifications are documented nowhere: judged, as the Transfer checks judge
it, by both agents' session lists), and the consultant's Complete. Each step yields a :class:`Sample` (POST to the last
documented notification, in ms) and the :class:`Violation` s found: a refusal, a documented
notification missing, late or out of order, a notification not conforming to its schema, a
referenceId that is no integer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.client.agent import Agent
from conformance.engine import notation
from conformance.engine.judge import Expected, judge_sequence
from conformance.engine.notation import describe
from conformance.engine.stage import (
    PARTICIPANT_JOINS,
    about_session,
    carries_message,
    session_arrivals,
    status_change,
)
from conformance.spec.schemas import validate

TRANSCRIPT_LIMIT = 12  # notifications kept per violation


@dataclass(frozen=True)
class Sample:
    operation: str
    started: float  # epoch seconds
    latency_ms: float  # POST sent -> last documented notification arrived (or the response, if refused)
    ok: bool


@dataclass(frozen=True)
class Violation:
    clause: str
    kind: str  # refused | missing | late | reordered | duplicate | schema | reference-id
    operation: str
    session_id: str
    detail: str
    transcript: list[str] = field(default_factory=list)

    def as_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Step:
    operation: str
    by: str  # "originator" or "consultant": who sends
    watcher: str  # whose stream shows the documented notifications
    expected: tuple[Expected, ...]
    shapes: tuple[str, ...]  # the schema of each expected notification
    clause: str  # the clause the documented sequence belongs to
    response_clause: str
    after: Callable[[Mapping[str, Agent], str, Mapping[str, int], float], str | None] | None = None
    # a judgement of the outcome beyond the notifications: why it failed, or None


TEXT = Expected("NewMessages(Text)", lambda d: carries_message(d, "Text"))
COMPLETED = Expected("StatusChange[Completed]", status_change("Completed"))


def _handed_over(agents: Mapping[str, Agent], session_id: str, marks: Mapping[str, int], deadline: float) -> str | None:
    """The consultant's list shows the session Chatting, the originator's no longer does (read once
    the consultant heard anything of the session since the Transfer, or the deadline passed)."""
    agents["consultant"].log.wait_for(
        about_session(session_id), since=marks["consultant"], deadline=time.monotonic() + deadline
    )
    target, source = agents["consultant"].listed(session_id), agents["originator"].listed(session_id)
    if (target or {}).get("state") != "Chatting":
        return f"the target's session list shows {target and target.get('state')!r}, not Chatting"
    if (source or {}).get("state") == "Chatting":
        return "the transferring agent's session list still shows it Chatting"
    return None


def _consult(target: Mapping[str, str]) -> tuple[Step, dict[str, Any]]:
    return (
        Step(
            "Consult",
            "originator",
            "originator",
            PARTICIPANT_JOINS,
            ("notifications/participants-updated", "notifications/new-messages"),
            "sms.consult.notify.order",
            "sms.consult.response",
        ),
        {"operationName": "Consult", **target},
    )


def consult_cycle(target: Mapping[str, str]) -> list[tuple[Step, dict[str, Any]]]:
    """Consult, SendMessage, the consultant's Leave, Complete: each step with the body it sends."""
    return [
        _consult(target),
        (
            Step(
                "SendMessage",
                "originator",
                "consultant",
                (TEXT,),
                ("notifications/new-messages",),
                "sms.send-message.message",
                "sms.send-message.response",
            ),
            {"operationName": "SendMessage", "text": "gws-conformance load"},
        ),
        (
            Step(
                "Leave",
                "consultant",
                "consultant",
                (COMPLETED,),
                ("notifications/status-change",),
                "sms.leave.state.in-conference",
                "sms.leave.response",
            ),
            {"operationName": "Leave"},
        ),
        (
            Step(
                "Complete",
                "originator",
                "originator",
                (COMPLETED,),
                ("notifications/status-change",),
                "sms.complete.notify.status",
                "sms.complete.response",
            ),
            {"operationName": "Complete"},
        ),
    ]


def transfer_cycle(target: Mapping[str, str]) -> list[tuple[Step, dict[str, Any]]]:
    """Consult, Transfer to the consultant, the consultant's Complete."""
    return [
        _consult(target),
        (
            Step(
                "Transfer",
                "originator",
                "consultant",
                (),
                (),
                "sms.transfer.param.target-uri",
                "sms.transfer.response",
                after=_handed_over,
            ),
            {"operationName": "Transfer", **target},
        ),
        (
            Step(
                "Complete (after Transfer)",
                "consultant",
                "consultant",
                (COMPLETED,),
                ("notifications/status-change",),
                "sms.complete.notify.status",
                "sms.complete.response",
            ),
            {"operationName": "Complete"},
        ),
    ]


def run_step(
    step: Step, body: Mapping[str, Any], agents: Mapping[str, Agent], session_id: str, deadline: float
) -> tuple[Sample, list[Violation]]:
    watcher = agents[step.watcher].log
    marks = {role: agent.log.mark() for role, agent in agents.items()}
    mark, started, sent_at = marks[step.watcher], time.time(), time.monotonic()
    exchange = agents[step.by].operate(session_id, body)
    if not exchange.succeeded:
        latency = (time.monotonic() - sent_at) * 1000
        return Sample(step.operation, started, latency, False), [
            Violation(
                step.response_clause,
                "refused",
                step.operation,
                session_id,
                f"HTTP {exchange.status} {notation.body(exchange.body)}",
            )
        ]
    for expected in step.expected:
        watcher.wait_for(about_session(session_id, expected.matches), since=mark, deadline=sent_at + deadline)
    arrivals = session_arrivals(watcher, session_id, since=mark, sent_at=sent_at)
    transcript = [f"+{a.after * 1000:.0f} ms {describe(a.data)}" for a in arrivals[:TRANSCRIPT_LIMIT]]
    violations = [
        Violation(step.clause, p.kind, step.operation, session_id, p.detail, transcript)
        for p in judge_sequence(step.expected, arrivals, deadline=deadline)
        if p.kind in ("missing", "late", "reordered", "duplicate")
    ]
    found = [next((a for a in arrivals if e.matches(a.data)), None) for e in step.expected]
    for arrival, shape in zip(found, step.shapes, strict=False):
        problems = validate(shape, arrival.data) if arrival is not None else []
        if problems:
            violations.append(
                Violation(
                    step.clause,
                    "schema",
                    step.operation,
                    session_id,
                    f"{shape}: {problems[0].path}: {problems[0].message}",
                    transcript,
                )
            )
    reference_id = exchange.body.get("referenceId")
    if reference_id is not None and (not isinstance(reference_id, int) or isinstance(reference_id, bool)):
        violations.append(
            Violation(
                "sms.common.reference-id.unique",
                "reference-id",
                step.operation,
                session_id,
                f"referenceId {reference_id!r} is no integer",
            )
        )
    outcome = step.after(agents, session_id, marks, deadline) if step.after else None
    if outcome is not None:
        violations.append(Violation(step.clause, "outcome", step.operation, session_id, outcome, transcript))
    if not found:  # nothing documented to wait for: the response, and the outcome's judgement
        seconds = time.monotonic() - sent_at
    elif all(arrival is not None for arrival in found):
        seconds = max(arrival.after for arrival in found if arrival is not None)
    else:  # a documented notification never came: it took at least the deadline
        seconds = deadline
    latency = seconds * 1000
    return Sample(step.operation, started, latency, not violations), violations


Cycle = Callable[[Mapping[str, str]], list[tuple[Step, dict[str, Any]]]]
# The cycles a load runs, by kind (the Locust users' tasks, the counts in load.json).
CYCLES: dict[str, Cycle] = {"consult": consult_cycle, "transfer": transfer_cycle}


def run_cycle(
    agents: Mapping[str, Agent],
    target: Mapping[str, str],
    new_session: Callable[[Agent], str],
    deadline: float,
    cycle: Cycle = consult_cycle,
    progress: list[str] | None = None,
) -> tuple[list[Sample], list[Violation]]:
    """One session through ``cycle``; a step that was refused or lost its notifications ends it.
    ``progress``, if given, gets each step's operation as it starts (what a stopped cycle was doing)."""
    session_id = new_session(agents["originator"])
    samples: list[Sample] = []
    violations: list[Violation] = []
    for step, body in cycle(target):
        if progress is not None:
            progress.append(step.operation)
        sample, found = run_step(step, body, agents, session_id, deadline)
        samples.append(sample)
        violations += found
        if any(v.kind in ("refused", "missing") for v in found):
            break
    return samples, violations
