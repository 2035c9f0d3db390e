"""What the project's own tests share: running the command line as a user would."""

import os
import pickle
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any

import filelock
import forked_cli
import pytest

CliRunner = Callable[..., subprocess.CompletedProcess]
MadeOnce = Callable[[str, Callable[[Path], Any]], Any]


@pytest.fixture(scope="session")
def run_cli() -> CliRunner:
    """``run_cli("run", "--target", url, cwd=dir, env={...})``: gws-conformance in a process of its
    own (forked, tests/forked_cli.py), with this process's environment and ``env`` over it."""

    def run(*arguments: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
        return forked_cli.run(list(arguments), cwd, environment, timeout=600)

    return run


@pytest.fixture(scope="session")
def made_once(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> MadeOnce:
    """``made_once(name, make)``: ``make(folder)`` called once in the whole test run, whichever
    xdist worker asks first; the others wait for it and get its (pickled) value and the same
    folder. For what several tests share and costs a whole run of the suite to make: as a module
    fixture alone, each worker that runs one of those tests would make it again (xdist's
    ``--dist loadgroup``, which would keep them on one worker, no longer groups under pytest 9.2).
    A ``make`` that raised leaves nothing behind: the next test to ask makes it again, and sees why."""
    # an xdist worker's base temp lies in the run's own folder, shared by its workers; else it is the run's
    worker = hasattr(pytestconfig, "workerinput")
    root = tmp_path_factory.getbasetemp().parent if worker else tmp_path_factory.getbasetemp()

    def get(name: str, make: Callable[[Path], Any]) -> Any:
        made = root / f"{name}.pickle"
        with filelock.FileLock(root / f"{name}.lock"):
            if not made.exists():
                folder = root / name
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                partial = made.with_suffix(".partial")
                partial.write_bytes(pickle.dumps(make(folder)))
                partial.replace(made)
            return pickle.loads(made.read_bytes())

    return get


@pytest.fixture(scope="session")
def default_run(made_once: MadeOnce, run_cli: CliRunner) -> tuple[subprocess.CompletedProcess, Path]:
    """``gws-conformance run`` with no argument (reports in ``<folder>/reports``), and its folder."""
    return made_once("default-run", lambda folder: (run_cli("run", cwd=folder), folder))


@pytest.fixture(scope="session")
def swapped_run(made_once: MadeOnce, run_cli: CliRunner) -> tuple[subprocess.CompletedProcess, Path]:
    """A whole run against a server that sends Consult's join before ParticipantsUpdated (two
    checks fail, every other passes), and its folder."""
    return made_once(
        "swapped-run",
        lambda folder: (run_cli("run", "--fault", "consult-notifications-swapped", cwd=folder), folder),
    )


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
