"""Markers and quiet windows give the same verdicts on the same server (conformance.engine.stage),
and each run records which evidence it used."""

import pytest

from conformance.report.results import load_results

pytestmark = pytest.mark.slow  # every test here runs the suite end to end


def verdicts(run_cli, tmp_path, observation: str, *faults: str) -> tuple[dict[str, str], dict]:
    """Every page against the correct server; against faults of Consult's clauses, the Consult page,
    whose checks they break."""
    arguments = [argument for fault in faults for argument in ("--gws-fault", fault)]
    report_dir = tmp_path / observation
    run_cli(
        "run",
        "--deadline",
        "2",
        "--report-dir",
        str(report_dir),
        *(["--page", "consult"] if faults else []),
        "--",
        *arguments,
        cwd=tmp_path,
        env={"GWS_CONFORMANCE_OBSERVATION": observation},
    )
    results = load_results(report_dir / "results.json")
    return {c["id"]: c["verdict"] for c in results["checks"]}, results


@pytest.mark.parametrize(
    "faults",
    [
        (),
        ("consult-notifications-swapped",),
        ("consult-join-missing",),
        ("consultant-messages-dropped", "consult-join-duplicated"),
    ],
    ids=["correct", "swapped", "join-missing", "dropped-and-duplicated"],
)
def test_markers_and_quiet_windows_judge_alike(run_cli, tmp_path, faults):
    by_marker, marked = verdicts(run_cli, tmp_path, "markers", *faults)
    by_quiet, quiet = verdicts(run_cli, tmp_path, "quiet", *faults)
    assert by_marker == by_quiet
    assert (set(by_marker.values()) <= {"pass", "skip"}) == (not faults)
    assert marked["manifest"]["options"]["calibration"]["modes"] == {"originator": "marker", "consultant": "marker"}
    assert quiet["manifest"]["options"]["calibration"]["modes"] == {"originator": "quiet", "consultant": "quiet"}
    order = next(c for c in quiet["checks"] if c["id"].endswith("comes_before_the_join[originator]"))
    assert order["evidence"] == {
        "originator": ["nothing else within 1.0 s"],
        "consultant": ["nothing else within 1.0 s"],
    }


def test_a_marker_that_cannot_be_told_as_the_originators_falls_back_to_a_quiet_window_at_once(run_cli, tmp_path):
    """Stop-typing markers without ``from``: each stage falls back to a quiet window as soon as the
    marker arrives, and its evidence says why. With the barrier timeout at ten minutes, a stage
    that waited it out would stop the run at the subprocess's guard instead of finishing."""
    result = run_cli(
        "run",
        "--page",
        "consult",
        "--",
        "--gws-fault",
        "stop-typing-without-from",
        cwd=tmp_path,
        env={"GWS_CONFORMANCE_BARRIER_TIMEOUT": "600", "GWS_CONFORMANCE_OBSERVATION": "markers"},
    )
    results = load_results(tmp_path / "reports" / "results.json")
    assert result.returncode == 0, result.stdout[-3000:]  # the consult page's checks need no stop-typing page
    order = next(c for c in results["checks"] if c["id"].endswith("comes_before_the_join[originator]"))
    assert order["evidence"]["originator"] == [
        "a marker that cannot be told as the originator's (no from, or another sender); nothing else within 1.0 s"
    ]
