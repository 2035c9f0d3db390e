"""Judging the pages that add one message to a session's log (SendMessage, SendToAgents, SendUrl,
the four typing pages, SendCustomNotice): what each page module shares, so that a page module is
its page's table row, its scenarios and one short check per clause.

A :class:`PostingPage` says what the page documents: the operation, the message type it adds,
its visibility, and the parameter that becomes the message's field. The message is judged at the
consultant of a consultation (:meth:`Conformance.observe_among_agents`): visibility All names every
participant and Agents every agent, and whether the sender receives its own no page says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.engine.context import Conformance, Observation, scenario_fixture
from conformance.engine.judge import Expected
from conformance.engine.sessions import INVITED
from conformance.engine.timestamps import disagreement
from conformance.engine.verdicts import Unjudgeable
from conformance.redaction import register_own_content
from conformance.suites.judging import (
    assert_ok_response,
    customer_saw,
    received_summary,
    schema_problems,
)

WRONG_TYPE = 42  # a parameter value of the wrong type: the pages' parameters are strings


@dataclass(frozen=True)
class PostingPage:
    operation: str
    slug: str  # the clause IDs' page part: sms.<slug>.message
    kind: str  # the message type the page documents
    visibility: str  # "All" or "Agents"
    param: str | None = None  # the request parameter that becomes the message's field of the same name
    value: str | None = None  # what the suite sends in it (its own content: readable in reports)

    def body(self, **override: Any) -> dict[str, Any]:
        body = {"operationName": self.operation}
        if self.param is not None:
            body[self.param] = register_own_content(self.value or "")
        return {**body, **override}

    def clause(self, name: str) -> str:
        return f"sms.{self.slug}.{name}"

    @property
    def announced(self) -> Expected:
        return Expected(
            f"NewMessages({self.kind})",
            lambda data: (
                data.get("notificationType") == "NewMessages"
                and any(isinstance(m, Mapping) and m.get("type") == self.kind for m in data.get("messages", []))
            ),
        )

    def scenarios(self, gws: Conformance) -> dict[str, Any]:
        """posted (among agents), posted_when_invited, and for a page with a parameter
        posted_without_param and posted_with_wrong_type."""
        scenarios = {
            "posted": lambda: gws.observe_among_agents(self.body(), expected={"consultant": (self.announced,)}),
            "posted_when_invited": lambda: gws.attempt(self.body(), state=INVITED),
        }
        if self.param is not None:
            # An Agents page's operation is in the capabilities only with another agent in the session.
            attempt = (
                (lambda body: gws.observe_among_agents(body, expected={}))
                if self.visibility == "Agents"
                else gws.attempt
            )
            scenarios["posted_without_param"] = lambda: attempt({"operationName": self.operation})
            scenarios["posted_with_wrong_type"] = lambda: attempt(self.body(**{self.param: WRONG_TYPE}))
        return scenarios

    def fixtures(self) -> tuple[Any, ...]:
        """The module fixtures of :meth:`scenarios`, in this order: ``posted, posted_when_invited``
        and, for a page with a parameter, ``posted_without_param, posted_with_wrong_type``."""
        names = ("posted", "posted_when_invited") + (
            ("posted_without_param", "posted_with_wrong_type") if self.param is not None else ()
        )
        return tuple(scenario_fixture(name) for name in names)

    # --- judgements -------------------------------------------------------------------------------

    def assert_response(self, seen: Observation) -> None:
        assert_ok_response(seen, self.clause("response"))

    def _is_it(self, message: Mapping[str, Any], sender: str | None) -> bool:
        origin = message.get("from")
        return (
            message.get("type") == self.kind
            and isinstance(origin, Mapping)
            and (sender is None or origin.get("participantId") == sender)
        )

    def announced_message(self, seen: Observation) -> Mapping[str, Any]:
        """The message as the consultant received it (the first announced from the sender),
        its notification conforming to notifications/new-messages."""
        clause = self.clause("message")
        Conformance.assert_accepted(seen, clause)
        for arrival in seen.received.get("consultant", []):
            for message in arrival.data.get("messages", []) if isinstance(arrival.data.get("messages"), list) else []:
                if isinstance(message, Mapping) and self._is_it(message, seen.sender):
                    problems = schema_problems("notifications/new-messages", arrival.data)
                    assert not problems, f"{clause} [MUST] the NewMessages announcing the {self.kind}: {problems}"
                    return message
        pytest.fail(
            f"{clause} [MUST] the other agent of the session received no {self.kind} from the sending agent; "
            f"{received_summary(seen)}"
        )

    def assert_message(self, seen: Observation) -> None:
        """Announced to the other agent with the documented visibility and content, and logged."""
        clause = self.clause("message")
        message = self.announced_message(seen)
        assert message.get("visibility") == self.visibility, (
            f"{clause} [MUST] the {self.kind} has visibility {message.get('visibility')!r}, the page says "
            f"{self.visibility}"
        )
        if self.param is not None:
            assert message.get(self.param) == self.value, (
                f"{clause} [MUST] the {self.kind}'s {self.param} is {message.get(self.param)!r}, "
                f"{self.value!r} was sent"
            )
        index = message.get("index")
        assert isinstance(index, int) and index > seen.last_index_before, (
            f"{clause} [MUST] the {self.kind}'s index {index!r} does not continue the log (last index before: "
            f"{seen.last_index_before})"
        )
        why = disagreement(message.get("timestamp"), message.get("timestampSeconds"))
        assert why is None, f"{clause} [MUST] the {self.kind}'s timestamp and timestampSeconds: {why}"
        logged = [m for m in seen.log_after if m.get("index") == index]
        assert logged and self._is_it(logged[0], seen.sender) and logged[0].get("visibility") == self.visibility, (
            f"{clause} [MUST] the message log holds no {self.kind} from the sender at index {message.get('index')}: "
            f"{logged or 'nothing at that index'}"
        )

    def added(self, seen: Observation) -> list[Mapping[str, Any]]:
        """The messages of the page's type that the log gained during the observation."""
        known = {m.get("index") for m in seen.log_before}
        return [m for m in seen.log_after if m.get("index") not in known and m.get("type") == self.kind]

    def assert_refused_unchanged(self, seen: Observation, clause_id: str, documented_code: int) -> None:
        """Refused (the GWS way) and the log holds no new message of the page's type."""
        Conformance.assert_refusal(seen, clause_id, documented_code=documented_code)
        assert not self.added(seen), f"{clause_id} [MUST] the refused {self.operation} still logged {self.added(seen)}"

    def assert_param_required(self, without: Observation, wrong_type: Observation) -> None:
        clause = self.clause(f"param.{'notice-text' if self.param == 'noticeText' else self.param}")
        self.assert_refused_unchanged(without, clause, documented_code=1)
        self.assert_refused_unchanged(wrong_type, clause, documented_code=2)

    def assert_refused_when_invited(self, seen: Observation) -> None:
        """sms.common.capability: refused on an Invited session, nothing of the page's type logged."""
        assert_not_in_capabilities_refused(seen, self.operation, self.added(seen))

    def assert_reaches_customer(self, seen: Observation) -> None:
        clause = self.clause("customer")
        Conformance.assert_accepted(seen, clause)
        phone = customer_saw(seen)
        assert any(m.get(self.param) == self.value for m in phone), (
            f"{clause} [MUST] the customer's phone received nothing carrying the {self.param} sent "
            f"({len(phone)} new message(s) there)"
        )

    def assert_never_reaches_customer(self, seen: Observation) -> None:
        """Nothing on the phone has the Agents message's index, nor (for a text) its content."""
        clause = self.clause("visibility")
        message = self.announced_message(seen)
        phone = customer_saw(seen)
        leaked = [
            m
            for m in phone
            if m.get("index") == message.get("index") or self.param is not None and m.get(self.param) == self.value
        ]
        assert not leaked, f"{clause} [MUST] the {self.kind} visible to Agents reached the customer's phone: {leaked}"


def assert_not_in_capabilities_refused(seen: Observation, operation: str, changed: list[Any]) -> None:
    """sms.common.capability: on a session whose capabilities do not list ``operation``, it is
    refused (statusCode 2 documented) and ``changed`` (what it would have changed) is empty."""
    capabilities = seen.before.get("capabilities")
    if not isinstance(capabilities, list):
        raise Unjudgeable(f"sms.common.capability: the session lists no capabilities: {dict(seen.before)}")
    if operation in capabilities:
        pytest.skip(f"this server lists {operation} among an Invited session's capabilities: nothing to refuse")
    Conformance.assert_refusal(seen, "sms.common.capability", documented_code=2)
    assert seen.after.get("state") == seen.before.get("state"), (
        f"sms.common.capability [MUST] the refused {operation} changed the session's state to {seen.after.get('state')}"
    )
    assert not changed, f"sms.common.capability [MUST] the refused {operation} still changed the session: {changed}"
