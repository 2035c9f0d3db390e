"""Judging the pages that add one message to a session's log (SendMessage, SendToAgents, SendUrl,
the four typing pages, SendCustomNotice): what each page module shares, so that a page module is
its registry entry, its scenarios and one short check per clause.

A :class:`PostingPage` is the page's registry entry (:class:`conformance.spec.pages.MessageSpec`:
the message type it adds, its visibility, the parameter that becomes the message's field) and
the content the suite sends. The message is judged at the consultant of a consultation
(:meth:`Conformance.observe_among_agents`): visibility All names every participant and Agents
every agent, and whether the sender receives its own no page says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.engine.judge import Expected
from conformance.engine.notation import body as said
from conformance.engine.observation import Observation
from conformance.engine.scheduling import (
    AMONG_AGENTS,
    REFUSED_WHEN_CHATTING,
    REFUSED_WHEN_INVITED,
    Scenario,
    scenario_fixture,
)
from conformance.engine.sessions import INVITED
from conformance.engine.verdicts import NotApplicable, Unjudgeable, Violation, expect
from conformance.redaction import register_own_content
from conformance.spec.pages import MessageSpec, Page
from conformance.suites.judging import (
    assert_accepted,
    assert_message_indexes,
    assert_notified_once,
    assert_ok_response,
    assert_own_reference_ids,
    assert_refusal,
    assert_timestamps_agree,
    customer_saw,
    messages_in,
    phone_summary,
    received_summary,
    schema_problems,
)

WRONG_TYPE = 42  # a parameter value of the wrong type: the pages' parameters are strings


@dataclass(frozen=True)
class PostingPage:
    page: Page
    value: str | None = None  # what the suite sends in the page's parameter (its own content: readable in reports)

    @property
    def spec(self) -> MessageSpec:
        assert self.page.message is not None, f"{self.page.slug} adds no message"
        return self.page.message

    @property
    def operation(self) -> str:
        return self.page.operation or ""

    @property
    def kind(self) -> str:
        return self.spec.kind

    def body(self, **override: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"operationName": self.operation}
        if self.spec.param is not None:
            body[self.spec.param] = register_own_content(self.value or "")
        return {**body, **override}

    @property
    def announced(self) -> Expected:
        return Expected(
            f"NewMessages({self.kind})",
            lambda data: (
                data.get("notificationType") == "NewMessages"
                and any(isinstance(m, Mapping) and m.get("type") == self.kind for m in data.get("messages", []))
            ),
        )

    def scenarios(self) -> dict[str, Scenario]:
        """posted (among agents), posted_when_invited, and for a page with a parameter
        posted_without_param and posted_with_wrong_type."""
        scenarios = {
            "posted": Scenario(
                lambda gws, s: gws.observe_among_agents(s, self.body(), expected={"consultant": (self.announced,)}),
                shares=AMONG_AGENTS,
            ),
            "posted_when_invited": Scenario(
                lambda gws, s: gws.attempt(s, self.body()), takes=INVITED, shares=REFUSED_WHEN_INVITED
            ),
        }
        param = self.spec.param
        if param is not None:
            # An Agents page's operation is in the capabilities only with another agent in the session.
            if self.spec.visibility == "Agents":
                scenarios["posted_without_param"] = Scenario(
                    lambda gws, s: gws.observe_among_agents(s, {"operationName": self.operation}, expected={}),
                    shares=AMONG_AGENTS,
                )
                scenarios["posted_with_wrong_type"] = Scenario(
                    lambda gws, s: gws.observe_among_agents(s, self.body(**{param: WRONG_TYPE}), expected={}),
                    shares=AMONG_AGENTS,
                )
            else:
                scenarios["posted_without_param"] = Scenario(
                    lambda gws, s: gws.attempt(s, {"operationName": self.operation}), shares=REFUSED_WHEN_CHATTING
                )
                scenarios["posted_with_wrong_type"] = Scenario(
                    lambda gws, s: gws.attempt(s, self.body(**{param: WRONG_TYPE})), shares=REFUSED_WHEN_CHATTING
                )
        return scenarios

    def fixtures(self) -> tuple[Any, ...]:
        """The module fixtures of :meth:`scenarios`, in this order: ``posted, posted_when_invited``
        and, for a page with a parameter, ``posted_without_param, posted_with_wrong_type``."""
        names = ("posted", "posted_when_invited") + (
            ("posted_without_param", "posted_with_wrong_type") if self.spec.param is not None else ()
        )
        return tuple(scenario_fixture(name) for name in names)

    # --- judgements -------------------------------------------------------------------------------

    def assert_response(self, seen: Observation) -> None:
        assert_ok_response(seen)

    def _is_it(self, message: Mapping[str, Any], sender: str | None) -> bool:
        origin = message.get("from")
        return (
            message.get("type") == self.kind
            and isinstance(origin, Mapping)
            and (sender is None or origin.get("participantId") == sender)
        )

    def announced_message(self, seen: Observation) -> Mapping[str, Any]:
        """The message as the consultant received it (of the messages of the page's type from the
        sender, the newest: a marker of the same type sent before the request, repeated by a
        server, is older; a repeat is notify.once's warning, not a wrong message here), its
        notification conforming to notifications/new-messages."""
        assert_accepted(seen)
        found = [
            (message, arrival.data)
            for arrival in seen.received.get("consultant", [])
            for message in messages_in([arrival])
            if self._is_it(message, seen.sender)
        ]
        if not found:
            raise Violation(
                f"the other agent of the session received no {self.kind} from the sending agent; "
                f"{received_summary(seen)}"
            )
        indexed = [f for f in found if isinstance(f[0].get("index"), int)]
        message, data = max(indexed, key=lambda f: f[0]["index"]) if indexed else found[0]
        problems = schema_problems("notifications/new-messages", data)
        expect(not problems, f"the NewMessages announcing the {self.kind}: {problems}")
        return message

    def assert_message(self, seen: Observation) -> None:
        """Announced to the other agent with the documented visibility and content, and logged."""
        message = self.announced_message(seen)
        expect(
            message.get("visibility") == self.spec.visibility,
            f"the {self.kind} has visibility {message.get('visibility')!r}, the page says {self.spec.visibility}",
        )
        param = self.spec.param
        if param is not None:
            expect(
                message.get(param) == self.value,
                f"the {self.kind}'s {param} is {message.get(param)!r}, {self.value!r} was sent",
            )
        index = message.get("index")  # that it continues the log is notify.index's, its timestamps timestamp's
        logged = [m for m in seen.log_after if m.get("index") == index]
        expect(
            logged and self._is_it(logged[0], seen.sender) and logged[0].get("visibility") == self.spec.visibility,
            f"the message log holds no {self.kind} from the sender at index {index}: "
            f"{said(logged) if logged else 'nothing at that index'}",
        )

    def assert_indexes(self, seen: Observation) -> None:
        """sms.common.notify.index, as every page that adds messages judges it, at the agent told."""
        assert_message_indexes(seen, "consultant")

    def assert_once(self, seen: Observation, deadline: float) -> None:
        """sms.common.notify.once: the message reached the other agent once."""
        assert_notified_once((self.announced,), seen.received.get("consultant", []), deadline, "consultant")

    def assert_timestamps(self, seen: Observation) -> None:
        """sms.common.timestamp, as every page that adds messages judges it."""
        assert_timestamps_agree(seen, "consultant")

    def assert_own_reference_id(self, seen: Observation) -> None:
        """sms.common.reference-id.unique: the page's request and the Consult before it, both the
        originator's, answered different referenceIds."""
        assert_own_reference_ids(seen)

    def added(self, seen: Observation) -> list[Mapping[str, Any]]:
        """The messages of the page's type that the log gained during the observation."""
        known = {m.get("index") for m in seen.log_before}
        return [m for m in seen.log_after if m.get("index") not in known and m.get("type") == self.kind]

    def assert_refused_unchanged(self, seen: Observation, documented_code: int) -> None:
        """Refused (the GWS way) and the log holds no new message of the page's type."""
        assert_refusal(seen, documented_code=documented_code)
        expect(not self.added(seen), f"the refused {self.operation} still logged {said(self.added(seen))}")

    def assert_param_required(self, without: Observation, wrong_type: Observation) -> None:
        self.assert_refused_unchanged(without, documented_code=1)
        self.assert_refused_unchanged(wrong_type, documented_code=2)

    def assert_refused_when_invited(self, seen: Observation) -> None:
        """sms.common.capability: refused on an Invited session, nothing of the page's type logged."""
        assert_not_in_capabilities_refused(seen, self.operation, self.added(seen))

    def assert_listed_when_invited(self, seen: Observation) -> None:
        assert_listed_not_refused_for_state(seen, self.operation)

    def assert_reaches_customer(self, seen: Observation) -> None:
        assert_accepted(seen)
        phone = customer_saw(seen)
        param = self.spec.param
        if param is None:
            raise ValueError(f"page {self.spec.kind}: no parameter becomes the message's field")
        expect(
            any(m.get(param) == self.value for m in phone),
            f"the customer's phone received nothing carrying the {param} sent: {phone_summary(phone)}",
        )

    def assert_never_reaches_customer(self, seen: Observation) -> None:
        """Nothing on the phone has the Agents message's index, nor (for a text) its content."""
        message = self.announced_message(seen)
        phone = customer_saw(seen)
        param = self.spec.param
        if param is None and not any("index" in m for m in seen.customer_after or []):
            raise NotApplicable(
                f"the customer probe shows no message indexes (a phone need not): a {self.kind} visible to "
                "Agents cannot be told by its content from the originator's own typing, visible to All",
                key="source.probe_command",
            )
        leaked = [
            m
            for m in phone
            if m.get("index") == message.get("index") or (param is not None and m.get(param) == self.value)
        ]
        expect(not leaked, f"the {self.kind} visible to Agents reached the customer's phone: {said(leaked)}")


def assert_listed_not_refused_for_state(seen: Observation, operation: str) -> None:
    """sms.common.capability.listed: if the session lists ``operation``, the server does not then
    refuse it as not valid for the state (the capability check skips such a session: this one
    judges it, so a server whose capabilities disagree with its answers is never green on it). Not
    listed: the rule holds (its refusal is the capability check's to judge)."""
    capabilities = seen.before.get("capabilities")
    if not isinstance(capabilities, list):
        raise Unjudgeable(f"the session lists no capabilities: {said(dict(seen.before))}")
    if operation not in capabilities:
        return
    body = seen.response_body if isinstance(seen.response_body, Mapping) else {}
    expect(
        body.get("statusCode") != 2,
        f"the session lists {operation} among its capabilities, and the server refused it as not valid "
        f"for the state: HTTP {seen.response_status} {said(body)}",
    )


def assert_not_in_capabilities_refused(seen: Observation, operation: str, changed: list[Any]) -> None:
    """sms.common.capability: on a session whose capabilities do not list ``operation``, it is
    refused (statusCode 2 documented) and ``changed`` (what it would have changed) is empty."""
    capabilities = seen.before.get("capabilities")
    if not isinstance(capabilities, list):
        raise Unjudgeable(f"the session lists no capabilities: {said(dict(seen.before))}")
    if seen.before.get("state") != "Invited":  # an earlier request on the shared session changed it
        raise Unjudgeable(f"the session is {seen.before.get('state')}, not Invited: {operation} cannot be judged on it")
    if operation in capabilities:
        raise NotApplicable(f"this server lists {operation} among an Invited session's capabilities: nothing to refuse")
    assert_refusal(seen, documented_code=2)
    expect(
        seen.after.get("state") == seen.before.get("state"),
        f"the refused {operation} changed the session's state to {seen.after.get('state')}",
    )
    expect(not changed, f"the refused {operation} still changed the session: {said(changed)}")
