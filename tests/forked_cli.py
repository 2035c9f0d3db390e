"""``gws-conformance`` as a user runs it, in a process of its own, without its start-up each time.

``python -m conformance`` spends half a second importing pytest, the plugin, the server and the
checks before it does anything, and the project's tests run the command line some 130
times. Here each call is a process forked from a server process (multiprocessing's forkserver,
one per xdist worker) that imported all of that once, as the selftest forks its runs: the child
takes the call's working directory, environment, ``PYTHONPATH`` and arguments, writes its output
to files and ends with the command's exit code (an uncaught exception: its traceback and 1), as
``python -m conformance`` would, non-daemon threads awaited. What only a fresh interpreter shows
(the ``python -m`` entry point, the installed scripts, a hash seed of its own: the calls of one
worker share their server's) stays tested by the tests that start one: tests/test_init.py,
tests/test_session_sources.py, and the runs under xdist that tests/test_run.py makes.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from conformance.cli import COMMAND_MODULES, main
from conformance.commands.selftest import preloaded_modules

_FORKSERVER = multiprocessing.get_context("forkserver")
# By name, as the fork server imports them: it starts on this environment's path, not this
# process's (which has tests/), and says nothing of a module it cannot import.
_FORKSERVER.set_forkserver_preload(["conformance.cli", *COMMAND_MODULES, *preloaded_modules()])
CHILD_CPU = [0.0]  # CPU seconds the calls of this process took (benchmarks/suite_cpu.py reads it)


def _command(arguments: list[str], cwd: str, env: dict[str, str], output: str, errors: str) -> None:
    """The forked child: what ``python -m conformance ARGUMENTS`` does, in ``cwd`` with ``env``."""
    for stream, path in ((1, output), (2, errors)):
        file = os.open(path, os.O_WRONLY)
        os.dup2(file, stream)
        os.close(file)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115  (the process's own stdout)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)  # noqa: SIM115
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry]
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    sys.argv = [sys.executable, *arguments]
    try:
        code = main(arguments)
    finally:  # the CPU it took, its own and its waited-for children's, for benchmarks/suite_cpu.py
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        Path(output).with_name("cpu").write_text(str(sum(u.ru_utime + u.ru_stime for u in (own, children))))
    sys.exit(code)


def run(arguments: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """``subprocess.run([python, -m, conformance, *arguments], capture_output=True, text=True)``, forked."""
    with tempfile.TemporaryDirectory() as folder:
        output, errors = Path(folder) / "stdout", Path(folder) / "stderr"
        output.touch()
        errors.touch()
        child = _FORKSERVER.Process(target=_command, args=(arguments, str(cwd), env, str(output), str(errors)))
        child.start()
        child.join(timeout)
        command = [sys.executable, "-m", "conformance", *arguments]
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(command, timeout, output.read_bytes(), errors.read_bytes())
        cpu = Path(folder) / "cpu"
        CHILD_CPU[0] += float(cpu.read_text()) if cpu.exists() else 0.0
        return subprocess.CompletedProcess(command, child.exitcode, output.read_text(), errors.read_text())
