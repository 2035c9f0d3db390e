"""Checks of the documentation page "SMS Session API: Consult", one clause each.

Page: https://docs.genesys.com/Documentation/GWS/latest/API/SMSConsult
Clauses: conformance/spec/clauses.py.

Scenarios run once per module and are judged by several checks, so one consult feeds every
check about its response, notifications and visibility; each check says which clause it
judges and fails with a message that starts with that clause.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from conformance.engine.context import Conformance
from conformance.engine.judge import Expected, judge_sequence, ordering_violation
from conformance.engine.notation import body as said
from conformance.engine.observation import Observation, RoleTarget
from conformance.engine.scheduling import REFUSED_WHEN_CHATTING, Lease, Scenario, Scenarios, scenario_fixture
from conformance.engine.stage import (
    PARTICIPANT_JOINS,
    is_join,
    is_participants_updated,
    only_agent,
    session_id_of,
)
from conformance.engine.verdicts import (
    ErrorCause,
    FailureKind,
    NotApplicable,
    Unjudgeable,
    Violation,
    expect,
    requirement,
)
from conformance.suites.judging import (
    ORDER_PROBLEMS,
    assert_accepted,
    assert_joined,
    assert_message_indexes,
    assert_notified_once,
    assert_refusal,
    assert_timestamps_agree,
    first,
    message_where,
    messages_in,
    participant_ids,
    phone_summary,
    received_summary,
    received_valid,
    schema_problems,
    sent_by,
    sent_by_customer,
    snapshot_where,
)

AGENT_ONLY_CAPABILITIES = {"SendToAgents", "SendStartTypingToAgentsNotification", "SendStopTypingToAgentsNotification"}


# --- what the page announces -------------------------------------------------------------


def is_error(data: Mapping[str, Any]) -> bool:
    return data.get("notificationType") == "Error"


CONSULT_SUCCESS = PARTICIPANT_JOINS
CONSULT_FAILURE = (Expected("Error", is_error),)


# --- scenarios ------------------------------------------------------------------------------


def _consult(
    gws: Conformance, session: Lease, target: RoleTarget, expected: tuple[Expected, ...] = CONSULT_SUCCESS
) -> Observation:
    """The originator consults ``target`` on ``session``; both agents' streams are judged (the
    consultant's only when the consult is expected to succeed)."""
    body = {"operationName": "Consult", **target.as_params()}
    consultant_expects = expected if expected is CONSULT_SUCCESS else ()
    return gws.observe(session, body, expected={"originator": expected, "consultant": consultant_expects})


def _consultant_writes(gws: Conformance, consult: Observation) -> Observation:
    """The consultant of ``consult`` writes to the session as agents may: SendToAgents, then a
    plain SendMessage (which a server may refuse or keep agent-only)."""
    return gws.observed("consultant_writes", lambda: _written(gws, consult))


def _written(gws: Conformance, consult: Observation) -> Observation:
    if consult.listed.get("consultant") is None:
        raise Unjudgeable(
            f"precondition: the consult of session {consult.session_id} did not reach the consultant",
            ErrorCause.PRECONDITION,
        )
    stage = gws.stage(consult.session_id, only_agent(consult.before))
    stage.settle(participants=("originator", "consultant"))
    customer_before = gws.customer_phone(consult.session_id)
    exchange = stage.send("consultant", {"operationName": "SendToAgents", "text": "consultant to agents"})
    public = stage.send("consultant", {"operationName": "SendMessage", "text": "consultant to everyone?"})
    received = stage.close()
    return Observation(
        consult.session_id,
        exchange,
        received=received,
        evidence=stage.evidence,
        more=[public],
        customer_before=customer_before,
        customer_after=gws.customer_phone(consult.session_id),
    )


idle_session = scenario_fixture("idle_session")  # a session nobody consults on: requests to refuse go there


FAILED_CONSULTS = ("consult_to_unknown_target", "consult_to_unavailable_agent")

