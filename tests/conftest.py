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
