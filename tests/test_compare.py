"""Two runs compared: ``gws-conformance diff A B`` and ``run --baseline FILE``."""

import json

import pytest

from conformance.report.compare import ChangeKind, compare
from conformance.spec.schemas import validate

ORDER_FAULT = "consult-notifications-swapped"  # sms.consult.notify.order, MUST
OTHER_FAULT = "foreign-session-operable"  # sms.consult.endpoint, MUST


def test_each_kind_of_change_is_named():
    before = {
        "a": ("c1", "pass"),
        "b": ("c1", "fail"),
        "c": ("c2", "pass"),
        "d": ("c2", "pass"),
        "gone": ("c3", "pass"),
        "same": ("c3", "error"),
        "still-failing": ("c3", "fail"),
    }
    after = {
        "a": ("c1", "fail"),
        "b": ("c1", "pass"),
        "c": ("c2", "skip"),
        "d": ("c2", "warn"),
        "new": ("c3", "pass"),
        "new-failing": ("c3", "error"),
        "same": ("c3", "error"),
        "still-failing": ("c3", "error"),  # failing otherwise: still known, and a change
    }
    comparison = compare(before, after, {"c1": ("MUST", "fail")}, {"c1": ("MUST", "pass")})
    kinds = {c.check: c.kind for c in comparison.changes}
    assert kinds == {
        "a": ChangeKind.NEW_FAILURE,
        "b": ChangeKind.FIXED,
        "c": ChangeKind.NEW_SKIP,
        "d": ChangeKind.CHANGED,
        "new": ChangeKind.ONLY_AFTER,
        "new-failing": ChangeKind.NEW_FAILURE,  # a new check that fails is a failure A did not have
        "gone": ChangeKind.ONLY_BEFORE,
        "still-failing": ChangeKind.CHANGED,
    }
    assert comparison.known_failures == ["same", "still-failing"]
    assert [(c.clause, c.before, c.after) for c in comparison.clause_changes] == [("c1", "fail", "pass")]
    assert validate("reports/diff", comparison.as_record()) == []


def test_the_same_verdicts_are_no_change():
    same = {"a": ("c1", "pass"), "b": ("c1", "warn")}
    comparison = compare(same, same)
    assert comparison.changes == [] and comparison.summary() == "no verdict changed"


@pytest.fixture(scope="module")
def runs(made_once, run_cli):
    """A clean and a faulty run of the Consult page."""

    def make(folder):
        clean = run_cli("run", "--page", "consult", "--report-dir", "clean", cwd=folder)
        assert clean.returncode == 0, clean.stdout[-2000:] + clean.stderr[-2000:]
        faulty = run_cli("run", "--page", "consult", "--report-dir", "faulty", "--fault", ORDER_FAULT, cwd=folder)
        assert faulty.returncode == 1, faulty.stdout[-2000:] + faulty.stderr[-2000:]
        return folder

    return made_once("consult-runs", make)


def test_diff_names_the_new_failure_and_exits_non_zero(runs, run_cli):
    result = run_cli("diff", "clean/results.json", "faulty/results.json", "--report-dir", "diff", cwd=runs)
    assert result.returncode == 1, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("NEW FAILURE  test_consult.py::test_participants_updated_comes_before_the_join[")
    assert first.endswith("sms.consult.notify.order: pass -> fail")
    assert result.stdout.splitlines()[-1].endswith("; exit 1")
    written = json.loads((runs / "diff" / "diff.json").read_text())
    assert validate("reports/diff", written) == [] and written["counts"]["new failure"] == 2
    page = (runs / "diff" / "diff.html").read_text().replace("<wbr>", "")
    assert "test_participants_updated_comes_before_the_join" in page
    backwards = run_cli("diff", "faulty/results.json", "clean/results.json", "--report-dir", "back", cwd=runs)
    assert backwards.returncode == 0 and "FIXED" in backwards.stdout, backwards.stdout


def test_diff_of_a_file_that_is_not_results_is_a_usage_error(runs, run_cli):
    (runs / "other.json").write_text("{}")
    result = run_cli("diff", "clean/results.json", "other.json", cwd=runs)
    assert result.returncode == 2 and result.stderr.startswith("gws-conformance: error: other.json: not a")


def test_a_baseline_forgives_its_own_failures_and_no_new_one(runs, run_cli):
    same = run_cli(
        "run", "--page", "consult", "--report-dir", "same", "--baseline", "faulty/results.json",
        "--fault", ORDER_FAULT, cwd=runs,
    )  # fmt: skip
    assert same.returncode == 0, same.stdout[-3000:] + same.stderr[-2000:]
    assert "known failure: 2; 2 known failure(s) do not fail this run" in same.stdout
    closing = same.stdout.splitlines()[-1]
    assert "37 pass, 2 fail; MUST clauses judged 20/20" in closing and closing.endswith("; exit 0")
    recorded = json.loads((runs / "same" / "results.json").read_text())["baseline"]
    assert len(recorded["known_failures"]) == 2 and recorded["file"] == "faulty/results.json"
    other = run_cli(
        "run", "--page", "consult", "--report-dir", "other", "--baseline", "faulty/results.json",
        "--fault", OTHER_FAULT, cwd=runs,
    )  # fmt: skip
    assert other.returncode == 1, other.stdout[-3000:]
    assert "NEW FAILURE" in other.stdout and "sms.consult.endpoint: pass -> fail" in other.stdout


def test_a_baseline_that_judged_nothing_cannot_make_a_run_of_nothing_green():
    """Every check errored in the baseline and errors again: known failures, yet still exit 3."""
    from conformance.engine.verdicts import Verdict
    from conformance.report.results import CheckRecord, RunRecord

    run = RunRecord()
    for n in range(3):
        run.checks[f"c{n}"] = CheckRecord(f"c{n}", "sms.consult.notify.order", "MUST", phases={"call": "error"})
    assert all(c.verdict is Verdict.ERROR for c in run.checks.values())
    known = list(run.checks)
    assert run.exit_code(allow_stale=False, known=known, known_unjudged=["sms.consult.notify.order"]) == 3
