"""``gws-conformance load``: Locust users cycling sessions against the reference server, every step
judged; in one process, and as one Locust master with two workers on this machine."""

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conformance.commands.serve import start_serve_process
from conformance.spec.schemas import validate

CONSULT_CYCLE = {"Consult", "SendMessage", "Leave", "Complete"}
TRANSFER_CYCLE = {"Consult", "Transfer", "Complete (after Transfer)"}


# A GWS without the test-only API: the reference server hiding it from all but the "SMS gateway"
# (the command source) and the provisioning below, which hold its key.
KEY = "load-test-key"
# (the standard library only: a load injects a session per cycle, and httpx takes a tenth of a second to import)
INJECT = (
    f'{sys.executable} -c "import json, sys, urllib.request; urllib.request.urlopen(urllib.request.Request('
    "sys.argv[1] + '/conformance/v1/smssessions', headers={'X-Conformance-Test-Api-Key': sys.argv[2], "
    "'Content-Type': 'application/json'}, data=json.dumps({'agent': sys.argv[3], "
    "'customer': {'nickname': 'C', 'phoneNumber': '+1'}, 'text': 'Hi'}).encode())).close()\" "
)


@contextmanager
def gws_without_test_api(*faults: str) -> Iterator[str]:
    process, url = start_serve_process(faults, hide_test_api=KEY)
    try:
        assert httpx.get(f"{url}/conformance/v1/agents").status_code == 404
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def configure_pairs(folder: Path, url: str, pairs: int) -> Path:
    """New agents provisioned out of band (as an administrator would), ``pairs`` of them in
    [[load.pairs]], the first pair also as [agents], and a command source that addresses the agent."""
    with httpx.Client(base_url=url, headers={"X-Conformance-Test-Api-Key": KEY}) as admin:
        agents = [admin.post("/conformance/v1/agents").json() for _ in range(2 * pairs)]

    def account(agent: dict) -> str:
        return f'{{ username = "{agent["username"]}", password = "{agent["password"]}" }}'

    lines = [f'target = "{url}"', "[agents]"]
    lines += [f"originator = {account(agents[0])}", f"consultant = {account(agents[1])}"]
    lines += ["[source]", 'kind = "command"', f"command = {json.dumps(INJECT + url + ' ' + KEY + ' {agent}')}"]
    for n in range(pairs):
        lines += [
            "[[load.pairs]]",
            f"originator = {account(agents[2 * n])}",
            f"consultant = {account(agents[2 * n + 1])}",
        ]
    path = folder / "gws.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


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