# Every scenario of this page, each on its own session, started at once (the run's concurrency
# bounds how many go at the same time, with the other pages'; one that comes after another waits
# for it); each fixture below collects one.
SCENARIOS = {
    "idle_session": Scenario(lambda gws, s: s.id),
    "consult_by_uri": Scenario(lambda gws, s: _consult(gws, s, gws.target("consultant", "uri"))),
    "consult_by_path": Scenario(lambda gws, s: _consult(gws, s, gws.target("consultant", "path"))),
    "consult_through_queue[uri]": Scenario(lambda gws, s: _consult(gws, s, gws.target("queue", "uri"))),
    "consult_through_queue[path]": Scenario(lambda gws, s: _consult(gws, s, gws.target("queue", "path"))),
    # refused: each takes its turn on a session shared with other refusals
    "consult_to_unknown_target": Scenario(
        lambda gws, s: _consult(gws, s, gws.unknown_user_target(), expected=CONSULT_FAILURE),
        shares=REFUSED_WHEN_CHATTING,
    ),
    "consult_to_unavailable_agent": Scenario(
        lambda gws, s: _consult(gws, s, gws.target("third", "uri"), expected=CONSULT_FAILURE),
        shares=REFUSED_WHEN_CHATTING,
    ),
    "consult_without_target": Scenario(
        lambda gws, s: gws.observe(s, {"operationName": "Consult"}, expected={"originator": ()}),
        shares=REFUSED_WHEN_CHATTING,
    ),
    # (defined below, with the checks that judge them)
    "transfer_after_consult": Scenario(lambda gws, s: _transfer_after_consult(gws, s)),
    "conference_after_consult": Scenario(lambda gws, s: _conference_after_consult(gws, s)),
    "leave_after_consult": Scenario(lambda gws, s: _leave_after_consult(gws, s)),
    "consultant_writes": Scenario(_consultant_writes, takes=None, after="consult_by_uri"),
    "without_feature": Scenario(lambda gws, idle: _without_feature(gws, idle), takes=None, after="idle_session"),
}

ALSO = {"failed_consult": FAILED_CONSULTS}  # fixtures that stand for several scenarios


consult_by_uri = scenario_fixture("consult_by_uri")
consult_by_path = scenario_fixture("consult_by_path")
consult_through_queue = scenario_fixture("consult_through_queue", ["uri", "path"])
consult_to_unknown_target = scenario_fixture("consult_to_unknown_target")
consult_to_unavailable_agent = scenario_fixture("consult_to_unavailable_agent")
consult_without_target = scenario_fixture("consult_without_target")
transfer_after_consult = scenario_fixture("transfer_after_consult")
conference_after_consult = scenario_fixture("conference_after_consult")
leave_after_consult = scenario_fixture("leave_after_consult")


# --- sms.consult.param.* -----------------------------------------------------------------------


@requirement("sms.consult.param.target-uri")
def test_consult_with_a_user_uri_reaches_that_agent(consult_by_uri: Observation) -> None:
    """targetUri naming a user: the consult is accepted and that agent joins (the session is in its list)."""
    assert_joined(consult_by_uri, ("consultant",))


@requirement("sms.consult.param.target-path")
def test_consult_with_a_user_path_reaches_that_agent(consult_by_path: Observation) -> None:
    """targetPath naming a user: the consult is accepted and that agent joins (the session is in its list)."""
    assert_joined(consult_by_path, ("consultant",))


@requirement("sms.consult.param.target-uri")
def test_consult_through_a_queue_reaches_one_of_its_agents(
    consult_through_queue: Observation, gws: Conformance
) -> None:
    """targetUri / targetPath naming a queue: the consult is accepted and an agent of the queue
    joins. Only members the run has logged in can show it ([queue] members)."""
    members = tuple(role for role in gws.queue_members() if role in ("consultant",))
    if not members:
        raise NotApplicable(
            'no logged-in member of the queue configured ([queue] members = ["consultant"])', key="queue.members"
        )
    assert_joined(consult_through_queue, members)


