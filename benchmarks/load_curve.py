"""Throughput of the reference server under ``gws-conformance load``, and the CPU share of schema
validation in the load generator.

    python benchmarks/load_curve.py [--users 25 50 100 200 500] [--max-time 15] [--workers 2]

For each user count: one load run against a fresh reference server with a master and
``--workers`` Locust workers on this machine (0: one process), printing cycles per second,
requests per second, the latency percentiles of Consult (POST to its second notification), the
most sessions held at once, the violations and the reference server's CPU use (100%: one core
busy: where it stops, the server is the limit; below it, the load generator is). Then one
single-process run under cProfile, and the share of its CPU time spent in
``conformance.spec.schemas.validate`` (jsonschema), the share a faster validator could save.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.commands.serve import start_serve_process

LOAD = [sys.executable, "-m", "conformance", "load"]


def _port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(users: int, max_time: str, workers: int, report_dir: Path) -> dict:
    """The run's load.json, with the reference server's CPU use added (``server_cpu``: cores busy)."""
    server, url = start_serve_process()
    before, began = _cpu_seconds(server.pid), time.monotonic()
    try:
        base = [*LOAD, "--target", url]
        if workers == 0:
            subprocess.run(
                [*base, "--users", str(users), "--max-time", max_time, "--report-dir", str(report_dir)],
                capture_output=True,
                check=False,
            )
        else:
            port = _port()
            started = [
                subprocess.Popen(
                    [*base, "--report-dir", str(report_dir / f"w{n}"), "--", "--worker", "--master-port", port],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for n in range(workers)
            ]
            subprocess.run(
                [
                    *base,
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(min(users, 250)),
                    "--max-time",
                    max_time,
                    "--report-dir",
                    str(report_dir),
                    "--",
                    "--master",
                    "--master-bind-port",
                    port,
                    "--expect-workers",
                    str(workers),
                ],
                capture_output=True,
                check=False,
            )
            for worker in started:
                worker.wait(timeout=60)
        busy = (_cpu_seconds(server.pid) - before) / (time.monotonic() - began)
        return {**json.loads((report_dir / "load.json").read_text()), "server_cpu": busy}
    finally:
        server.terminate()
        server.wait(timeout=10)


def validator_share(users: int, max_time: str, work: Path) -> float:
    server, url = start_serve_process()
    try:
        profile = work / "load.prof"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cProfile",
                "-o",
                str(profile),
                "-m",
                "locust",
                "-f",
                str(Path(__file__).parents[1] / "conformance" / "load" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--max-time",
                max_time,
                "--host",
                url,
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            capture_output=True,
            check=False,
            env={**os.environ, "GWS_CONFORMANCE_LOAD_REPORT_DIR": str(work / "profiled")},
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    stats = pstats.Stats(str(profile)).stats
    total = sum(tottime for _, _, tottime, _, _ in stats.values())
    validate = sum(
        cumtime
        for (file, _, name), (_, _, _, cumtime, _) in stats.items()
        if file.endswith("conformance/spec/schemas.py") and name == "validate"
    )
    return validate / total if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[25, 50, 100, 200, 500])
    parser.add_argument("--max-time", default="15", metavar="SECONDS")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(
        f"{'users':>6} {'cycles/s':>9} {'req/s':>7} {'Consult p50':>12} {'p95':>6} {'p99':>6} {'max':>6} "
        f"{'sessions':>9} {'violations':>11} {'server CPU':>11}"
        f"   ({args.workers or 'no'} workers, {args.max_time} each)"
    )
    with tempfile.TemporaryDirectory() as work:
        for users in args.users:
            results = one_run(users, args.max_time, args.workers, Path(work) / f"u{users}")
            consult = next(o for o in results["operations"] if o["operation"] == "Consult")["latency_ms"]
            requests = sum(o["requests_per_second"] for o in results["operations"])
            print(
                f"{users:>6} {results['cycles'] / results['duration_s']:>9.1f} {requests:>7.1f} "
                f"{consult['p50']:>12.0f} {consult['p95']:>6.0f} {consult['p99']:>6.0f} {consult['max']:>6.0f} "
                f"{results['peak_sessions']:>9} {results['violations']['total']:>11} "
                f"{results['server_cpu']:>10.0%}"
            )
        share = validator_share(100, "10s", Path(work))
        print(f"schema validation: {share:.1%} of the load generator's CPU time (one process, 100 users, 10 s)")


if __name__ == "__main__":
    main()
