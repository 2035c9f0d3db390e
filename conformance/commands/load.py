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

import httpx

from conformance.commands.serve import start_serve_process
from conformance.errors import EXIT_INCOMPLETE, EXIT_UNREACHABLE, UsageError
from conformance.load.results import MIN_CYCLES, REPORT_DIR, UNTIL_CYCLES
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
        "agents with their own CometD streams, created through the reference server's test-only API. "
        "Writes load.json and load.html; exits 1 when any violation or error was seen. Locust's options "
        "go after -- (e.g. -- --master --expect-workers 2, or -- --worker --master-host HOST).",
    )
    load.add_argument("--target", metavar="URL", help="a running reference server (default: start one)")
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


def _check_target(url: str) -> None:
    """The load run creates its agents and sessions through the reference server's test-only API."""
    try:
        answer = httpx.get(f"{url}/conformance/v1/agents", timeout=10)
    except httpx.HTTPError as exc:
        raise UsageError(f"--target {url}: cannot be reached ({exc})") from None
    if answer.status_code != 200:
        raise UsageError(
            f"--target {url}: no reference server test-only API there (HTTP {answer.status_code}); "
            "load creates its agents and sessions through it, so a real GWS is not supported yet"
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
    if args.target and args.fault:
        raise UsageError("--fault switches the started reference server: not with --target")
    server, url = (None, args.target.rstrip("/")) if args.target else start_serve_process(args.fault)
    try:
        if args.target:
            _check_target(url)
        env = {
            **os.environ,
            REPORT_DIR: str(args.report_dir),
            MIN_CYCLES: str(args.min_cycles),
            UNTIL_CYCLES: str(args.until_cycles),
        }
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