@requirement("sms.consult.param.target-required")
def test_consult_without_any_target_is_refused_and_changes_nothing(consult_without_target: Observation) -> None:
    """Neither targetUri nor targetPath: refused in the response with a GWS body and no
    referenceId, and nothing changes (Return Values: "an error means the request changed
    nothing"): no participant joins. Other notifications about the session are not judged."""
    seen = consult_without_target
    assert_refusal(seen, documented_code=1)
    changes = [a for a in seen.received["originator"] if is_participants_updated(a.data) or is_join(a.data)]
    if changes:
        raise ordering_violation([], changes, note="the refused Consult added a participant")
    expect(participant_ids(seen.after) == participant_ids(seen.before), "the refused Consult changed the participants")


@requirement("sms.consult.param.operation")
@pytest.mark.parametrize(
    "name", ["consult", "Consul", "", 42, None], ids=["lowercase", "misspelt", "empty", "number", "null"]
)
def test_a_wrong_operation_name_is_refused(gws: Conformance, idle_session: str, name: object) -> None:
    """operationName is exactly the string Consult; anything else is refused, never a 5xx."""
    target = gws.target("consultant", "uri").as_params()
    seen = gws.request(idle_session, {"operationName": name, **target})
    assert_refusal(seen)


@requirement("sms.common.refusal")
@pytest.mark.parametrize(
    "params",
    [
        {"targetUri": 42},
        {"targetPath": ["/users/x"]},
        {"targetUri": None},
        {"targetPath": {"path": "/users/x"}},
    ],
    ids=["uri-number", "path-list", "uri-null", "path-object"],
)
def test_a_target_of_the_wrong_type_is_refused(gws: Conformance, idle_session: str, params: dict) -> None:
    """A target that is not a string is bad input: refused with a GWS body, never a 5xx."""
    seen = gws.request(idle_session, {"operationName": "Consult", **params})
    assert_refusal(seen)


@requirement("sms.common.refusal")
def test_malformed_json_is_refused_not_crashed_on(gws: Conformance, idle_session: str) -> None:
    seen = gws.request_raw(idle_session, b'{"operationName": "Consult", "targetUri": ', "application/json")
    assert_refusal(seen)


@requirement("sms.common.refusal.http-status")
def test_a_refusal_comes_with_an_http_4xx(consult_without_target: Observation) -> None:
    """Assumed by gws-conventions: a non-zero statusCode travels with a 4xx, not a 200."""
    seen = consult_without_target
    expect(
        400 <= seen.response_status < 500, f"refusal {said(seen.response_body)} came with HTTP {seen.response_status}"
    )


@requirement("sms.consult.endpoint")
def test_consult_on_an_unknown_session_is_refused(gws: Conformance) -> None:
    seen = gws.request(
        "0000ThisIsNoSession0000", {"operationName": "Consult", **gws.target("consultant", "uri").as_params()}
    )
    assert_refusal(seen, documented_code=6)


@requirement("sms.consult.endpoint")
def test_consult_on_a_session_of_another_agent_is_refused(gws: Conformance, idle_session: str) -> None:
    """The consultant is not (yet) a participant: the originator's session is not its to consult on."""
    seen = gws.request(
        idle_session, {"operationName": "Consult", **gws.target("originator", "uri").as_params()}, role="consultant"
    )
    assert_refusal(seen)


def _without_feature(gws: Conformance, idle_session: str) -> Observation:
    """The user without api-multimedia consults (its login alone is several round trips, so this
    runs beside the other scenarios)."""
    consult = {"operationName": "Consult", **gws.target("consultant", "uri").as_params()}
    return gws.request(idle_session, consult, role="no_feature")


without_feature = scenario_fixture("without_feature")


@requirement("sms.consult.feature")
def test_a_user_without_api_multimedia_cannot_consult(without_feature: Observation) -> None:
    """The Consult page: Consult "belongs to the api-multimedia feature"; the feature governs the
    operation, so the operation is what is judged. Listing sessions is the resource page's GET,
    which needs api-multimedia-chat: a server may answer it to this user, and is not judged."""
    assert_refusal(without_feature)


