"""Flake probe: the full suite N times against the correct reference server, counting false failures.

    python benchmarks/flake_probe.py [--runs N]

Three modes, N runs each (default 50): plain, under xdist (``-n 2``), and with delivery jitter
(the ``jitter`` variation: each notification 0-50 ms late, in order). A correct server must pass
every check of every run: any other verdict is a false failure. Prints, per mode, the false
failures and the wall time min / median / max (process start included); exits 1 if any.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from timing import spread, timed_run

MODES = (("plain", []), ("-n 2", ["--", "-n", "2"]), ("jitter", ["--", "--gws-fault", "jitter"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs per mode (default 50)")
    runs = parser.parse_args().runs
    print(f"{'mode':<8} {'runs':>5} {'false failures':>15} {'min':>7} {'median':>7} {'max':>7}   (seconds)")
    total = 0
    for label, arguments in MODES:
        times, false_failures = [], Counter()
        for _ in range(runs):
            run = timed_run(arguments)
            times.append(run.seconds)
            wrong = {c: v for c, v in run.verdicts.items() if v != "pass"}
            if run.exit_code != 0 or not run.verdicts or wrong:
                false_failures.update(wrong.keys() or ["(the run itself)"])
                print(f"  false failure ({label}): exit {run.exit_code} {wrong or run.tail}", file=sys.stderr)
        total += sum(false_failures.values())
        print(f"{label:<8} {runs:>5} {sum(false_failures.values()):>15} {spread(times)}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
