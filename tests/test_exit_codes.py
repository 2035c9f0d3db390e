"""The exit codes the README documents, for the pairs of command and code no other test provokes
(the others: run in test_run/test_console, recheck 0-2 in test_reports, repro 0-2 in test_repro,
doctor in test_doctor, diff in test_compare, load in test_load, the plugin's 0, 2 and 3 in
test_run), each as a subprocess with its first line and its code. A repro judges one check, which
either runs (judging its clause) or not (nothing ran: 3), so it never exits 4; a selftest judges
the reference server, which it starts itself: 0, 1 or 2.

Code 4, incomplete: the customer probe of the 'probe-as-a-phone' variation shows what a phone
shows, which holds no typing: the check that the agents' typing never reaches the customer skips,
and its MUST clause is judged by no other check."""

import json
import subprocess
import sys

import pytest

TYPING_PAGE = "send-start-typing-to-agents"
ORDER_CHECK = "test_consult.py::test_participants_updated_comes_before_the_join[originator]"
UNREACHABLE = "http://127.0.0.1:9"


def plugin(*arguments: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance.suites", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def closing(result: subprocess.CompletedProcess) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_recheck_exits_3_when_no_check_could_be_judged_again(tmp_path, run_cli):
    """A results file whose recordings are gone: every check errors on replay, none could run."""
    assert run_cli("run", "--page", "consult", "--clause", "sms.consult.feature", cwd=tmp_path).returncode == 0
    results = json.loads((tmp_path / "reports" / "results.json").read_text())
    results["recordings"] = {}
    (tmp_path / "emptied.json").write_text(json.dumps(results))
    result = run_cli("recheck", "emptied.json", "--report-dir", "again", cwd=tmp_path)
    assert result.returncode == 3, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.splitlines()[0] == "gws-conformance: 1 checks"
    assert closing(result).startswith("gws-conformance: rechecked emptied.json: 1 checks: 1 error;")
    assert closing(result).endswith("; exit 3")


def test_run_and_recheck_exit_4_on_a_must_clause_judged_by_no_check(tmp_path, run_cli):
    run = run_cli("run", "--page", TYPING_PAGE, "--", "--gws-fault", "probe-as-a-phone", cwd=tmp_path)
    assert run.returncode == 4, run.stdout[-2000:] + run.stderr[-2000:]
    recheck = run_cli("recheck", "reports/results.json", "--report-dir", "again", cwd=tmp_path)
    assert recheck.returncode == 4, recheck.stdout[-2000:] + recheck.stderr[-2000:]
    for result, said in ((run, ""), (recheck, "rechecked reports/results.json: ")):
        assert result.stdout.splitlines()[0] == "gws-conformance: 9 checks"
        assert closing(result).startswith(f"gws-conformance: {said}9 checks: 8 pass, 1 skip; MUST clauses judged 6/7;")
        assert closing(result).endswith("; exit 4")


def test_repro_exits_3_when_the_target_cannot_be_reached(tmp_path, run_cli):
    result = run_cli("repro", ORDER_CHECK, "--target", UNREACHABLE, cwd=tmp_path)
    assert result.returncode == 3, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stderr.startswith(f"gws-conformance: cannot reach {UNREACHABLE}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_plugin_exits_1_on_a_must_violation_and_4_on_an_unjudged_must_clause(tmp_path):
    failed = plugin("--gws-page", "consult", "--gws-fault", "consult-notifications-swapped", cwd=tmp_path)
    assert failed.returncode == 1, failed.stdout[-2000:]
    assert "FAILED" in failed.stdout and "sms.consult.notify.order" in failed.stdout
    incomplete = plugin("--gws-page", TYPING_PAGE, "--gws-fault", "probe-as-a-phone", cwd=tmp_path)
    assert incomplete.returncode == 4, incomplete.stdout[-2000:]
    assert "MUST clauses judged by no check: the run is incomplete" in incomplete.stdout
    assert "sms.send-start-typing-to-agents.visibility: every check of it skipped or errored;" in incomplete.stdout


@pytest.mark.parametrize(
    ("arguments", "first_line"),
    [
        (("--jobs", "0"), "gws-conformance: error: --jobs: expected at least 1"),
        (("--fault", "no-such-switch"), "gws-conformance: error: --fault: unknown switch(es): no-such-switch;"),
    ],
)
def test_selftest_usage_mistakes_are_one_line_and_exit_2(tmp_path, run_cli, arguments, first_line):
    result = run_cli("selftest", *arguments, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith(first_line), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "reports").exists()


def test_a_selftest_deadline_that_is_no_time_is_an_argument_error(tmp_path, run_cli):
    """As every argument argparse refuses: the command's usage, then the error on one line; no run starts
    (before, each run failed inside on its own pytest usage error, and the selftest exited 1)."""
    result = run_cli("selftest", "--deadline", "0", cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and lines[0].startswith("usage: gws-conformance selftest "), result.stderr
    assert lines[-1] == "gws-conformance selftest: error: argument --deadline: expected a positive number, got 0"
    assert not (tmp_path / "reports").exists()


def test_selftest_exits_1_when_the_correct_server_does_not_pass(tmp_path, run_cli):
    """Runs told to listen on a topic the server never publishes on (GWS_CONFORMANCE_SMS_TOPIC,
    which each run's configuration reads): the correct server's checks cannot judge, which the
    selftest must not call green (the benign runs are what proves the suite fair)."""
    result = run_cli(
        "selftest",
        "--fault",
        "update-user-data-response-not-gws",
        "--report-dir",
        "st",
        cwd=tmp_path,
        env={"GWS_CONFORMANCE_SMS_TOPIC": "/v2/me/nothing-is-published-here"},
    )
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.splitlines()[0].startswith("gws-conformance selftest: 2 runs, ")
    assert closing(result).startswith("gws-conformance selftest: mutation score: ") and closing(result).endswith(
        "; exit 1"
    )
