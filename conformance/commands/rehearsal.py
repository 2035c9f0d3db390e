"""What a run will judge with a configuration, before it runs: a rehearsal.

Which checks skip, and which MUST clauses no check would judge, depends on what the
configuration gives (the optional agents, the queue and its name): the checks decide it as they
run (a :class:`~conformance.engine.verdicts.NotApplicable` naming its key), so no table of "what
each check needs" is kept beside them. The rehearsal asks the checks themselves: the suite runs
against the built-in reference server, given the same agent roles and the same parts of the
queue as the configuration, and its results say what skips with which key and what goes
unjudged. What the target itself decides (a capability it does not list, a refusal in the
response instead of a notification) is not foreseen: only what the configuration decides.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit

from conformance.config import ENV_PREFIX, Config, QueueConfig
from conformance.report.results import load_results


@dataclass(frozen=True)
class Rehearsal:
    checks: int
    judged: int  # checks that passed, failed or warned (not skipped, not errored)
    skipped: Counter[str]  # configuration key -> checks that skip without it
    must_clauses: int
    unjudged_must: list[str]  # MUST clauses no check would judge


def _shaped(config: Config, reference: Config) -> Config:
    """The reference server's configuration with only the roles and queue parts ``config`` has."""
    agents = {role: account for role, account in reference.agents.items() if role in config.agents}
    queue = None
    if config.queue is not None and reference.queue is not None:
        mine, theirs = config.queue, reference.queue
        queue = QueueConfig(
            theirs.uri if mine.uri else "",
            theirs.path if mine.path else "",
            theirs.name if mine.name else "",
            tuple(m for m in mine.members if m in agents),
        )
    return dataclasses.replace(reference, agents=agents, queue=queue)


def _toml(config: Config) -> str:
    document = tomlkit.document()
    document["target"] = config.base_url
    document["deadline"] = config.deadline
    agents = tomlkit.table(is_super_table=True)
    for role, account in config.agents.items():
        agents[role] = {
            "username": account.username,
            "password": account.password.value,
            "uri": account.uri,
            "path": account.path,
        }
    document["agents"] = agents
    if config.queue is not None:
        queue = config.queue
        document["queue"] = {
            key: value for key, value in (("uri", queue.uri), ("path", queue.path), ("name", queue.name)) if value
        } | {"members": list(queue.members)}
    document["source"] = {"kind": "reference"}
    return tomlkit.dumps(document)


@contextmanager
def _without_environment_settings() -> Iterator[None]:
    """The user's GWS_CONFORMANCE_* variables (a target, a source) would outrank the rehearsal's
    file: set aside while it runs."""
    saved = {name: value for name, value in os.environ.items() if name.startswith(ENV_PREFIX)}
    for name in saved:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(saved)


def rehearse(config: Config) -> Rehearsal:
    """The suite against the built-in reference server in the shape of ``config``."""
    from conformance.commands.run import SUITE_ARGUMENTS
    from conformance.server.runner import ReferenceServer

    with (
        ReferenceServer() as server,
        tempfile.TemporaryDirectory(prefix="gws-rehearsal-") as folder,
        _without_environment_settings(),
    ):
        reference = config.with_reference_server(server.base_url, server.app.agents_listing())
        shaped = _shaped(config, reference)
        (Path(folder) / "rehearsal.toml").write_text(_toml(shaped), encoding="utf-8")
        results = Path(folder) / "results.json"
        pytest.main(
            [
                *SUITE_ARGUMENTS,
                "-p",
                "no:terminal",
                f"--gws-config={Path(folder) / 'rehearsal.toml'}",
                f"--gws-results={results}",
            ]
        )
        document = load_results(results)
    checks = document["checks"]
    must = document["coverage"].get("MUST", {"clauses": 0, "unjudged": []})
    return Rehearsal(
        checks=len(checks),
        judged=sum(c["verdict"] in ("pass", "fail", "warn") for c in checks),
        skipped=Counter(c.get("skip_key") or "(no key)" for c in checks if c["verdict"] == "skip"),
        must_clauses=must["clauses"],
        unjudged_must=list(must["unjudged"]),
    )
