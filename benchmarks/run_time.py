"""Wall time of a full conformance run against the built-in reference server.

    python benchmarks/run_time.py [--runs N]

Runs ``gws-conformance run`` N times (default 5) with the default deadline, with ``--deadline 2``
and with ``--deadline 30``, and prints min / median / max seconds for each. Against a correct
server no check waits out a deadline, so the three rows should be nearly equal. Then the same
with no echo of an agent's own messages (the originator's stream on quiet windows), with every
stream on quiet windows (``observation = quiet``), and that with concurrency 1: what quiet windows
cost, and what running scenarios at the same time saves.
"""

from __future__ import annotations

import argparse
import sys

from timing import spread, timed_run


def wall_times(extra: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        run = timed_run(extra, env)
        if run.exit_code != 0:
            sys.exit(f"run {' '.join(extra)} exited {run.exit_code}:\n{run.tail}")
        times.append(run.seconds)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"{'run':<30} {'min':>7} {'median':>7} {'max':>7}   ({runs} runs each, seconds, process start included)")
    for label, extra, env in (
        ("default (10 s)", [], {}),
        ("--deadline 2", ["--deadline", "2"], {}),
        ("--deadline 30", ["--deadline", "30"], {}),
        ("no-echo-to-sender", ["--", "--gws-fault", "no-echo-to-sender"], {}),
        ("observation = quiet", [], {"GWS_CONFORMANCE_OBSERVATION": "quiet"}),
        (
            "observation = quiet, concurrency 1",
            [],
            {"GWS_CONFORMANCE_OBSERVATION": "quiet", "GWS_CONFORMANCE_CONCURRENCY": "1"},
        ),
    ):
        times = wall_times(extra, runs, env)
        print(f"{label:<30} {spread(times)}")


if __name__ == "__main__":
    main()
