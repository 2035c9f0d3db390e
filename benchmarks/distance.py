"""How the run's time grows with the distance to the target, and what running scenarios at the
same time saves.

    python benchmarks/distance.py [--runs N] [--delay SECONDS]

The default run against the reference server through benchmarks/latency_proxy.py with no delay
(T0) and with ``--delay`` added to every exchange (default 50 ms: T50), for several values of the
``concurrency`` setting; prints the median wall time of N runs (default 3, process start
included) and T50 / T0 per row.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from latency_proxy import ProxyServer
from timing import timed_run

from conformance.server.runner import ReferenceServer

CONCURRENCY = (1, 2, 4, 8, 16)


def median_time(target: str, concurrency: int, runs: int) -> float:
    times = []
    for _ in range(runs):
        run = timed_run(["--target", target], {"GWS_CONFORMANCE_CONCURRENCY": str(concurrency)})
        if run.exit_code != 0:
            sys.exit(f"run through the proxy exited {run.exit_code}:\n{run.tail}")
        times.append(run.seconds)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args()
    print(
        f"{'concurrency':>11} {'T0 s':>7} {f'T{args.delay * 1000:g} s':>8} {'ratio':>6}   (median of {args.runs}, "
        "process start included)"
    )
    with (
        ReferenceServer() as server,
        ProxyServer(server.base_url, 0) as near,
        ProxyServer(server.base_url, args.delay) as far,
    ):
        for concurrency in CONCURRENCY:
            t0 = median_time(near.base_url, concurrency, args.runs)
            t50 = median_time(far.base_url, concurrency, args.runs)
            print(f"{concurrency:>11} {t0:7.2f} {t50:8.2f} {t50 / t0:6.2f}", flush=True)


if __name__ == "__main__":
    main()
