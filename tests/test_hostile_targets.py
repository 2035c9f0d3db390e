"""Hostile targets (conformance.server.hostile): against each, a run ends in a verdict in bounded
time, writes complete reports, prints a clear closing line and leaks no secret. Timeouts are
shortened here to keep CI fast, and each run judges two pages that between them take every path
to the target (logins and the stream, a session of its own, the shared sessions, every kind of
request, the customer probe); benchmarks/hostile_targets.py measures each on every page with the
defaults."""

import base64
import time

import pytest

from conformance.report.results import load_results
from conformance.server.hostile import CATALOGUE
from conformance.server.runner import ReferenceServer

SHORT = {
    "GWS_CONFORMANCE_HTTP_TIMEOUT": "3",
    "GWS_CONFORMANCE_BARRIER_TIMEOUT": "3",
    "GWS_CONFORMANCE_DEADLINE": "2",
    "GWS_CONFORMANCE_QUIET_WINDOW": "0.5",
    "GWS_CONFORMANCE_MAX_TIME": "60",
}
PASSWORDS = {name: f"{name}-pass" for name in ("alice", "bob", "carol", "dave")}
SECRETS = [*PASSWORDS.values(), *(base64.b64encode(f"{n}:{p}".encode()).decode() for n, p in PASSWORDS.items())]

pytestmark = pytest.mark.slow  # every test here runs the suite end to end
PAGES = ("--page", "consult", "--page", "send-message")


# Stopped before its checks (the preflight's first exchange runs out of time): no reports, see below.
BEFORE_THE_CHECKS = ("slow-drip-everything",)


@pytest.mark.parametrize("name", [name for name in CATALOGUE if name not in BEFORE_THE_CHECKS])
def test_a_hostile_target_ends_in_a_verdict_with_complete_reports_and_no_secret(tmp_path, run_cli, name):
    with ReferenceServer(hostile=name) as server:
        started = time.monotonic()
        result = run_cli("run", "--target", server.base_url, *PAGES, cwd=tmp_path, env=SHORT)
        seconds = time.monotonic() - started
    lines = result.stdout.splitlines()
    expected = (0,) if name == "echo-headers" else (1, 3)  # an echo breaks no clause: it may only leak nothing
    assert result.returncode in expected and seconds < 60, (
        result.returncode,
        seconds,
        result.stdout[-3000:],
        result.stderr[-2000:],
    )
    assert lines and lines[-1].startswith("gws-conformance: ") and "exit" in lines[-1], result.stdout[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    reports = tmp_path / "reports"
    checks = load_results(reports / "results.json")["checks"]  # complete, and valid against its schema
    assert checks and (reports / "junit.xml").stat().st_size and (reports / "report.html").stat().st_size
    outputs = [result.stdout, result.stderr, *(f.read_text(errors="replace") for f in reports.iterdir() if f.is_file())]
    leaked = [secret for secret in SECRETS if any(secret in output for output in outputs)]
    assert not leaked, leaked
    if name in ("unauthorized-later", "reset-on-post", "post-hangs", "slow-drip"):
        # what the target could not (or would not) answer judges no clause: errors, never a pass or fail on it
        assert not [c["id"] for c in checks if c["verdict"] == "fail"], result.stdout[-2000:]


def test_a_target_whose_every_answer_drips_ends_within_a_minute_with_the_default_timeouts(tmp_path, run_cli):
    """httpx's timeouts are per read, which a drip of one byte a second never trips: the
    preflight's first exchange is bounded as a whole (http_timeout, 30 s by default), and the run
    stops there with one line (exit 3), before any agent waits its own timeout in turn."""
    with ReferenceServer(hostile="slow-drip-everything") as server:
        started = time.monotonic()
        result = run_cli("run", "--target", server.base_url, cwd=tmp_path)
        seconds = time.monotonic() - started
    assert result.returncode == 3 and seconds < 60, (seconds, result.stderr)
    assert result.stderr.startswith(f"gws-conformance: cannot reach {server.base_url}: GET ")
    assert "when the time for the whole exchange ran out (http_timeout)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
