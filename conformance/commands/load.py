"""``gws-conformance load``: the load run on Locust, from the command line.

Locust runs in its own process (``python -m locust -f conformance/load/locustfile.py``): it
monkey-patches the standard library for gevent, which the CLI, the reference server and pytest
must not see. Locust's own options after ``--`` pass through unchanged, so a run spreads over
several machines with Locust's distributed mode::

    gws-conformance load --target URL --users 500 -- --master --expect-workers 2
    gws-conformance load --target URL -- --worker --master-host HOST      # on each worker machine
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conformance import options
from conformance.client.rest import TargetUnreachable
from conformance.commands.doctor import Doctor, log_in_each, preflight
from conformance.commands.serve import start_serve_process
from conformance.config import AgentConfig, Config, load_config
from conformance.engine.opening import reference_agents
from conformance.errors import EXIT_INCOMPLETE, EXIT_UNREACHABLE, ConfigError, UsageError
from conformance.load.results import LOAD_CONFIG, MIN_CYCLES, REPORT_DIR, UNTIL_CYCLES
from conformance.options import positive_number
from conformance.spec.clauses import BY_ID

LOCUSTFILE = Path(__file__).parents[1] / "load" / "locustfile.py"


def register(subparsers: argparse._SubParsersAction) -> None:
    load = subparsers.add_parser(
        "load",
        help="conformance under load: Locust users cycling SMS sessions, every step judged",
        description="Run SMS sessions through Consult, SendMessage, Leave and Complete (or Consult, Transfer and "
        "Complete) again and again from many simulated users at once (Locust), each step judged as the "
        "conformance run judges it (documented order, referenceId, schemas). Each user is a pair of "
        "agents with their own CometD streams: the configuration's [[load.pairs]] (or its originator and "
        "consultant) and sessions from its [source], or, against a reference server with no agents "
        "configured, agents created through its test-only API. "
        "Writes load.json and load.html; exits 1 when any violation or error was seen. Locust's options "
        "go after -- (e.g. -- --master --expect-workers 2, or -- --worker --master-host HOST).",
    )
    load.add_argument(
        "--target",
        metavar="URL",
        help="the GWS to load (default: the configuration's target; none: start a reference server)",
    )
    options.CONFIG.add_to_cli(load)
    load.add_argument(
        "--users",
        type=int,
        default=50,
        metavar="N",
        help="simulated users (agent pairs), each holding one session at a time (default 50)",
    )
    load.add_argument("--spawn-rate", type=float, metavar="N", help="users started per second (default: all at once)")
    load.add_argument(
        "--stop-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="when the time is up, cycles under way get this long to finish and be judged; those still "
        "running then are counted unfinished, with the step they were in (default 10)",
    )
    load.add_argument(
        "--max-time",
        type=positive_number,
        default=30.0,
        metavar="SECONDS",
        help="how long the load lasts (default 30); with --until-cycles, a cap",
    )
    load.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="with no --target: switch on a fault or variation of the started reference server",
    )
    load.add_argument(
        "--min-cycles",
        type=int,
        default=1,
        metavar="N",
        help="the fewest completed cycles of each kind (consult, transfer) the load must judge; "
        "fewer when it ends: exit 4, never 0 (default 1)",
    )
    load.add_argument(
        "--until-cycles",
        type=int,
        default=0,
        metavar="N",
        help="stop once every kind completed N cycles (--max-time stays a cap); for tests that must not "
        "depend on the machine's speed (default: --max-time alone)",
    )
    load.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where load.json and load.html go (default reports/)",
    )
    load.add_argument("locust_args", nargs="*", metavar="-- LOCUST_ARGS", help="passed to Locust unchanged")
    load.set_defaults(handler=run_load)


def _has_test_api(config: Config) -> bool:
    """Whether the target is a reference server whose test-only API can create agents and sessions."""
    try:
        reference_agents(config)
    except (TargetUnreachable, ConfigError):
        return False
    return True


def load_mode(config: Config) -> tuple[tuple[tuple[AgentConfig, AgentConfig], ...], str]:
    """The agent pairs a load takes from the configuration (none: a reference server's test-only
    API creates them), and a word on where they come from."""
    if config.load_pairs:
        return config.load_pairs, "[[load.pairs]]"
    originator, consultant = config.agent("originator"), config.agent("consultant")
    if originator is not None and consultant is not None:
        return ((originator, consultant),), "[agents] originator and consultant"
    if _has_test_api(config):
        return (), "the reference server's test-only API"
    raise UsageError(
        f"{config.base_url}: no agent pairs configured ([[load.pairs]], or [agents.originator] and "
        "[agents.consultant]) and no reference server test-only API there to create them"
    )


def locust_command(args: argparse.Namespace, url: str) -> list[str]:
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", url, "--loglevel", "WARNING"]
    if "--worker" not in args.locust_args:  # a worker takes users and duration from its master
        command += [
            "--headless",
            "--only-summary",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate or args.users),
            "--run-time",
            f"{args.max_time:g}s",
        ]
    return [*command, "--stop-timeout", f"{args.stop_timeout:g}", *args.locust_args]


def run_load(args: argparse.Namespace) -> int:
    if args.users < 1:
        raise UsageError("--users must be at least 1")
    if args.stop_timeout < 0:
        raise UsageError("--stop-timeout must be 0 or more")
    if args.min_cycles < 0 or args.until_cycles < 0:
        raise UsageError("--min-cycles and --until-cycles must be 0 or more")
    config = load_config(flags={"target": args.target}, config_file=args.config)
    if config.target is not None and args.fault:
        raise UsageError("--fault switches the started reference server: not with a target")
    worker = "--worker" in args.locust_args
    env = {
        **os.environ,
        REPORT_DIR: str(args.report_dir),
        MIN_CYCLES: str(args.min_cycles),
        UNTIL_CYCLES: str(args.until_cycles),
    }
    server = None
    if config.target is None:
        server, url = start_serve_process(args.fault)
    else:
        url = config.base_url
        # As run's preflight: the target answers (else one line, exit 3), then every agent of
        # every pair logs in and may use the SMS API (else one line naming it, exit 2).
        stop = preflight("gws-conformance load", config, Doctor(config, out=lambda line: None).reachable)
        if stop is not None:
            return stop
        pairs, where = load_mode(config)
        if pairs:
            _check_pairs(config, pairs, where, args.users, worker)
            accounts = [account for pair in pairs for account in pair]
            stop = preflight("gws-conformance load", config, lambda: log_in_each(config, accounts))
            if stop is not None:
                return stop
            env[LOAD_CONFIG] = str(args.config.resolve()) if args.config else ""
    try:
        code = subprocess.run(locust_command(args, url), env=env).returncode
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    results = args.report_dir / "load.json"
    if "--worker" in args.locust_args:
        return code
    if not results.exists():
        print(f"gws-conformance load: Locust ended (exit {code}) without results", file=sys.stderr)
        return code or EXIT_UNREACHABLE
    summary = json.loads(results.read_text())
    for line in violation_lines(summary["violations"]["by_clause"]):
        print(line)
    print(
        f"gws-conformance load: {summary['cycles']} cycles ("
        + ", ".join(f"{kind} {n}" for kind, n in summary["cycles_by_kind"].items())
        + f") by {summary['users']} users in {summary['duration_s']} s, "
        f"at most {summary['peak_sessions']} sessions at once; {summary['violations']['total']} violation(s), "
        f"{summary['errors']['total']} error(s), {_unfinished(summary)}; "
        f"reports: {results}, {args.report_dir / 'load.html'}; exit {code}"
    )
    if code == EXIT_INCOMPLETE:
        print(
            f"gws-conformance load: fewer than {args.min_cycles} completed cycles of a kind were judged: "
            "not green (a longer --max-time, or fewer --min-cycles)",
            file=sys.stderr,
        )
    return code


def _check_pairs(
    config: Config, pairs: tuple[tuple[AgentConfig, AgentConfig], ...], where: str, users: int, worker: bool
) -> None:
    if config.source.kind == "reference":
        raise UsageError(
            '[source] kind: a load with configured agents takes its sessions from a command (kind = "command", '
            "with {agent} for the agent the SMS must reach) or existing session ids"
        )
    if config.source.kind == "existing" and len(pairs) > 1:
        raise UsageError("[source] kind existing: its sessions are routed to one originator, so one agent pair only")
    if users > len(pairs) and not worker:
        raise UsageError(f"--users {users}: {len(pairs)} agent pair(s) configured ({where}); each user needs its own")


def _unfinished(summary: dict[str, Any]) -> str:
    unfinished = summary.get("unfinished") or {"total": 0, "by_step": []}
    steps = ", ".join(f"{u['kind']} at {u['step']} {u['count']}" for u in unfinished["by_step"][:4])
    return f"{unfinished['total']} unfinished" + (f" ({steps})" if steps else "")


SHOWN_VIOLATIONS = 5  # kinds of violation named on the console; load.html lists them all


def violation_lines(by_clause: list[dict[str, Any]]) -> list[str]:
    """One line per clause and kind of violation, as ``run``'s console names a failure: the clause,
    its level, the kind, how many, and the transcript keys of the first ones (in load.json)."""
    lines = []
    for v in by_clause[:SHOWN_VIOLATIONS]:
        known = BY_ID.get(v["clause"])
        level = f" [{known.level.value}]" if known else ""
        keys = [key for first in v["first"][:2] for key in first.get("transcript", [])[:1]]
        detail = v["first"][0]["detail"] if v["first"] else ""
        lines.append(
            f"VIOLATION  {v['clause']}{level} {v['kind']} ×{v['count']}: {detail}"
            + (f" (transcript {', '.join(keys)})" if keys else "")
        )
    if len(by_clause) > SHOWN_VIOLATIONS:
        lines.append(f"... and {len(by_clause) - SHOWN_VIOLATIONS} more kinds of violation in load.html")
    return lines