def test_a_load_against_a_gws_without_the_test_api_runs_configured_pairs(tmp_path, run_cli):
    """No test-only API: the users are the configured agent pairs, the sessions come from the
    configured command source, and the run is preflighted as run's is."""
    with gws_without_test_api() as url:
        configure_pairs(tmp_path, url, 2)
        result = run_cli(
            "load", "--config", "gws.toml", "--users", "2", "--until-cycles", "3", "--max-time", "60", cwd=tmp_path
        )
        too_many = run_cli("load", "--config", "gws.toml", "--users", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = _results(tmp_path / "reports")
    assert results["violations"]["total"] == 0 and results["users"] == 2 and not results["errors"]["total"]
    assert all(n >= 3 for n in results["cycles_by_kind"].values()) and len(results["cycles_by_kind"]) == 2
    assert too_many.returncode == 2 and "--users 3: 2 agent pair(s) configured ([[load.pairs]])" in too_many.stderr


def test_a_step_slowed_past_a_short_load_is_not_green(tmp_path, run_cli):
    """Each notification held back 3 s: a 5 s load completes too few cycles of each kind to be green."""
    with gws_without_test_api("notifications-delayed") as url:
        configure_pairs(tmp_path, url, 1)
        result = run_cli("load", "--config", "gws.toml", "--users", "1", "--max-time", "5", cwd=tmp_path)
    assert result.returncode not in (0, 2, 3), result.stdout[-3000:] + result.stderr[-3000:]


def test_the_concurrency_only_fault_is_caught_by_load_and_not_by_a_run(tmp_path, run_cli):
    """Counted, not timed: 10 configured pairs put 20 agents online (the fault shows past 12, a
    plain run has under ten) on a GWS without the test-only API, and the load stops once 10 cycles
    of each kind completed, most of them begun with every user logged in."""
    fault = "consult-notifications-swapped-under-load"
    plain = run_cli("run", "--", "--gws-fault", fault, cwd=tmp_path / ".")
    assert plain.returncode == 0, plain.stdout[-2000:]
    with gws_without_test_api(fault) as url:
        configure_pairs(tmp_path, url, 10)
        loaded = run_cli(
            "load", "--config", "gws.toml", "--users", "10", "--until-cycles", "10", "--max-time", "120", cwd=tmp_path
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


@pytest.mark.parametrize("variation", ["transfer-offered-invited", "strict"])
def test_a_load_passes_what_a_correct_server_may_do(tmp_path, run_cli, variation):
    """The load judges with the suite's judgements, so it tolerates what they tolerate: a
    transferred session offered Invited (then accepted), the strictest reading of every page."""
    result = run_cli(
        "load", "--users", "4", "--until-cycles", "3", "--max-time", "60", "--fault", variation, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _results(tmp_path / "reports")["violations"]["total"] == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_load_that_judged_too_few_cycles_is_not_green(tmp_path, run_cli):
    """Nothing green on nothing: fewer completed cycles of a kind than --min-cycles exits 4."""
    loaded = run_cli("load", "--users", "1", "--max-time", "1", "--min-cycles", "100000", cwd=tmp_path)
    assert loaded.returncode == 4, loaded.stdout[-3000:] + loaded.stderr[-3000:]
    assert "fewer than 100000 completed cycles of a kind were judged: not green" in loaded.stderr


@pytest.mark.slow
def test_one_master_and_two_workers_share_the_configured_pairs_with_no_violation(tmp_path):
    """Locust's distributed mode against a GWS without the test-only API: the master tells each
    worker how many there are, so that the workers' users take disjoint agent pairs."""
    port = str(_free_port())
    with gws_without_test_api() as url:
        config = configure_pairs(tmp_path, url, 8)
        command = [sys.executable, "-m", "conformance", "load", "--config", str(config)]
        workers = [
            subprocess.Popen(
                [*command, "--report-dir", str(tmp_path / f"worker{n}"), "--", "--worker", "--master-port", port],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in (1, 2)
        ]
        master = subprocess.run(
            [
                *command,
                "--users",
                "8",
                "--until-cycles",
                "3",
                "--max-time",
                "120",
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
    assert results["violations"]["total"] == 0 and results["users"] == 8 and not results["errors"]["total"]
    assert 1 <= results["peak_sessions"] <= 8, results["peak_sessions"]  # each worker's peak, summed
    assert all(n >= 3 for n in results["cycles_by_kind"].values()) and len(results["cycles_by_kind"]) == 2
    assert not (tmp_path / "worker1" / "load.json").exists()  # only the master writes the results


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--users", "0"), "--users must be at least 1"),
        (("--target", "http://x", "--fault", "jitter"), "not with a target"),
    ],
)
def test_load_usage_mistakes_are_one_line(tmp_path, run_cli, arguments, message):
    result = run_cli("load", *arguments, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_load_against_an_unreachable_target_is_exit_3_as_a_run(tmp_path, run_cli):
    result = run_cli("load", "--target", "http://127.0.0.1:9", "--max-time", "1", cwd=tmp_path)
    assert result.returncode == 3 and result.stderr.startswith("gws-conformance load: cannot reach http://127.0.0.1:9")
    assert len(result.stderr.splitlines()) == 1


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
