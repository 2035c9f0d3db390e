"""The HTML report in a real browser (Debian's headless Chromium; CI installs it).

A reference server fault puts live ``<script>`` and ``<img onerror>`` payloads into the strings
it sends (session state, capabilities, refusal messages). If the report ever rendered one as
markup, the payload would mark the page (``<html data-pwned=...>``). The control test shows
that this detector sees a payload that does run. Screenshots of the reports are kept in
``reports/browser/`` (or ``$GWS_CONFORMANCE_ARTEFACTS``) for a human to look at.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.report.results import load_results

ARTEFACTS = Path(os.environ.get("GWS_CONFORMANCE_ARTEFACTS", Path(__file__).parents[1] / "reports" / "browser"))
# As root in a sandbox: no sandbox, no GPU, and no background connections (this network is closed).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
)
PWNED = re.compile(r"<html[^>]*data-pwned")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs the Debian package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


def browse(chromium: str, page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *action, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )


def dom_after_scripts(chromium: str, page: Path, profile: Path) -> str:
    result = browse(chromium, page, profile, "--dump-dom")
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-2000:]
    return result.stdout


def screenshot(chromium: str, page: Path, profile: Path, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    picture = ARTEFACTS / name
    browse(chromium, page, profile, "--window-size=1400,2400", f"--screenshot={picture}")
    assert picture.stat().st_size > 10_000
    return picture


def test_the_detector_sees_a_payload_that_runs(chromium, tmp_path):
    from conformance.server.domain_faults import IMG_PAYLOAD, SCRIPT_PAYLOAD

    for payload in (IMG_PAYLOAD, SCRIPT_PAYLOAD):
        page = tmp_path / "unescaped.html"
        page.write_text(f"<!DOCTYPE html><html><body>{payload}</body></html>")
        assert PWNED.search(dom_after_scripts(chromium, page, tmp_path / "profile")), payload


def test_server_strings_show_as_text_and_never_run(chromium, run_cli, tmp_path):
    result = run_cli(
        "run", "--deadline", "1", "--page", "consult", "--", "--gws-fault", "html-in-server-strings", cwd=tmp_path
    )
    assert result.returncode == 1, result.stdout[-2000:]  # the fault is caught ...
    report = tmp_path / "reports" / "report.html"
    dom = dom_after_scripts(chromium, report, tmp_path / "profile")
    assert not PWNED.search(dom)  # ... and no payload ran
    assert "&lt;img src=x onerror=" in dom and "&lt;script&gt;document.documentElement" in dom  # shown as text
    screenshot(chromium, report, tmp_path / "profile", "report-with-html-payloads.png")


def test_the_report_of_a_default_run_renders(chromium, default_run, tmp_path):
    result, folder = default_run
    assert result.returncode == 0, result.stdout[-2000:]
    report = folder / "reports" / "report.html"
    dom = dom_after_scripts(chromium, report, tmp_path / "profile")
    checks = len(load_results(folder / "reports" / "results.json")["checks"])
    assert "Compliance matrix" in dom and f"{checks} checks in" in dom and f"{checks} pass" in dom
    assert all(f'data-verdict="{v}"' in dom for v in ("pass", "fail", "warn", "error", "skip", "waived", "stale"))
    assert dom.count('data-verdict="pass">Passed</td>') == checks  # the rows speak our verdicts
    screenshot(chromium, report, tmp_path / "profile", "report-default-run.png")


def test_a_warning_is_a_warn_row_and_the_filters_hide_by_verdict(chromium, run_cli, tmp_path):
    result = run_cli("run", "--page", "consult", "--", "--gws-fault", "refusal-with-http-200", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    dom = dom_after_scripts(chromium, tmp_path / "reports" / "report.html", tmp_path / "profile")
    assert 'class="col-result v-warn" data-verdict="warn">XFailed</td>' in dom and "1 warn" in dom


# Appended to a copy of the report: once its scripts have run, the page's width and where the
# first failure's block (message, reproduction, request) ends are written on <html> for --dump-dom.
MEASURE = """<script>
window.addEventListener('load', () => setTimeout(() => {
  const root = document.documentElement;
  root.dataset.width = root.scrollWidth;
  const first = document.querySelector('.failures .failure');
  if (first) root.dataset.failureBottom = Math.round(first.getBoundingClientRect().bottom);
}, 500));
</script>"""


def test_a_failure_is_on_the_first_screen_and_the_page_fits_1280_px(chromium, swapped_run, tmp_path):
    result, folder = swapped_run
    assert result.returncode == 1, result.stdout[-2000:]
    report = folder / "reports" / "report.html"
    measured = tmp_path / "measured.html"
    measured.write_text(report.read_text().replace("</body>", MEASURE + "</body>"))
    dom = browse(chromium, measured, tmp_path / "profile", "--window-size=1280,800", "--dump-dom").stdout
    root = re.search(r'<html data-width="(\d+)" data-failure-bottom="(\d+)"', dom)
    assert root, dom[:500]
    width, failure_bottom = int(root[1]), int(root[2])
    assert width <= 1280 and failure_bottom <= 800, (width, failure_bottom)
    first = dom.index('class="failure"')
    block = dom[first : dom.index("</div>", first)]
    assert "sms.consult.notify.order" in block and "reordered: observed NewMessages(ParticipantJoined)" in block
    assert "gws-conformance repro" in block and "curl -sS -X POST" in block and "GWS_USER=" in block
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    picture = ARTEFACTS / "report-first-screen-with-a-failure.png"
    browse(chromium, report, tmp_path / "profile", "--window-size=1280,800", f"--screenshot={picture}")
    assert picture.stat().st_size > 10_000
