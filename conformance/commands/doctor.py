"""``gws-conformance doctor``: try a new server step by step before the first run.

Each step prints one line: ``ok``, ``note`` (works, but worth knowing) or ``FAIL`` with the fix.
The first failing step stops the doctor; nothing is a traceback. The steps:

1. the target answers at all (``GET /api/v2/diagnostics/version``, which needs no credentials);
2. each configured agent logs in (``GET /api/v2/me``): refused (401/403, with the server's
   message), not a GWS answer at all, or no ``api-multimedia`` (the SMS session list refused);
   whether CSRF protection hands out a token;
3. CometD: handshake and subscription to the SMS topic, for the originator and the consultant;
4. a session from the configured session source;
5. what each agent receives of the originator's typing (the run's calibration), and so the
   observation mode ``run`` will use; when the SMS topic shows nothing, a second stream on
   ``/v2/me/**`` finds the channel the server really uses;
6. a suggested configuration.

Exit codes: 0 ready (notes allowed); 2 a configuration fix is needed (credentials, feature,
topic, not a GWS); 3 the target cannot be reached.
"""

from __future__ import annotations

import argparse
import ssl
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import tomlkit

from conformance.client.agent import Agent, with_discovered_addresses
from conformance.client.bayeux import BayeuxError
from conformance.client.rest import Exchange, TargetUnreachable, get_bounded, tls_options
from conformance.config import DEFAULT_FILE, AgentConfig, Config, load_config
from conformance.engine.opening import measure, reference_agents
from conformance.engine.sessions import CHATTING, INVITED, SessionSource, make_source
from conformance.engine.stage import Calibration, about_session
from conformance.engine.verdicts import NotApplicable
from conformance.errors import EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, ConfigError
from conformance.redaction import redact_secrets

WILDCARD_TOPIC = "/v2/me/**"


