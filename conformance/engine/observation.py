"""What one scenario observed, as plain data: the request and its response, the session before and
after, what each agent received between the barriers, and the customer's phone.

An :class:`Observation` is what a check judges, and what a transcript records: :meth:`to_record`
and :meth:`from_record` turn it into the JSON of ``results.json`` and back, which is how
``recheck`` judges a run again without a server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.client.rest import Exchange
from conformance.config import AgentConfig
from conformance.engine.judge import Arrival
from conformance.engine.stage import only_agent
from conformance.engine.verdicts import ErrorCause, NotApplicable, Unjudgeable
from conformance.redaction import redact_content


@dataclass(frozen=True)
class RoleTarget:
    """A consult/transfer target in one of the two documented forms."""

    form: str  # "uri" or "path"
    value: str

    def as_params(self) -> dict[str, str]:
        return {"targetUri" if self.form == "uri" else "targetPath": self.value}

    @classmethod
    def of(cls, account: AgentConfig) -> RoleTarget:
        """An agent as a target: by its uri where it has one, else by its path."""
        return cls("uri", account.uri) if account.uri else cls("path", account.path)

    @classmethod
    def from_record(cls, record: Mapping[str, str], key: str) -> RoleTarget:
        return cls(record["form"], record["value"])


@dataclass
class Observation:
    """Everything one check needs to judge an operation on one session.

    Plain data: :meth:`to_record` / :meth:`from_record` turn it into the JSON of a transcript
    (``results.json``) and back, which is how ``recheck`` judges a run again without a server."""

    session_id: str
    exchange: Exchange
    before: Mapping[str, Any] = field(default_factory=dict)  # the session as the originator saw it
    after: Mapping[str, Any] = field(default_factory=dict)
    log_before: list[Mapping[str, Any]] = field(default_factory=list)
    log_after: list[Mapping[str, Any]] = field(default_factory=list)
    received: dict[str, list[Arrival]] = field(default_factory=dict)
    found: dict[str, Mapping[str, Any] | None] = field(default_factory=dict)  # follow-ups: awaited, by role
    expected: dict[str, list[str]] = field(default_factory=dict)  # role -> documented notification names
    evidence: dict[str, str] = field(default_factory=dict)  # role -> how "nothing else arrived" was established
    listed: dict[str, Mapping[str, Any] | None] = field(default_factory=dict)  # role -> the session in its list
    customer_before: list[Mapping[str, Any]] | None = None  # the customer's phone; None: the source has no probe
    customer_after: list[Mapping[str, Any]] | None = None
    more: list[Exchange] = field(default_factory=list)  # further requests of the same scenario
    sender: str | None = None  # the requester's participantId, where the scenario knows it
    key: str = ""  # the recording key (see conformance.engine.recording)
    setup: list[Exchange] = field(default_factory=list)  # the requester's own requests that prepared the session

    def redacted(self) -> Observation:
        """The same observation with customer content redacted (see conformance.redaction)."""

        def exchange(seen: Exchange) -> Exchange:
            return dataclasses.replace(
                seen, request_body=redact_content(seen.request_body), body=redact_content(seen.body)
            )

        return dataclasses.replace(
            self,
            exchange=exchange(self.exchange),
            before=redact_content(self.before),
            after=redact_content(self.after),
            log_before=redact_content(self.log_before),
            log_after=redact_content(self.log_after),
            received={
                r: [Arrival(redact_content(a.data), a.after) for a in arrivals] for r, arrivals in self.received.items()
            },
            found={r: redact_content(d) for r, d in self.found.items()},
            listed={r: redact_content(d) for r, d in self.listed.items()},
            customer_before=redact_content(self.customer_before),
            customer_after=redact_content(self.customer_after),
            more=[exchange(e) for e in self.more],
            setup=[exchange(e) for e in self.setup],
        )

    def to_record(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "exchange": dataclasses.asdict(self.exchange),
            "before": self.before,
            "after": self.after,
            "log_before": self.log_before,
            "log_after": self.log_after,
            "received": {
                r: [{"after": a.after, "data": a.data} for a in arrivals] for r, arrivals in self.received.items()
            },
            "found": self.found,
            "expected": self.expected,
            "evidence": self.evidence,
            "listed": self.listed,
            "customer_before": self.customer_before,
            "customer_after": self.customer_after,
            "more": [dataclasses.asdict(e) for e in self.more],
            "sender": self.sender,
            "setup": [dataclasses.asdict(e) for e in self.setup],
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any], key: str) -> Observation:
        return cls(
            record["session_id"],
            Exchange(**record["exchange"]),
            record["before"],
            record["after"],
            record["log_before"],
            record["log_after"],
            {r: [Arrival(a["data"], a["after"]) for a in arrivals] for r, arrivals in record["received"].items()},
            record["found"],
            record["expected"],
            record["evidence"],
            record["listed"],
            record["customer_before"],
            record["customer_after"],
            [Exchange(**e) for e in record["more"]],
            record.get("sender"),
            key,
            setup=[Exchange(**e) for e in record.get("setup", [])],  # recorded before setup was: none
        )

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
        """The one Agent of the session before the operation (wherever the server lists it)."""
        owner = only_agent(self.before)
        if owner is None:
            raise Unjudgeable(
                f"precondition: session {self.session_id} should have one Agent before the operation, "
                f"has participants {self.before.get('participants')}",
                ErrorCause.PRECONDITION,
            )
        return next(p for p in self.before["participants"] if p.get("participantId") == owner)

    def consultant_participant(self) -> Mapping[str, Any]:
        """The participant the consult added, as the first ParticipantsUpdated shows it."""
        known = {p.get("participantId") for p in self.before.get("participants", [])}
        for arrival in self.received.get("originator", []):
            for p in (arrival.data.get("smssession") or {}).get("participants", []):
                if p.get("participantId") not in known:
                    return p
        raise Unjudgeable(f"precondition: no consulted agent joined session {self.session_id}", ErrorCause.PRECONDITION)

    def customer_received(self) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
        """What the customer's phone held before the operation and after it."""
        if self.customer_before is None or self.customer_after is None:
            raise NotApplicable(
                "the session source offers no customer probe (the reference source has one; the command "
                "source with source.probe_command)",
                key="source.probe_command",
            )
        return self.customer_before, self.customer_after
