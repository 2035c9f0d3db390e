"""Where the project's own test suite spends its CPU: per test file, and the heaviest tests.

    python benchmarks/suite_cpu.py [PYTEST ARGS...]     (default: -n auto, as README.md runs it)

Runs pytest on ``tests/`` with a plugin that records, for each test, the CPU time of the worker
process and of the subprocesses it waited for (``resource.getrusage``: the selftest's forked runs,
the load's Locust processes; the CLI runs forked by tests/forked_cli.py count themselves), then
prints the wall time, the CPU time per file and the twenty heaviest tests. On a machine where the
suite is CPU-bound, CPU time is what a change must take away to make the suite faster: a shorter
wait only helps where the cores were idle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PLUGIN = """
import json, os, resource, sys
import pytest

def _cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    forked = sys.modules.get("forked_cli")  # the command line's calls, forked from a server process
    calls = forked.CHILD_CPU[0] if forked else 0.0
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + calls

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before = _cpu()
    yield
    with open(os.environ["GWS_CPU_RECORD"], "a") as record:
        record.write(json.dumps({"id": item.nodeid, "cpu": _cpu() - before}) + "\\n")
"""


def main() -> int:
    arguments = sys.argv[1:] or ["-n", "auto"]
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "cpu_per_test.py").write_text(PLUGIN)
        record = Path(folder) / "record.jsonl"
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "cpu_per_test", "-p", "no:cacheprovider", *arguments],
            cwd=root,
            env={**os.environ, "PYTHONPATH": folder, "GWS_CPU_RECORD": str(record)},
        )
        wall = time.perf_counter() - started
        rows = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    if not rows:
        print("no test ran: nothing measured", file=sys.stderr)
        return 1
    per_file: dict[str, float] = defaultdict(float)
    for row in rows:
        per_file[row["id"].split("::")[0]] += row["cpu"]
    total = sum(per_file.values())
    print(f"\n{len(rows)} tests, pytest exit {result.returncode}: {wall:.0f} s wall, {total:.0f} s CPU")
    for name, cpu in sorted(per_file.items(), key=lambda item: -item[1]):
        print(f"{cpu:8.1f} s  {cpu / total:5.1%}  {name}")
    print("the heaviest tests:")
    for row in sorted(rows, key=lambda r: -r["cpu"])[:20]:
        print(f"{row['cpu']:8.1f} s  {row['id']}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