# --- sms.consult.response, referenceId -------------------------------------------------------------


@requirement("sms.consult.response")
def test_an_accepted_consult_answers_status_0_and_an_integer_reference_id(consult_by_uri: Observation) -> None:
    problems = schema_problems("responses/accepted", consult_by_uri.response_body)
    expect(not problems, f"{said(consult_by_uri.response_body)}: {problems}")


def _accepted(*observations: Observation) -> list[Observation]:
    return [o for o in observations if o.exchange.succeeded]


@requirement("sms.common.reference-id.unique")
def test_every_accepted_request_gets_its_own_reference_id(
    consult_by_uri: Observation, consult_by_path: Observation, consult_to_unknown_target: Observation
) -> None:
    """The referenceIds of the accepted consults differ (a consult refused in its response has none)."""
    accepted = _accepted(consult_by_uri, consult_by_path, consult_to_unknown_target)
    if len(accepted) < 2:
        raise Unjudgeable(f"needs two accepted requests; {len(accepted)} was accepted")
    ids = [o.response_body.get("referenceId") for o in accepted]
    expect(
        all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids),
        f"referenceIds of {len(ids)} accepted requests: {ids}",
    )


def _asynchronous_failure(seen: Observation) -> Observation:
    """The failed consult, when the server accepted it to fail later. A refusal in the response
    is as good an answer (the page shows an Error notification, but a server that knows at once
    that the target cannot be reached may say so at once): then there is no Error to judge."""
    if not seen.exchange.succeeded:
        assert_refusal(seen)
        code = seen.response_body.get("statusCode")
        raise NotApplicable(
            f"the server refused this consult in its response (statusCode {code}), so no Error notification follows"
        )
    return seen


@requirement("sms.common.reference-id.echo")
def test_the_error_notification_echoes_the_reference_id(consult_to_unknown_target: Observation) -> None:
    seen = _asynchronous_failure(consult_to_unknown_target)
    error = first(seen.received["originator"], is_error)
    if error is None:
        raise Violation("no Error notification arrived", observed=received_summary(seen))
    sent = seen.response_body.get("referenceId")
    expect(
        error.get("referenceId") == sent,
        f"Error carries referenceId {error.get('referenceId')!r}, the accepting response returned {sent!r}",
    )


# --- sms.consult.notify.* -----------------------------------------------------------------------------


@requirement("sms.consult.notify.participants")
def test_participants_updated_shows_the_consultant_as_an_agent(consult_by_uri: Observation) -> None:
    """The originator receives ParticipantsUpdated with the session Chatting and a new participant
    of type Agent. How many participants, and in which order, the page does not say."""
    updated = received_valid(
        consult_by_uri.received["originator"],
        CONSULT_SUCCESS[0],
        "notifications/participants-updated",
    )
    session = updated["smssession"]
    expect(
        session.get("id") == consult_by_uri.session_id and session.get("state") == "Chatting",
        f"session {session.get('id')} in state {session.get('state')}",
    )
    new = [p for p in session["participants"] if p.get("participantId") not in participant_ids(consult_by_uri.before)]
    expect(
        any(p.get("type") == "Agent" for p in new),
        f"the consulted agent should appear as type Agent; new participants: {said(new)}",
    )


@requirement("sms.consult.notify.consultant")
def test_the_consulted_agent_is_notified_too(consult_by_uri: Observation) -> None:
    """The page prints both notifications without saying who receives them; the originator must
    (checked under notify.participants and notify.joined). That the consulted agent is told as
    well is what a reader expects: a SHOULD."""
    arrivals = consult_by_uri.received["consultant"]
    missing = [e.name for e in CONSULT_SUCCESS if first(arrivals, e.matches) is None]
    expect(not missing, f"the consultant never received {', '.join(missing)}")


@requirement("sms.consult.notify.capabilities")
def test_agent_only_capabilities_appear_once_the_consult_starts(consult_by_uri: Observation) -> None:
    updated = first(consult_by_uri.received["originator"], is_participants_updated)
    if updated is None:
        raise Violation("no ParticipantsUpdated arrived")
    missing = AGENT_ONLY_CAPABILITIES - set(updated.get("smssession", {}).get("capabilities", []))
    expect(not missing, f"capabilities lack {sorted(missing)}")


