"""The console of ``gws-conformance run``, as a user sees it."""

import re

from conformance.report.results import load_results

ONE_SCREEN = 50  # lines


def test_a_failing_run_fits_one_screen_and_names_check_clause_and_kind(swapped_run):
    result, folder = swapped_run
    lines = result.stdout.splitlines()
    checks = len(load_results(folder / "reports" / "results.json")["checks"])
    assert result.returncode == 1 and len(lines) <= ONE_SCREEN, result.stdout
    assert lines[0] == f"gws-conformance: {checks} checks"
    assert (
        "FAIL   test_consult.py::test_participants_updated_comes_before_the_join[originator]  "
        "sms.consult.notify.order [MUST] reordered: observed NewMessages(ParticipantJoined) < ParticipantsUpdated; "
        "documented ParticipantsUpdated < NewMessages(ParticipantJoined) (originator)"
    ) in lines
    assert "sms.consult.notify.order [MUST]" in result.stdout and "site-packages" not in result.stdout
    assert "where" not in result.stdout and "Observation(" not in result.stdout  # no introspection
    assert lines[-1].startswith(f"gws-conformance: {checks} checks: {checks - 2} pass, 2 fail; MUST clauses judged ")
    assert lines[-1].endswith("; exit 1") and "reports: reports/results.json" in result.stdout


def test_errors_of_one_cause_are_printed_once(tmp_path, run_cli):
    result = run_cli(
        "run",
        "--deadline",
        "1",
        "--page",
        "consult",
        "--",
        "--gws-fault",
        "notifications-on-wrong-topic",
        cwd=tmp_path,
        env={"GWS_CONFORMANCE_BARRIER_TIMEOUT": "2"},
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    assert result.returncode == 1, result.stdout  # the refusal checks need no notification and pass
    first, counted = [e for e in errors if "cannot be observed" in e]  # the cause once, then counted
    assert re.match(r"ERROR\s+test_\w+\.py::", first) and re.match(
        r"ERROR ×\d+ checks stopped by the same "
        r"cause: not attempted: the session.s ",
        counted,
    )
