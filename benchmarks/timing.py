"""One timed ``gws-conformance run`` in a subprocess, for the benchmark scripts beside this file."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class TimedRun:
    seconds: float
    exit_code: int
    verdicts: dict[str, str]  # check id -> verdict, from results.json
    tail: str  # the end of the run's output, for a failure report


def timed_run(arguments: list[str], env: dict[str, str] | None = None) -> TimedRun:
    """``gws-conformance run ARGUMENTS`` (with ``env`` added) with its reports in a temporary folder."""
    with tempfile.TemporaryDirectory() as reports:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--report-dir", reports, *arguments],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
        seconds = time.perf_counter() - started
        results = Path(reports) / "results.json"
        verdicts = (
            {c["id"]: c["verdict"] for c in json.loads(results.read_text())["checks"]} if results.exists() else {}
        )
    return TimedRun(seconds, result.returncode, verdicts, (result.stdout + result.stderr)[-2000:])


def spread(times: list[float]) -> str:
    return f"{min(times):7.2f} {statistics.median(times):7.2f} {max(times):7.2f}"
