"""``gws-conformance load``: Locust users cycling sessions against the reference server, every step
judged; in one process, and as one Locust master with two workers on this machine."""

import json
import socket
import subprocess
import sys
import time

import pytest

from conformance.commands.serve import start_serve_process
from conformance.spec.schemas import validate

CONSULT_CYCLE = {"Consult", "SendMessage", "Leave", "Complete"}
TRANSFER_CYCLE = {"Consult", "Transfer", "Complete (after Transfer)"}


def _results(report_dir):
    results = json.loads((report_dir / "load.json").read_text())
    assert validate("reports/load", results) == []
    return results


def test_a_load_run_on_the_reference_server_reports_no_violation(tmp_path, run_cli):
    """Counted, not timed: it stops once each kind of cycle completed 3 times (60 s is a cap only)."""
    result = run_cli("load", "--users", "20", "--until-cycles", "3", "--max-time", "60", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = _results(tmp_path / "reports")
    assert results["violations"]["total"] == 0 and 1 <= results["peak_sessions"] <= 20
    assert all(n >= 3 for n in results["cycles_by_kind"].values()) and set(results["cycles_by_kind"]) == {
        "consult",
        "transfer",
    }
    assert CONSULT_CYCLE <= {o["operation"] for o in results["operations"]} <= CONSULT_CYCLE | TRANSFER_CYCLE
    assert all(o["failures"] == 0 and o["latency_ms"]["p50"] > 0 for o in results["operations"])
    page = (tmp_path / "reports" / "load.html").read_text()
    assert "<svg" in page and "<h2>Violations</h2>" in page and "None." in page
    assert result.stdout.splitlines()[-1].startswith("gws-conformance load: ")


def test_cycles_the_end_of_the_run_stops_are_counted_with_their_step_never_dropped(tmp_path, run_cli):
    """With no time to finish (--stop-timeout 0), the cycles under way when the count is reached are
    listed unfinished, by kind and step, in load.json and the closing line."""
    result = run_cli(
        "load", "--users", "20", "--until-cycles", "3", "--max-time", "60", "--stop-timeout", "0", cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    unfinished = _results(tmp_path / "reports")["unfinished"]
    assert unfinished["total"] >= 1 and sum(u["count"] for u in unfinished["by_step"]) == unfinished["total"]
    assert f"{unfinished['total']} unfinished (" in result.stdout.splitlines()[-1]


def test_the_concurrency_only_fault_is_caught_by_load_and_not_by_a_run(tmp_path, run_cli):
    """Counted, not timed: 30 users put 60 agents online (the fault shows past 40), and the load
    stops once 30 cycles of each kind completed, most of them begun with every user logged in."""
    fault = "consult-notifications-swapped-under-load"
    plain = run_cli("run", "--", "--gws-fault", fault, cwd=tmp_path / ".")
    assert plain.returncode == 0, plain.stdout[-2000:]
    loaded = run_cli(
        "load", "--users", "30", "--until-cycles", "30", "--max-time", "120", "--fault", fault, cwd=tmp_path
    )
    assert loaded.returncode == 1, loaded.stdout[-3000:]
    results = _results(tmp_path / "reports")
    reordered = [
        v
        for v in results["violations"]["by_clause"]
        if (v["clause"], v["kind"]) == ("sms.consult.notify.order", "reordered")
    ]
    assert reordered and reordered[0]["first"][0]["transcript"], results["violations"]
    named = [line for line in loaded.stdout.splitlines() if line.startswith("VIOLATION  sms.consult.notify.order")]
    assert named and "[MUST] reordered" in named[0], loaded.stdout[-3000:]  # the console names the clause too
    assert "sms.consult.notify.order" in (tmp_path / "reports" / "load.html").read_text()


def test_a_transfer_that_keeps_the_originator_is_a_violation_of_load_too(tmp_path, run_cli):
    """The transfer cycle judges Transfer by both agents' session lists, as the Transfer checks do."""
    loaded = run_cli(
        "load",
        "--users",
        "20",
        "--until-cycles",
        "3",
        "--max-time",
        "60",
        "--fault",
        "transfer-keeps-originator",
        cwd=tmp_path,
    )
    assert loaded.returncode == 1, loaded.stdout[-3000:]
    kinds = {(v["clause"], v["kind"]) for v in _results(tmp_path / "reports")["violations"]["by_clause"]}
    assert ("sms.transfer.param.target-uri", "outcome") in kinds, kinds


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    process, url = start_serve_process()
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_a_load_that_judged_too_few_cycles_is_not_green(tmp_path, run_cli):
    """Nothing green on nothing: fewer completed cycles of a kind than --min-cycles exits 4."""
    loaded = run_cli("load", "--users", "1", "--max-time", "1", "--min-cycles", "100000", cwd=tmp_path)
    assert loaded.returncode == 4, loaded.stdout[-3000:] + loaded.stderr[-3000:]
    assert "fewer than 100000 completed cycles of a kind were judged: not green" in loaded.stderr


@pytest.mark.slow
def test_one_master_and_two_workers_share_the_users_with_no_violation(tmp_path, server):
    port = str(_free_port())
    command = [sys.executable, "-m", "conformance", "load", "--target", server]
    workers = [
        subprocess.Popen(
            [*command, "--report-dir", str(tmp_path / f"worker{n}"), "--", "--worker", "--master-port", port],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in (1, 2)
    ]
    started = time.monotonic()
    master = subprocess.run(
        [
            *command,
            "--users",
            "40",
            "--max-time",
            "5",
            "--report-dir",
            str(tmp_path / "master"),
            "--",
            "--master",
            "--master-bind-port",
            port,
            "--expect-workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    for worker in workers:
        worker.wait(timeout=60)
    assert master.returncode == 0, master.stdout[-3000:] + master.stderr[-3000:]
    results = _results(tmp_path / "master")
    assert results["violations"]["total"] == 0 and results["users"] == 40
    assert 1 <= results["peak_sessions"] <= 40, results["peak_sessions"]  # each worker's peak, summed
    assert all(n >= 1 for n in results["cycles_by_kind"].values()) and time.monotonic() - started < 120
    assert not (tmp_path / "worker1" / "load.json").exists()  # only the master writes the results


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--users", "0"), "--users must be at least 1"),
        (("--target", "http://127.0.0.1:9", "--max-time", "1"), "cannot be reached"),
        (("--target", "http://x", "--fault", "jitter"), "not with --target"),
    ],
)
def test_load_usage_mistakes_are_one_line(tmp_path, run_cli, arguments, message):
    result = run_cli("load", *arguments, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_server_text_in_the_load_page_is_escaped():
    from conformance.load.results import render_html

    hostile = "<script>alert(1)</script>"
    page = render_html(
        {
            "target": hostile,
            "users": 1,
            "cycles": 1,
            "duration_s": 1.0,
            "peak_sessions": 1,
            "errors": {"total": 1, "first": [hostile]},
            "operations": [
                {
                    "operation": hostile,
                    "requests": 1,
                    "failures": 1,
                    "requests_per_second": 1.0,
                    "latency_ms": {"p50": 1, "p95": 1, "p99": 1, "max": 1},
                }
            ],
            "timeline": [{"second": 0, "operation": hostile, "count": 1, "mean_ms": 1.0, "max_ms": 1.0}],
            "violations": {
                "total": 1,
                "by_clause": [
                    {
                        "clause": "sms.x",
                        "kind": hostile,
                        "count": 1,
                        "first": [
                            {"operation": hostile, "session_id": hostile, "detail": hostile, "transcript": [hostile]}
                        ],
                    }
                ],
            },
        }
    )
    assert "<script>" not in page and "&lt;script&gt;" in page