class StepFailed(Exception):
    """A step that stops the doctor: the line to print, its fix, and the exit code."""

    def __init__(self, line: str, fix: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(line)
        self.line, self.fix, self.exit_code = line, fix, exit_code


def _gws_body(exchange: Exchange) -> bool:
    return isinstance(exchange.body, dict) and isinstance(exchange.body.get("statusCode"), int)


def _said(exchange: Exchange) -> str:
    body = exchange.body
    if isinstance(body, dict):
        return f"statusCode {body.get('statusCode')} {body.get('statusMessage', '')!r}".rstrip()
    kind = exchange.response_headers.get("content-type", "no content type")
    return f"a {kind} body, not GWS JSON"


TLS_FIX = (
    "check [tls]: ca_bundle (the CA that signed the server's certificate), client_cert and client_key "
    "when the server asks for one, or verify = false to skip the check"
)


def _unreachable_fix(exc: Exception) -> str:
    """A TLS handshake that failed is a [tls] matter; anything else, the target's address."""
    said = str(exc)
    if "SSL" in said or "certificate" in said.lower() or isinstance(exc.__context__, ssl.SSLError):
        return TLS_FIX
    return "check target (scheme, host, port) and that the server runs"


class Doctor:
    def __init__(self, config: Config, out: Callable[[str], None] = print, file_text: str = "") -> None:
        self.config = config
        self.out = out
        self.file_text = file_text  # the user's configuration file, the base of the suggestion

    def ok(self, line: str) -> None:
        self.out(f"ok    {line}")

    def note(self, line: str) -> None:
        self.out(f"note  {line}")

    # --- the steps --------------------------------------------------------------------------

    def reachable(self) -> None:
        url = f"{self.config.base_url}/api/v2/diagnostics/version"
        try:
            with httpx.Client(timeout=self.config.http_timeout, **tls_options(self.config.tls)) as http:
                status, _ = get_bounded(
                    http, url, timeout=self.config.http_timeout, max_bytes=self.config.max_body_bytes
                )
        except httpx.TransportError as exc:
            raise StepFailed(
                f"cannot reach {self.config.base_url}: {type(exc).__name__}: {exc}",
                _unreachable_fix(exc),
                EXIT_UNREACHABLE,
            ) from None
        self.ok(f"target reachable: GET /api/v2/diagnostics/version answered HTTP {status}")

    def logs_in(self, role: str, agent: Agent) -> None:
        name = f"agent {role} ({agent.account.username})"
        me = agent.rest.get("/api/v2/me")
        if me.status in (401, 403):
            raise StepFailed(
                f"{name} refused: HTTP {me.status} {_said(me)}",
                f"check agents.{role}.password or password_env, and that the user may use the API",
            )
        if not _gws_body(me):
            raise StepFailed(
                f"{name}: GET /api/v2/me answered HTTP {me.status} with {_said(me)}: the target is not a GWS API v2",
                "check target: the GWS base URL, without /api/v2",
            )
        if role == "no_feature":
            # Its feature governs the operations (the Consult check judges one); the session list
            # is the resource page's GET, which needs api-multimedia-chat: it proves nothing here.
            self.ok(f"{name} logs in: HTTP {me.status} (the Consult check judges that it cannot consult)")
            return
        listing = agent.rest.get("/api/v2/me/smssessions")
        if not _gws_body(listing) or listing.body["statusCode"] != 0:
            raise StepFailed(
                f"{name} cannot use the SMS session API: GET /api/v2/me/smssessions answered HTTP "
                f"{listing.status} {_said(listing)}",
                "give the user the api-multimedia feature (and api-multimedia-chat for the session resource)",
            )
        csrf = me.response_headers.get("x-csrf-header")
        self.ok(
            f"{name} logs in: HTTP {me.status}; CSRF protection "
            + (f"on (token header {csrf})" if csrf else "off (no X-CSRF-HEADER on GET)")
        )

    def streams(self, role: str, agent: Agent) -> None:
        name = f"agent {role} ({agent.account.username})"
        try:
            agent.bayeux.handshake()
        except (BayeuxError, httpx.HTTPError, ValueError) as exc:
            raise StepFailed(
                f"{name}: CometD handshake at {self.config.notification_path} failed: {exc}",
                "check notification_path (GWS: /api/v2/notifications)",
            ) from None
        try:
            agent.bayeux.subscribe(self.config.sms_topic)
        except (BayeuxError, httpx.HTTPError, ValueError) as exc:
            raise StepFailed(
                f"{name}: subscription to {self.config.sms_topic} refused: {exc}",
                "check sms_topic (assumed /v2/me/smssessions)",
            ) from None
        agent.bayeux.start()
        agent.rest.post("/api/v2/me", {"operationName": "StartContactCenterSession", "channels": [self.config.media]})
        agent.rest.post(f"/api/v2/me/channels/{self.config.media}", {"operationName": "Ready"})
        self.ok(f"{name}: CometD handshake and subscription to {self.config.sms_topic} confirmed")

    def has_the_sessions(self, originator: Agent) -> None:
        """An existing source: every id is a session the originator can read, and there are as
        many of each state as a full run takes (list and doctor count them the same way)."""
        if self.config.source.kind != "existing":
            return
        from conformance.commands.run import sessions_a_full_run_takes

        ids = {CHATTING: self.config.source.session_ids, INVITED: self.config.source.invited_session_ids}
        for session_id in (*ids[CHATTING], *ids[INVITED]):
            read = originator.session(session_id)
            if not (_gws_body(read) and read.body["statusCode"] == 0):
                raise StepFailed(
                    f"session {session_id} of the existing source: GET /api/v2/me/smssessions/{session_id} as "
                    f"agents.originator answered HTTP {read.status} {_said(read)}",
                    "list in [source] session_ids (Chatting) and invited_session_ids (Invited) sessions routed "
                    "to agents.originator",
                )
        needed = sessions_a_full_run_takes()
        for state, key in ((CHATTING, "session_ids"), (INVITED, "invited_session_ids")):
            if len(ids[state]) < needed[state]:
                raise StepFailed(
                    f"the existing source holds {len(ids[state])} {state} session id(s); a full run takes "
                    f"{needed[state]} (checks without one would skip)",
                    f"add {state} sessions to [source] {key}, or run fewer checks (--page, --clause: "
                    "'gws-conformance list' counts what a selection takes)",
                )
        self.ok(
            f"the existing source holds the sessions a full run takes ({needed[CHATTING]} {CHATTING}, "
            f"{needed[INVITED]} {INVITED}), each known to the server"
        )

    def observes(self, agents: dict[str, Agent], stack: ExitStack) -> Calibration:
        self.has_the_sessions(agents["originator"])
        source = make_source(self.config)
        try:
            calibration = measure(self.config, agents, source)
        except (RuntimeError, pytest.skip.Exception) as exc:
            message = exc.msg if isinstance(exc, pytest.skip.Exception) else str(exc)
            # the command's session may have arrived, on another channel than sms_topic
            found = self.find_topic(agents, stack, source) if self.config.source.kind == "command" else None
            if found:
                raise StepFailed(
                    f"the command source's session never reached the originator on {self.config.sms_topic}; "
                    f"on {WILDCARD_TOPIC} it arrives on channel {found}",
                    f'set sms_topic = "{found}"',
                ) from None
            raise StepFailed(
                f"no session from the {self.config.source.kind} session source: {message}",
                "check [source]: session_ids, or the command that injects an inbound SMS",
            ) from None
        self.ok(f"a session from the {self.config.source.kind} source")
        if calibration.silent:
            found = self.find_topic(agents, stack, source)
            raise StepFailed(
                f"nothing about the session reached the originator on {self.config.sms_topic}"
                + (f"; on {WILDCARD_TOPIC} it arrives on channel {found}" if found else f", nor on {WILDCARD_TOPIC}"),
                f'set sms_topic = "{found}"'
                if found
                else "check notification_path and that the server publishes SMS session notifications",
            )
        return calibration

    def find_topic(self, agents: dict[str, Agent], stack: ExitStack, source: SessionSource) -> str | None:
        """The channel on which the originator's SMS notifications arrive, seen through /v2/me/**:
        a command source's next session awaited there, or typing on another session of the source."""
        watcher = stack.enter_context(Agent(replace(self.config, sms_topic=WILDCARD_TOPIC), "originator"))
        since = watcher.log.mark()
        try:
            if self.config.source.kind == "command":
                session_id = source.new_session(watcher).id  # the command runs; its session awaited on /v2/me/**
            else:
                session_id = source.new_session(agents["originator"]).id
                agents["originator"].operate(session_id, {"operationName": "SendStartTypingNotification"})
        except (NotApplicable, RuntimeError):  # no session left to look with, or none came
            return None
        found = watcher.log.wait_for(
            about_session(session_id), since=since, deadline=time.monotonic() + self.config.deadline
        )
        return None if found is None else found.channel

    def typing(self, calibration: Calibration) -> None:
        said = {True: "receives", False: "does not receive", None: "could not be measured:"}
        self.ok(
            f"the originator {said[calibration.originator_sees_own_typing]} its own typing; the consultant "
            f"{said[calibration.consultant_sees_others_typing]} the originator's typing"
            + (f" ({calibration.note})" if calibration.note else "")
        )
        modes = {role: calibration.evidence(role) for role in ("originator", "consultant")}
        line = "; ".join(f"{role}: {how}" for role, how in modes.items())
        if any(calibration.mode(role) == "quiet" for role in modes):
            self.note(
                f"observation: {line} (quiet windows of quiet_window = {calibration.quiet_window:g} s "
                "where the server gives no marker; a run takes a few seconds longer)"
            )
        else:
            self.ok(f"observation: {line}")

    def predicts(self) -> None:
        """What a run with this configuration will judge, and what it takes from the source."""
        from conformance.commands.rehearsal import rehearse
        from conformance.commands.run import sessions_a_full_run_takes

        rehearsal, needed = rehearse(self.config), sessions_a_full_run_takes()
        judged_must = rehearsal.must_clauses - len(rehearsal.unjudged_must)
        self.ok(
            f"a run judges {rehearsal.judged} of {rehearsal.checks} checks and {judged_must}/{rehearsal.must_clauses} "
            "MUST clauses with these agents and this queue (rehearsed on the built-in reference server); it takes "
            f"{needed[CHATTING]} {CHATTING} and {needed[INVITED]} {INVITED} sessions from the source"
        )
        for key, count in rehearsal.skipped.most_common():
            self.note(f"{count} check(s) skip without {key}")
        if rehearsal.unjudged_must:
            self.note(
                f"MUST clauses no check would judge: {', '.join(rehearsal.unjudged_must)}; the run exits 4 "
                "(incomplete) unless the waiver file accepts them as [[gap]]s (gws-conformance init writes them) "
                "or the keys above are configured"
            )

    def suggest(self, calibration: Calibration) -> None:
        """The user's configuration file as it is (comments, every key), plus what the doctor
        found: the target, the topic, how to observe, each agent's uri and path. Never less: run
        on its own suggestion, the doctor suggests it again. Inline passwords are not shown."""
        document = tomlkit.parse(self.file_text)
        found = {
            "target": self.config.base_url,
            "notification_path": self.config.notification_path,
            "sms_topic": self.config.sms_topic,
            "observation": calibration.observation,
        }
        for key, value in found.items():
            document[key] = value
        agents = document.setdefault("agents", tomlkit.table(is_super_table=True))
        for role, account in self.config.agents.items():
            table = agents.setdefault(role, tomlkit.table())
            table.setdefault("username", account.username)
            if "password" not in table:
                table.setdefault("password_env", f"GWS_{role.upper()}_PASSWORD")
            for key, value in (("uri", account.uri), ("path", account.path)):
                if value:
                    table.setdefault(key, value)
        document.setdefault("source", tomlkit.table()).setdefault("kind", self.config.source.kind)
        text = redact_secrets(tomlkit.dumps(document)).strip()
        self.out("suggested configuration:\n    " + "\n    ".join(text.splitlines()))

    # --- all of it -----------------------------------------------------------------------------

    def examine(self) -> int:
        self.out(f"gws-conformance doctor: {self.config.base_url}")
        try:
            with ExitStack() as stack:
                self.reachable()
                agents = {}
                for role in self.config.agents:
                    agent = stack.enter_context(_closing(Agent(self.config, role)))
                    self.logs_in(role, agent)
                    agents[role] = agent
                for role in ("originator", "consultant"):
                    self.streams(role, agents[role])
                calibration = self.observes(agents, stack)
                self.typing(calibration)
                self.predicts()
                self.suggest(calibration)
        except StepFailed as failed:
            self.out(f"FAIL  {failed.line}\n      fix: {failed.fix}")
            return failed.exit_code
        except TargetUnreachable as exc:
            self.out(f"FAIL  the target stopped answering: {exc}")
            return EXIT_UNREACHABLE
        self.out("ready: 'gws-conformance run' can start")
        return EXIT_OK


@contextmanager
def _closing(agent: Agent) -> Iterator[Agent]:
    """An agent the doctor logs in step by step (not with Agent.login), stopped at the end."""
    try:
        yield agent
    finally:
        agent.bayeux.stop()
        agent.rest.close()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="try a server step by step before the first run: each step a verdict and a fix",
        description="Check, step by step, what a run needs of the target: it answers, each agent logs in (and "
        "has api-multimedia), CometD handshake and SMS topic, a session from the source, what each "
        "agent receives of the others' typing (the observation mode run will use), and suggest a "
        "configuration. Stops at the first failing step with its fix. Exit codes: 0 ready; 2 a "
        "configuration fix is needed; 3 the target cannot be reached.",
    )
    parser.add_argument(
        "--target",
        metavar="URL",
        help="base URL of the GWS server (default: from the configuration, else the built-in reference server)",
    )
    parser.add_argument(
        "--config", metavar="FILE", type=Path, help="TOML configuration (default: ./gws-conformance.toml if present)"
    )
    parser.set_defaults(handler=doctor_command)


