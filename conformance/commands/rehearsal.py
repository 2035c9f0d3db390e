"""What a run will judge with a configuration, before it runs: a rehearsal.

Which checks skip, and which MUST clauses no check would judge, depends on what the
configuration gives (the optional agents, the queue and its name, whether the source offers a
customer probe and Invited sessions): the checks decide it as they run (a
:class:`~conformance.engine.verdicts.NotApplicable` naming its key), so no table of "what each
check needs" is kept beside them. The rehearsal asks the checks themselves: the suite runs
against the built-in reference server, given the same agent roles, the same parts of the queue
and a source that offers what the configuration's offers (a probe, Invited sessions), and its
results say what skips with which key and what goes unjudged. What the target itself decides (a
capability it does not list, a refusal in the response instead of a notification) is not
foreseen: only what the configuration decides.
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

import httpx
import pytest
import tomlkit

from conformance.config import ENV_PREFIX, Config, QueueConfig
from conformance.engine.sessions import CHATTING, INVITED, provision
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


def _source(config: Config, base_url: str, originator: str) -> dict[str, object]:
    """The rehearsal's session source: the reference one (a probe, sessions of both states) where
    the configured source offers as much, else sessions made on the reference server and given as
    an existing source (no probe; Invited ones only where the configured source gives them)."""
    from conformance.commands.run import sessions_a_full_run_takes

    source = config.source
    if source.kind == "reference" or (source.kind == "command" and source.probe_command):
        return {"kind": "reference"}
    needed = sessions_a_full_run_takes()
    offers_invited = source.kind == "command" or bool(source.invited_session_ids)
    with httpx.Client(base_url=base_url) as client:

        def made(state: str, count: int) -> list[str]:
            return [str(provision(client, originator, state, number)["id"]) for number in range(1, count + 1)]

        return {
            "kind": "existing",
            "session_ids": made(CHATTING, needed[CHATTING]),
            "invited_session_ids": made(INVITED, needed[INVITED] if offers_invited else 0),
        }


def _toml(config: Config, source: dict[str, object]) -> str:
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
    document["source"] = source
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
        source = _source(config, server.base_url, shaped.agents["originator"].username)
        (Path(folder) / "rehearsal.toml").write_text(_toml(shaped, source), encoding="utf-8")
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
