"""Markers and quiet windows give the same verdicts on the same server (conformance.engine.stage),
and each run records which evidence it used."""

import pytest

from conformance.report.results import load_results

pytestmark = pytest.mark.slow  # every test here runs the suite end to end


def verdicts(run_cli, tmp_path, observation: str, *faults: str) -> tuple[dict[str, str], dict]:
    arguments = [argument for fault in faults for argument in ("--gws-fault", fault)]
    report_dir = tmp_path / observation
    run_cli(
        "run",
        "--deadline",
        "2",
        "--report-dir",
        str(report_dir),
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