def with_named_agents(config: Config) -> Config:
    """A target with no agents configured: only a reference server can name them (its test-only
    agent list); StepFailed when it cannot be reached, or is no reference server."""
    if config.source.kind != "reference" or config.agents:
        return config
    try:
        return config.with_reference_server(config.base_url, reference_agents(config))
    except TargetUnreachable as exc:
        raise StepFailed(
            f"cannot reach {config.base_url}: {exc}",
            "check target (scheme, host, port) and that the server runs",
            EXIT_UNREACHABLE,
        ) from None
    except ConfigError:
        raise StepFailed(
            f"{config.base_url} is not a gws-conformance reference server and no agents are configured",
            "configure [agents.originator], [agents.consultant] and a [source] (gws-conformance init "
            "writes a starter file)",
        ) from None


def log_in_each(config: Config, accounts: Iterable[AgentConfig]) -> None:
    """Each account logs in and may use the SMS session API (the doctor's step), or StepFailed."""
    doctor = Doctor(config, out=lambda line: None)
    for account in accounts:
        agent = Agent(replace(config, agents={account.role: account}), account.role)
        try:
            doctor.logs_in(account.role, agent)
        finally:
            agent.rest.close()


def preflight(program: str, config: Config, steps: Callable[[], None]) -> int | None:
    """``steps`` of the doctor before a run or a load starts: None when they hold, else one line on
    stderr (what failed, and its fix) and the documented exit code."""
    try:
        steps()
    except StepFailed as failed:
        print(f"{program}: {failed.line} (fix: {failed.fix})", file=sys.stderr)
        return failed.exit_code
    except TargetUnreachable as exc:
        print(f"{program}: cannot reach {config.base_url}: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    return None


def doctor_command(args: argparse.Namespace) -> int:
    config = load_config(flags={"target": args.target} if args.target else {}, config_file=args.config)
    with ExitStack() as stack:
        if config.target is None:
            from conformance.server.runner import ReferenceServer

            server = stack.enter_context(ReferenceServer())
            config = config.with_reference_server(server.base_url, server.app.agents_listing())
        try:
            config = with_discovered_addresses(with_named_agents(config))
        except StepFailed as failed:
            return _stopped(failed.line, failed.fix, failed.exit_code)
        path = args.config or (Path(DEFAULT_FILE) if Path(DEFAULT_FILE).exists() else None)
        return Doctor(config, file_text=path.read_text(encoding="utf-8") if path else "").examine()


def _stopped(line: str, fix: str, exit_code: int) -> int:
    print(f"FAIL  {line}\n      fix: {fix}")
    return exit_code
