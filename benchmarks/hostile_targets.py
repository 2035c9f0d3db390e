"""The run against each hostile target (conformance.server.hostile), with the default settings.

    python benchmarks/hostile_targets.py [NAME ...]

For each misbehaviour: the exit code, the wall time, the peak memory of the run's process, and
the closing line the user sees. A run must end within 60 s with exit 1 or 3 (0 for echo-headers,
which breaks no clause), complete reports, and no credential in any output.
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.server.hostile import CATALOGUE
from conformance.server.runner import ReferenceServer

PASSWORDS = [f"{name}-pass" for name in ("alice", "bob", "carol", "dave")]
SECRETS = [*PASSWORDS, *(base64.b64encode(f"{p.removesuffix('-pass')}:{p}".encode()).decode() for p in PASSWORDS)]
# Runs the CLI in a child and prints that child's peak resident memory (KiB) as the last line.
MEASURED = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)"
)


def measure(name: str) -> tuple[int, float, int, str, bool]:
    with ReferenceServer(hostile=name) as server, tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", MEASURED, sys.executable, "-m", "conformance", "run", "--target", server.base_url],
            cwd=workdir,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        lines = done.stdout.splitlines()
        outputs = [
            done.stdout,
            done.stderr,
            *(f.read_text(errors="replace") for f in (Path(workdir) / "reports").glob("*") if f.is_file()),
        ]
        complete = all((Path(workdir) / "reports" / f).exists() for f in ("results.json", "junit.xml", "report.html"))
        leaked = any(secret in output for output in outputs for secret in SECRETS)
    closing = lines[-2] if len(lines) > 1 else done.stderr.strip()
    return done.returncode, seconds, int(lines[-1]) // 1024, closing, complete and not leaked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(CATALOGUE))
    names = parser.parse_args().names
    print("| misbehaviour | exit | seconds | peak MB | reports complete, nothing leaked | the line the user sees |")
    print("|---|---|---|---|---|---|")
    for name in names:
        code, seconds, megabytes, closing, clean = measure(name)
        print(f"| {name} | {code} | {seconds:.1f} | {megabytes} | {'yes' if clean else 'NO'} | {closing} |", flush=True)


if __name__ == "__main__":
    main()
