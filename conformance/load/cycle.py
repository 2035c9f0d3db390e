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
from conformance.engine.judge import Expected
from conformance.engine.notation import describe
from conformance.engine.sessions import accept_offered
from conformance.engine.stage import (
    PARTICIPANT_JOINS,
    about_session,
    carries_message,
    session_arrivals,
    status_change,
)
from conformance.engine.verdicts import Violation as SuiteViolation
from conformance.suites.judging import (
    assert_answered_as,
    assert_in_documented_order,
    assert_taken,
    first,
    received_valid,
)
from conformance.suites.test_transfer import REACHED_TARGET, assert_handed_over

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
    response_shape: str = "responses/ok"  # the response its page shows
    after: Callable[[Mapping[str, Agent], str, float], None] | None = None
    # a judgement of the outcome beyond the notifications, raising the suite's Violation


TEXT = Expected("NewMessages(Text)", lambda d: carries_message(d, "Text"))
COMPLETED = Expected("StatusChange[Completed]", status_change("Completed"))


def _handed_over(agents: Mapping[str, Agent], session_id: str, deadline: float) -> None:
    """Judged as the Transfer checks judge it: once the consultant's stream showed the session
    Invited or Chatting (or the deadline passed), and an offered session was accepted (as the
    checks take it), the consultant's list shows it Chatting and the originator's no longer does."""
    consultant = agents["consultant"]
    consultant.log.wait_for(
        about_session(session_id, REACHED_TARGET.matches), since=0, deadline=time.monotonic() + deadline
    )
    if (consultant.listed(session_id) or {}).get("state") == "Invited":
        accept_offered(consultant, session_id, deadline)
    listed = {role: agent.listed(session_id) for role, agent in agents.items()}
    assert_handed_over(listed, ("consultant",), f"the consultant's list shows {notation.body(listed['consultant'])}")


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
            "responses/accepted",
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
    """One step, judged by the suite's own judgements (conformance.suites.judging): the response as
    its page shows it, the documented notifications in order within the deadline, each conforming
    to its schema, and the outcome where the step has one to judge."""
    watcher = agents[step.watcher].log
    mark, started, sent_at = watcher.mark(), time.time(), time.monotonic()
    exchange = agents[step.by].operate(session_id, body)

    def violation(clause: str, kind: str, found: SuiteViolation, transcript: list[str]) -> Violation:
        return Violation(clause, kind, step.operation, session_id, found.message, transcript)

    try:
        assert_taken(exchange)
    except SuiteViolation as refused:
        latency = (time.monotonic() - sent_at) * 1000
        return Sample(step.operation, started, latency, False), [
            violation(step.response_clause, "refused", refused, [])
        ]
    for expected in step.expected:
        watcher.wait_for(about_session(session_id, expected.matches), since=mark, deadline=sent_at + deadline)
    arrivals = session_arrivals(watcher, session_id, since=mark, sent_at=sent_at)
    transcript = [f"+{a.after * 1000:.0f} ms {describe(a.data)}" for a in arrivals[:TRANSCRIPT_LIMIT]]
    judgements: list[tuple[str, str, Callable[[], object]]] = [
        (step.response_clause, "response", lambda: assert_answered_as(exchange, step.response_shape)),
        (step.clause, "order", lambda: assert_in_documented_order(step.expected, arrivals, deadline)),
        *(
            (step.clause, "schema", lambda e=e, shape=shape: received_valid(arrivals, e, shape))
            for e, shape in zip(step.expected, step.shapes, strict=True)
            if first(arrivals, e.matches) is not None  # one never arrived: the order's missing
        ),
    ]
    if step.after is not None:
        after = step.after
        judgements.append((step.clause, "outcome", lambda: after(agents, session_id, deadline)))
    violations = []
    for clause, kind, judge in judgements:
        try:
            judge()
        except SuiteViolation as failed:
            kinds = ",".join(failed.kinds) or kind  # an ordering failure names its own kinds
            violations.append(violation(clause, kinds, failed, transcript))
    found = [first(arrivals, e.matches) for e in step.expected]
    if not step.expected:  # nothing documented to wait for: the response, and the outcome's judgement
        seconds = time.monotonic() - sent_at
    elif all(data is not None for data in found):
        seconds = max(a.after for a in arrivals if any(a.data is data for data in found))
    else:  # a documented notification never came: it took at least the deadline
        seconds = deadline
    return Sample(step.operation, started, seconds * 1000, not violations), violations


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
        if any(v.kind == "refused" or "missing" in v.kind.split(",") for v in found):
            break
    return samples, violations
