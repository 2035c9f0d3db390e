"""Opening a conformance run: configuration, target, agents and session source, in that order.

Used by the plugin's ``gws`` fixture. Failures here are not conformance failures: the fixture
turns a bad configuration into exit 2 and an unreachable target into exit 3, each with one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from conformance.client.agent import Agent, with_discovered_addresses
from conformance.client.rest import Breaker, TargetUnreachable, get_bounded, tls_options
from conformance.config import Config, load_config
from conformance.engine.context import Conformance, LiveTarget
from conformance.engine.observation import RoleTarget
from conformance.engine.recording import Recorder
from conformance.engine.sessions import SessionSource, make_source
from conformance.engine.stage import Calibration, calibrate
from conformance.engine.verdicts import NotApplicable
from conformance.errors import ConfigError

# The roles every run logs in before the first check; others ("no_feature", ...) on demand.
STANDING_ROLES = ("originator", "consultant")


def config_from_flags(flags: Mapping[str, Any], config_file: str | Path | None) -> Config:
    """The run's configuration: ``flags`` (configuration key -> value, from the options table)
    over the environment over the file over the defaults."""
    return load_config(flags=flags, config_file=Path(config_file) if config_file else None)


def reference_agents(config: Config) -> dict:
    """The agents a reference server (started elsewhere with ``gws-conformance serve``) lists."""
    url = f"{config.base_url}/conformance/v1/agents"
    try:
        with httpx.Client(timeout=config.http_timeout, **tls_options(config.tls)) as http:
            status, body = get_bounded(http, url, timeout=config.http_timeout, max_bytes=config.max_body_bytes)
    except httpx.TransportError as exc:
        raise TargetUnreachable(f"GET {url}: {type(exc).__name__}: {exc}") from None
    configure = "configure [agents] and a [source] for it"
    if status != 200:
        raise ConfigError(f"{url} answered HTTP {status}: the target is not a reference server; {configure}")
    try:
        listing = json.loads(body)
    except ValueError:
        raise ConfigError(f"{url} answered no JSON: the target is not a reference server; {configure}") from None
    agents = listing.get("agents") if isinstance(listing, dict) else None
    fields = ("username", "password", "nickname", "userUri", "userPath")
    if not isinstance(agents, list) or not all(
        isinstance(a, dict) and all(isinstance(a.get(f), str) for f in fields) for a in agents
    ):
        raise ConfigError(
            f"{url} answered no agent list (each agent with {', '.join(fields)}): the target is not a reference "
            f"server; {configure}"
        )
    return listing


@contextmanager
def open_run(config: Config, faults: Sequence[str], recorder: Recorder) -> Iterator[Conformance]:
    """The target (the built-in reference server, with ``faults``, when none is configured), the
    standing agents logged in, the session source, and the run's calibration."""
    if config.target is not None and faults:
        raise ConfigError("--fault switches faults of the built-in reference server; it cannot go with a target")
    with ExitStack() as stack:
        if config.target is None:
            from conformance.server.app import ServerSettings
            from conformance.server.runner import ReferenceServer

            # The notifications-delayed fault holds notifications back just past this run's deadline.
            settings = ServerSettings(delay_seconds=config.deadline + 0.5)
            server = stack.enter_context(ReferenceServer(faults=faults, settings=settings))
            config = config.with_reference_server(server.base_url, server.app.agents_listing())
        elif config.source.kind == "reference" and not config.agents:
            config = config.with_reference_server(config.base_url, reference_agents(config))
        else:
            config = with_discovered_addresses(config)

        breaker = Breaker()  # one for the run: a kind of request the target cannot answer fails at once later

        # Every other configured agent is built here, in the main thread, and only logged in when a
        # scenario first needs it: building one makes its HTTP client, which reads the environment
        # (proxy settings), and pytest sets and removes PYTEST_CURRENT_TEST there around each test
        # phase, so a scenario thread building one then could find a key gone (a KeyError seen in CI).
        spares = {role: Agent(config, role, breaker) for role in config.agents if role not in STANDING_ROLES}
        for spare in spares.values():
            stack.callback(spare.rest.close)  # closing twice is harmless: a logged-in one closes at logout too

        def make_agent(role: str) -> Agent:
            agent = spares.pop(role) if role in spares else Agent(config, role, breaker)
            return stack.enter_context(agent)

        agents = log_in(STANDING_ROLES, lambda role: Agent(config, role, breaker), stack)
        source = make_source(config)
        live = LiveTarget(config, agents, source, make_agent)
        yield Conformance(recorder, measure(config, agents, source), config.deadline, live)


def log_in(roles: tuple[str, ...], make: Callable[[str], Agent], stack: ExitStack) -> dict[str, Agent]:
    """The standing agents, logged in at the same time (each login is several round trips); each
    logged-out when the run ends, also when another's login failed."""
    agents = {role: make(role) for role in roles}
    with ThreadPoolExecutor(max_workers=len(roles)) as pool:
        logins = {role: pool.submit(agent.__enter__) for role, agent in agents.items()}
    failures = [error for future in logins.values() if (error := future.exception()) is not None]
    for role, future in logins.items():
        if future.exception() is None:
            stack.push(agents[role].__exit__)
    if failures:
        raise failures[0]
    return agents


# Sessions the calibration takes from the source (a Chatting one, with observation = "auto").
CALIBRATION_SESSIONS = 1


def measure(config: Config, agents: dict[str, Agent], source: SessionSource) -> Calibration:
    """The run's calibration (conformance.engine.stage), on a session of its own from the source;
    with ``observation`` set to markers or quiet, nothing is measured."""
    if config.observation != "auto":
        return Calibration(
            config.observation == "markers",
            config.observation == "markers",
            config.quiet_window,
            config.observation,
            "set by the configuration",
        )
    target = RoleTarget.of(agents["consultant"].account).as_params()
    try:
        handle = source.new_session(agents["originator"])
    except NotApplicable as exc:  # an existing source with no session left
        return Calibration(
            False,
            False,
            config.quiet_window,
            note=f"no session to calibrate on ({exc.reason}): quiet windows everywhere",
        )
    try:
        return calibrate(
            agents["originator"],
            agents["consultant"],
            handle.id,
            target,
            deadline=config.deadline,
            quiet_window=config.quiet_window,
        )
    except TargetUnreachable as exc:  # every scenario errors with this cause, and the reports are written
        return Calibration(False, None, config.quiet_window, note=f"the target could not answer: {exc}", silent=True)
