"""Every check can fail, and no correct server fails it: ``gws-conformance selftest`` in full.

The selftest runs the suite against the correct reference server, each benign variation and
each fault, and counts a fault as caught only when the checks of the clause it breaks fail
(MUST) or warn (SHOULD) with a message citing that clause.
"""

import json

import pytest

import conformance.server.runner  # noqa: F401  (defines every switch of the server)
from conformance.commands.selftest import SwitchRun, pages_judging, summarize
from conformance.report.results import load_results
from conformance.server.faults import CATALOGUE, benign, breaking
from conformance.spec import pages


@pytest.mark.slow(weight=10)  # the longest test by far: it starts first
def test_selftest_catches_every_fault_and_passes_every_benign_variation(tmp_path, run_cli):
    result = run_cli("selftest", "--report-dir", "selftest", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = json.loads((tmp_path / "selftest" / "selftest.json").read_text())
    assert summary["faults"] == len(breaking()) >= 25 and summary["caught"] == summary["faults"]
    assert summary["benign_failures"] == 0 and not summary["run_failures"]
    assert {r["switch"] for r in summary["runs"] if r["clause"] is None} == {"(correct server)", *benign()}
    assert f"mutation score: {len(breaking())}/{len(breaking())} faults caught (100%)" in result.stdout
    assert "never failed against any fault (suspect): none" in result.stdout


def test_a_fault_nothing_catches_and_a_failing_variation_fail_the_selftest():
    missed = SwitchRun(
        "quiet-fault",
        "sms.consult.notify.order",
        verdicts={"c": "pass"},
        clauses={"c": "sms.consult.notify.order"},
        messages={"c": []},
    )
    elsewhere = SwitchRun(
        "loud-elsewhere",
        "sms.consult.notify.order",
        verdicts={"c": "pass", "d": "fail"},
        clauses={"c": "sms.consult.notify.order", "d": "sms.consult.visibility"},
        messages={"c": [], "d": ["x"]},
    )
    broken_variation = SwitchRun(
        "odd-but-fine", None, verdicts={"c": "fail"}, clauses={"c": "sms.consult.notify.order"}, messages={"c": ["..."]}
    )
    summary = summarize([missed, elsewhere, broken_variation], 0.0)
    assert summary["caught"] == 0 and summary["faults"] == 2 and summary["benign_failures"] == 1


def test_errors_catch_only_a_fault_declared_unobservable():
    """Every check of a clause erroring as unobservable is no evidence about that clause, unless
    the fault hides the notifications themselves; an error of another cause never is."""
    erroring = dict(
        verdicts={"c": "error", "d": "fail"},
        clauses={"c": "sms.consult.notify.order", "d": "x"},
        messages={"c": ["the session's notifications cannot be observed: ..."], "d": ["y"]},
        causes={"c": "unobservable", "d": None},
    )
    assert SwitchRun("ordinary", "sms.consult.notify.order", **erroring).caught_by() == []
    hidden = SwitchRun("hides-the-stream", "sms.consult.notify.order", unobservable=True, **erroring)
    assert hidden.caught_by() == ["c"] and hidden.collateral() == ["d"]
    crashed = SwitchRun(
        "crashes", "sms.consult.notify.order", unobservable=True, **{**erroring, "causes": {"c": "crash"}}
    )
    assert crashed.caught_by() == []


def test_a_fault_is_judged_where_it_acts_and_a_variation_everywhere():
    """A fault of a cross-cutting clause that acts on a few pages only is judged there; every
    page it names is a documented page; variations and the correct server are judged on every page."""
    declared = {name: fault for name, fault in CATALOGUE.items() if fault.pages}
    assert declared and all(f.clause and f.clause.startswith("sms.common.") for f in declared.values())
    assert all(page in pages.BY_SLUG for fault in declared.values() for page in fault.pages)
    assert pages_judging(CATALOGUE["accept-reference-id-mismatch"]) == ["accept"]
    assert pages_judging(CATALOGUE["consult-notifications-swapped"]) == ["consult"]
    assert pages_judging(CATALOGUE["reference-id-repeated"]) == []  # every page
    assert pages_judging(None) == [] and all(pages_judging(v) == [] for v in benign().values())


@pytest.mark.parametrize("name", sorted(name for name, fault in CATALOGUE.items() if fault.pages))
def test_a_fault_that_names_its_pages_breaks_no_check_of_its_clause_elsewhere(tmp_path, run_cli, name):
    """The pages a fault names are where the selftest judges it: every check of its clause that it
    breaks, on any page, must lie on one of them (else a check would go unproven), and one must."""
    fault = CATALOGUE[name]
    run_cli("run", "--clause", fault.clause, "--", "--gws-fault", name, cwd=tmp_path)
    checks = load_results(tmp_path / "reports" / "results.json")["checks"]
    broken = {pages.of_module(c["id"].split("::")[0]).slug for c in checks if c["verdict"] in ("fail", "warn")}
    assert broken and broken <= set(fault.pages), (broken, fault.pages)


def test_a_late_notification_is_named_late(tmp_path, run_cli):
    """Whatever came after the deadline but before the end of the originator's stream is named late."""
    result = run_cli(
        "run",
        "--deadline",
        "1",
        "-k",
        "comes_before_the_join",
        "--",
        "--gws-fault",
        "notifications-delayed",
        cwd=tmp_path,
    )
    checks = {c["id"].rsplit("[", 1)[1]: c for c in load_results(tmp_path / "reports" / "results.json")["checks"]}
    assert result.returncode == 1 and checks["originator]"]["failure_kinds"] == ["late"], checks
    assert "late: ParticipantsUpdated arrived at +" in checks["originator]"]["messages"][0]
