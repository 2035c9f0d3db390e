"""What the project's own tests share: running the command line as a user would."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path

import pytest

CliRunner = Callable[..., subprocess.CompletedProcess]


@pytest.fixture(scope="session")
def run_cli() -> CliRunner:
    """``run_cli("run", "--target", url, cwd=dir, env={...})``: gws-conformance in a subprocess."""

    def run(*arguments: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "conformance", *arguments],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )

    return run


def junit_verdicts(junit: Path) -> dict[str, str]:
    """check name -> passed | failure | error | skipped, from a JUnit report."""
    outcome = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcome[case.get("name")] = kinds[0] if kinds else "passed"
    return outcome


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest end-to-end tests first, the selftest's first of all: under xdist each worker
    starts on one of them instead of one starting last and running on alone (a run lasts as long
    as its last test)."""
    items.sort(key=lambda item: -_weight(item))


def _weight(item: pytest.Item) -> int:
    slow = item.get_closest_marker("slow")
    return 0 if slow is None else slow.kwargs.get("weight", 1)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """'-n auto': two workers per core. Most of these tests wait (on a server's answer, a deadline,
    a slow drip, a subprocess), so one per core leaves the cores half idle."""
    return 2 * (os.cpu_count() or 1)