@requirement("sms.consult.notify.joined")
def test_the_join_is_announced_to_agents_only_by_the_consultant(consult_by_uri: Observation) -> None:
    joined = received_valid(
        consult_by_uri.received["originator"],
        CONSULT_SUCCESS[1],
        "notifications/new-messages",
    )
    expect(session_id_of(joined) == consult_by_uri.session_id, f"the join is about session {session_id_of(joined)}")
    updated = first(consult_by_uri.received["originator"], is_participants_updated) or {}
    consultant_ids = participant_ids(updated.get("smssession", {})) - participant_ids(consult_by_uri.before)
    message = next(m for m in joined["messages"] if m.get("type") == "ParticipantJoined")
    expect(
        message.get("from", {}).get("participantId") in consultant_ids,
        f"the join is from {said(message.get('from'))}, not the consulted agent",
    )
    expect(
        message.get("visibility") == "Agents", f"the join has visibility {message.get('visibility')!r}, not 'Agents'"
    )
    expect(
        message.get("index", -1) > consult_by_uri.last_index_before,
        f"join index {message.get('index')} does not continue the log "
        f"(last index before the consult: {consult_by_uri.last_index_before})",
    )


@requirement("sms.consult.notify.order")
@pytest.mark.parametrize("role", ["originator", "consultant"])
def test_participants_updated_comes_before_the_join(consult_by_uri: Observation, role: str, gws: Conformance) -> None:
    """ParticipantsUpdated, then NewMessages(ParticipantJoined), within the deadline, in the
    stream of the originator; in the consultant's stream the order is judged for what arrived
    (whether it arrives is notify.consultant's SHOULD). Notifications of other kinds in between
    are tolerated and shown in the transcript; a repeat is notify.once's."""
    arrivals = consult_by_uri.received[role]
    problems = [
        p
        for p in judge_sequence(CONSULT_SUCCESS, arrivals, deadline=gws.deadline)
        if p.kind in ORDER_PROBLEMS and (role == "originator" or p.kind is not FailureKind.MISSING)
    ]
    if problems:
        raise ordering_violation(problems, arrivals, CONSULT_SUCCESS, note=role)


@requirement("sms.common.notify.once")
@pytest.mark.parametrize("role", ["originator", "consultant"])
def test_each_notification_of_the_consult_arrives_once(
    consult_by_uri: Observation, role: str, gws: Conformance
) -> None:
    assert_notified_once(CONSULT_SUCCESS, consult_by_uri.received[role], gws.deadline, role)


@pytest.fixture(scope="module", params=FAILED_CONSULTS)
def failed_consult(request: pytest.FixtureRequest, scenarios: Scenarios) -> Observation:
    return scenarios.result(request.param)


@requirement("sms.consult.notify.error")
def test_a_failed_consult_yields_an_error_with_the_session_as_it_stands(
    failed_consult: Observation, gws: Conformance
) -> None:
    """Accepted, then an Error within the deadline, conforming, with the session as it stands.
    Other notifications beside it are not judged; a repeated Error is notify.once's."""
    seen = _asynchronous_failure(failed_consult)
    arrivals = seen.received["originator"]
    problems = [
        p
        for p in judge_sequence(CONSULT_FAILURE, arrivals, deadline=gws.deadline)
        if p.kind in (FailureKind.MISSING, FailureKind.LATE)
    ]
    if problems:
        raise ordering_violation(problems, arrivals, CONSULT_FAILURE)
    error = received_valid(arrivals, CONSULT_FAILURE[0], "notifications/error")
    session = error["smssession"]
    expect(
        participant_ids(session) == participant_ids(seen.before),
        f"the session in the Error has participants {said(session.get('participants'))}",
    )
    leaked = AGENT_ONLY_CAPABILITIES & set(session.get("capabilities", []))
    expect(not leaked, f"agent-only capabilities present after a failure: {', '.join(sorted(leaked))}")


