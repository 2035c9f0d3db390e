"""The Locust side of ``gws-conformance load``: Locust loads this file (``-f``), in one process
or in a master and its workers.

Each simulated user (:class:`AgentPair`) is a pair of agents: one of the configured pairs
(``[[load.pairs]]``, or the configured originator and consultant) with sessions from the
configured source, or, against a reference server with no agents configured, two new agents from
its test-only API with sessions from the reference source. It logs both in (their own HTTP
sessions and CometD streams) and runs :func:`conformance.load.cycle.run_cycle` again and again on
fresh sessions. Every step is a Locust request (type ``SMS``, named by its operation, timed from
the POST to its last documented notification), so Locust's own statistics, percentiles and
distributed aggregation apply; every violation is collected, travels from the workers to the
master with Locust's worker reports, and the results are written when the run ends (local or
master): ``load.json`` and ``load.html`` in ``GWS_CONFORMANCE_LOAD_REPORT_DIR``. The run exits 1
when any violation was seen.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import gevent
import httpx
from locust import User, constant, events, task
from locust.env import Environment
from locust.runners import LocalRunner, MasterRunner, WorkerRunner

from conformance.client.agent import Agent, with_discovered_addresses
from conformance.client.rest import tls_options
from conformance.config import AgentConfig, Config, Secret, SourceConfig, load_config
from conformance.engine.observation import RoleTarget
from conformance.engine.sessions import ReferenceSource, SessionSource, make_source
from conformance.errors import EXIT_INCOMPLETE
from conformance.load.cycle import CYCLES, run_cycle
from conformance.load.results import LOAD_CONFIG, MIN_CYCLES, REPORT_DIR, UNTIL_CYCLES, Collector

COLLECTOR = Collector()
CONFIGURED = os.environ.get(LOAD_CONFIG)  # None: agents of the reference server's test-only API


class Pool:
    """Which configured pair each user of this process takes: pairs are dealt out across the
    workers (the master tells each how many there are) so that no two users share an agent. One
    session source per process, shared by its users (a command source runs one injection per agent
    at a time; an existing source hands each id out once)."""

    def __init__(self) -> None:
        self.workers = 1
        self.taken = 0
        self._source: SessionSource | None = None

    def next_index(self, worker_index: int = 0) -> int:
        index = worker_index + self.workers * self.taken
        self.taken += 1
        return index

    def source(self, config: Config) -> SessionSource:
        self._source = self._source or make_source(config)
        return self._source


POOL = Pool()
# Set by the command before Locust starts.
UNTIL = int(os.environ.get(UNTIL_CYCLES, "0"))
MINIMUM = int(os.environ.get(MIN_CYCLES, "1"))


class AgentPair(User):
    """An originator and its consultant, cycling sessions as fast as the server answers."""

    wait_time = constant(0)

    def on_start(self) -> None:
        if CONFIGURED is not None:
            self._configured(CONFIGURED)
            return
        config = load_config(flags={"target": self.host})
        with httpx.Client(
            base_url=config.target or "", timeout=config.http_timeout, **tls_options(config.tls)
        ) as test_api:
            accounts = {role: test_api.post("/conformance/v1/agents").json() for role in ("originator", "consultant")}
        config = replace(
            config,
            source=SourceConfig("reference"),
            agents={
                role: AgentConfig(
                    role, a["username"], Secret(a["password"]), a["nickname"], a["userUri"], a["userPath"]
                )
                for role, a in accounts.items()
            },
        )
        self.deadline = config.deadline
        self.target = {"targetUri": accounts["consultant"]["userUri"]}
        self.source: SessionSource = ReferenceSource(config)
        self.agents = {role: Agent(config, role).login() for role in accounts}

    def _configured(self, config_file: str) -> None:
        """This user's agent pair from the configuration, and sessions from its source."""
        config = load_config(flags={"target": self.host}, config_file=Path(config_file) if config_file else None)
        pairs = config.load_pairs or ((config.agents["originator"], config.agents["consultant"]),)
        runner = self.environment.runner
        index = POOL.next_index(runner.worker_index if isinstance(runner, WorkerRunner) else 0)
        if index >= len(pairs):
            raise RuntimeError(f"user {index + 1}: only {len(pairs)} agent pair(s) configured ([[load.pairs]])")
        originator, consultant = pairs[index]
        config = with_discovered_addresses(replace(config, agents={"originator": originator, "consultant": consultant}))
        self.deadline = config.deadline
        self.target = RoleTarget.of(config.agents["consultant"]).as_params()
        self.source = POOL.source(config)
        self.agents = {role: Agent(config, role).login() for role in ("originator", "consultant")}

    @task(3)
    def consult_cycle(self) -> None:
        self._run("consult")

    @task(1)
    def transfer_cycle(self) -> None:
        self._run("transfer")

    def _run(self, kind: str) -> None:
        COLLECTOR.holding(+1)
        progress: list[str] = []
        try:
            samples, violations = run_cycle(
                self.agents,
                self.target,
                lambda agent: self.source.new_session(agent).id,
                self.deadline,
                CYCLES[kind],
                progress,
            )
        except gevent.GreenletExit:  # stopped by the end of the run, past --stop-timeout: counted, not dropped
            COLLECTOR.unfinish(kind, progress[-1] if progress else "a new session")
            raise
        except Exception as exc:  # counted here, and raised for Locust, which then exits non-zero
            COLLECTOR.error(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            COLLECTOR.holding(-1)
        for sample in samples:
            self.environment.events.request.fire(
                request_type="SMS",
                name=sample.operation,
                response_time=sample.latency_ms,
                response_length=0,
                exception=None if sample.ok else AssertionError("conformance violation"),
                context={},
            )
        COLLECTOR.add(kind, samples, violations)
        if isinstance(self.environment.runner, LocalRunner) and COLLECTOR.reached(UNTIL):
            # Counted, not timed: the run time stays a cap. Quit from a greenlet of its own: stopping
            # the users kills this one, which must not be the one quitting. (Distributed: the master
            # counts what its workers report, below.)
            gevent.spawn(self.environment.runner.quit)

    def on_stop(self) -> None:
        for agent in getattr(self, "agents", {}).values():
            agent.logout()


@events.test_start.add_listener
def _started(environment: Environment, **kwargs: Any) -> None:
    COLLECTOR.started = time.time()
    if isinstance(environment.runner, MasterRunner):  # before the users are spawned on the workers
        environment.runner.send_message(WORKERS_MESSAGE, {"workers": environment.runner.worker_count})


WORKERS_MESSAGE = "gws-conformance-workers"


@events.init.add_listener
def _on_init(environment: Environment, **kwargs: Any) -> None:
    if isinstance(environment.runner, MasterRunner):
        MASTER.append(environment.runner)
    if isinstance(environment.runner, WorkerRunner):

        def told(environment: Environment, msg: Any, **kwargs: Any) -> None:
            POOL.workers = int(msg.data["workers"])

        environment.runner.register_message(WORKERS_MESSAGE, told)


@events.report_to_master.add_listener
def _send_to_master(client_id: str, data: dict[str, Any], **kwargs: Any) -> None:
    data["gws_conformance"] = COLLECTOR.drain()


@events.worker_report.add_listener
def _received_from_worker(client_id: str, data: dict[str, Any], **kwargs: Any) -> None:
    COLLECTOR.merge(data.get("gws_conformance"), client_id)
    if MASTER and COLLECTOR.reached(UNTIL):  # --until-cycles, counted over every worker
        gevent.spawn(MASTER[0].quit)


MASTER: list[MasterRunner] = []  # this process's master runner, in distributed mode


@events.quitting.add_listener
def _write_results(environment: Environment, **kwargs: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    report_dir = Path(os.environ.get(REPORT_DIR, "reports"))
    results = COLLECTOR.results(environment)
    COLLECTOR.write(results, report_dir)
    if results["violations"]["total"]:
        environment.process_exit_code = 1
    elif COLLECTOR.short_of(MINIMUM):
        environment.process_exit_code = EXIT_INCOMPLETE  # judged too little to be green