# --- sms.common.* on the success path -----------------------------------------------------------------


@requirement("sms.common.notify.index")
def test_message_indexes_strictly_increase_and_never_repeat(consult_by_uri: Observation) -> None:
    """In the message log and in the stream (the rule every page that adds messages shares)."""
    assert_message_indexes(consult_by_uri)


@requirement("sms.common.timestamp")
def test_timestamp_seconds_is_the_same_instant_as_timestamp(consult_by_uri: Observation) -> None:
    assert_timestamps_agree(consult_by_uri)


# --- sms.consult.visibility -----------------------------------------------------------------------------


def _customer_trace(seen: Observation, session: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """What reached the customer's phone during the operation from anyone but the customer and
    the originator (a message naming no sender included). The probe must first show the
    customer's own texts: a probe that sees nothing proves nothing."""
    before, after = seen.customer_received()
    expect(
        any(sent_by_customer(m, session) for m in after),
        f"the customer probe shows none of the customer's own messages, so it cannot show that the consult "
        f"left no trace ({phone_summary(after)})",
    )
    originator = [p for p in session.get("participants", []) if p.get("participantId") == only_agent(session)]
    return [m for m in after[len(before) :] if not sent_by_customer(m, session) and not sent_by(m, originator)]


@requirement("sms.consult.visibility")
def test_the_customer_sees_no_trace_of_the_consult(consult_by_uri: Observation) -> None:
    trace = _customer_trace(consult_by_uri, consult_by_uri.before)
    expect(not trace, f"the customer received {said(trace)}: {phone_summary(trace)}")


consultant_writes = scenario_fixture("consultant_writes")


@requirement("sms.consult.visibility")
def test_what_the_consultant_writes_stays_among_agents(
    consult_by_uri: Observation, consultant_writes: Observation
) -> None:
    """The consultant's SendToAgents is accepted and reaches the originator (SendToAgents page:
    a Text to the agents); nothing it writes is visible beyond agents or reaches the customer.
    Its plain SendMessage may be refused; if accepted, it must stay among agents too."""
    seen = consultant_writes
    assert_accepted(seen)
    consultant = consult_by_uri.consultant_participant().get("participantId")
    written = [
        m
        for m in messages_in(seen.received["originator"])
        if (m.get("from") or {}).get("participantId") == consultant and m.get("type") == "Text"
    ]
    expect(written, "the consultant's SendToAgents was accepted but no Text from it reached the originator")
    public = [m for m in written if m.get("visibility") != "Agents"]
    expect(not public, f"the consultant's messages visible beyond agents: {said(public)}")
    trace = _customer_trace(seen, consult_by_uri.before)
    expect(not trace, f"the customer received {said(trace)}: {phone_summary(trace)}")


# --- sms.consult.followup.* ------------------------------------------------------------------------------


def _missing_outcomes(seen: Observation, wanted: Mapping[str, str], deadline: float) -> str:
    missing = [f"the {role} never received {what}" for role, what in wanted.items() if seen.found.get(role) is None]
    return f"within {deadline:g}s " + "; ".join(missing) + f"; {received_summary(seen)}"


CONFERENCE_WANTED = "a join of the consultant visible to All"
LEAVE_WANTED = {"consultant": "StatusChange with state LeftChat or Completed"}


def _transfer_after_consult(gws: Conformance, session: Lease) -> Observation:
    """No page documents Transfer's notifications: the notifications below are only what the
    wait is for (a session without the originator); the check judges the session lists."""
    consult = _consult(gws, session, gws.target("consultant", "uri"))
    originator_id = consult.originator_participant()["participantId"]
    transferred = gws.follow_up(
        consult,
        "originator",
        {"operationName": "Transfer", **gws.target("consultant", "uri").as_params()},
        awaited={
            "consultant": snapshot_where(
                lambda s: s.get("state") == "Invited" or originator_id not in participant_ids(s)
            ),
        },
    )
    return gws.taken_if_offered(transferred, "consultant")


def _conference_after_consult(gws: Conformance, session: Lease) -> tuple[Observation, str]:
    """The pages name no Conference capability in their samples: Conference when the session lists
    it, else Invite of the consultant (the Invite page: the customer then sees all conference agents)."""
    consult = _consult(gws, session, gws.target("consultant", "uri"))
    capabilities = set(consult.after.get("capabilities", []))
    operation = "Conference" if "Conference" in capabilities else "Invite"
    consultant_id = consult.consultant_participant()["participantId"]
    public_join = message_where(
        lambda m: (
            (m.get("from") or {}).get("participantId") == consultant_id
            and m.get("type") in ("ParticipantJoined", "ParticipantRejoined")
            and m.get("visibility") == "All"
        )
    )
    seen = gws.follow_up(
        consult,
        "originator",
        {"operationName": operation, **gws.target("consultant", "uri").as_params()},
        awaited={"originator": public_join, "consultant": public_join},
    )
    return seen, operation


def _leave_after_consult(gws: Conformance, session: Lease) -> tuple[Observation, str]:
    consult = _consult(gws, session, gws.target("consultant", "uri"))
    seen = gws.follow_up(
        consult,
        "consultant",
        {"operationName": "Leave"},
        awaited={
            "consultant": lambda d: (
                d.get("notificationType") == "StatusChange"
                and (d.get("smssession") or {}).get("state") in ("LeftChat", "Completed")
            )
        },
    )
    return seen, consult.consultant_participant()["participantId"]


@requirement("sms.consult.followup.transfer")
def test_the_originator_can_transfer_to_the_consultant(transfer_after_consult: Observation, gws: Conformance) -> None:
    """The consultant's session list shows the session Chatting (once it accepted it, if the
    server offered it Invited: no page says how a transferred session reaches its target); the
    originator's no longer shows it Chatting (gone, or in another state such as LeftChat).
    Transfer's notifications are documented nowhere, so they are shown in the transcript and not
    judged."""
    seen = transfer_after_consult
    assert_accepted(seen)
    consultant, originator = seen.listed.get("consultant"), seen.listed.get("originator")
    expect(
        consultant is not None and consultant.get("state") == "Chatting",
        f"the consultant's session list shows the session as "
        f"{consultant and consultant.get('state')}, not Chatting; {received_summary(seen)}",
    )
    expect(
        originator is None or originator.get("state") != "Chatting",
        f"the originator still has the session Chatting; {received_summary(seen)}",
    )


@requirement("sms.consult.followup.conference")
def test_the_originator_can_conference_with_the_consultant(
    conference_after_consult: tuple[Observation, str], gws: Conformance, record_property
) -> None:
    """The consultant's join is then visible to All (the customer sees conference members), in
    either agent's stream (who receives it is not stated). The operation used is recorded."""
    seen, operation = conference_after_consult
    record_property("conference-operation", operation)
    assert_accepted(seen)
    expect(
        any(seen.found.values()),
        f"within {gws.deadline:g}s no agent "
        f"received {CONFERENCE_WANTED} (operation used: {operation}); {received_summary(seen)}",
    )


@requirement("sms.consult.followup.leave")
def test_the_consultant_can_leave(leave_after_consult: tuple[Observation, str], gws: Conformance) -> None:
    """Leave page: the leaver gets StatusChange, state LeftChat (outside a conference) or
    Completed (in a conference or consultation); the originator's session goes on Chatting
    without the consultant (its session list shows it)."""
    seen, consultant_id = leave_after_consult
    assert_accepted(seen)
    expect(all(seen.found.values()), _missing_outcomes(seen, LEAVE_WANTED, gws.deadline))
    kept = seen.listed.get("originator") or {}
    expect(
        kept.get("state") == "Chatting",
        f"the originator's session list shows the session as {kept.get('state')}, not Chatting; "
        f"{received_summary(seen)}",
    )
    expect(
        consultant_id not in participant_ids(kept),
        f"the consultant is still a participant: {said(kept.get('participants'))}",
    )
