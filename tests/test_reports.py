"""The three reports of a run, redaction, waivers and recheck (issue: compliance reports).

One faulty run with a waiver file feeds most tests: three faults make checks fail, and four
waivers cover each way a waiver can go (waived, stale by pass, stale by expiry, expired while
failing).
"""

import base64
import gzip
import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conformance.redaction import SECRET_HEADERS
from conformance.report.results import load_results
from conformance.spec.clauses import CLAUSES
from conftest import junit_verdicts

FAULTS = ("consult-notifications-swapped", "consult-join-visible-to-all", "refusal-with-http-200")
ORDER_CHECK = "test_consult.py::test_participants_updated_comes_before_the_join"
WAIVERS = f"""
[[waiver]]
check = "{ORDER_CHECK}"
reason = "VENDOR-1: notifications swapped"
owner = "qa@example.com"
expires = 2099-12-31

[[waiver]]
check = "test_consult.py::test_consult_with_a_user_uri_reaches_that_agent"
reason = "VENDOR-2: long fixed"
owner = "qa@example.com"
expires = 2099-12-31

[[waiver]]
check = "test_consult.py::test_the_consulted_agent_is_notified_too"
reason = "VENDOR-3"
owner = "qa@example.com"
expires = 2020-01-01

[[waiver]]
check = "test_consult.py::test_the_join_is_announced_to_agents_only_by_the_consultant"
reason = "VENDOR-4"
owner = "qa@example.com"
expires = 2020-01-01
"""
# What the reference session source plants in every session (conformance.engine.sessions), and the
# reference agents' credentials (conformance.server.directory).
CUSTOMER_TEXT = "Hello, I need help"
CUSTOMER_NICKNAME = re.compile(r"Customer\d")
PASSWORDS = ("alice-pass", "bob-pass", "carol-pass", "dave-pass")


@pytest.fixture(scope="module")
def faulty_run(made_once, run_cli):
    def make(workdir):
        (workdir / "waivers.toml").write_text(WAIVERS)
        arguments = [f"--gws-fault={fault}" for fault in FAULTS]
        return run_cli("run", "--waivers", "waivers.toml", "--", *arguments, cwd=workdir), workdir / "reports"

    return made_once("faulty-run", make)


def verdicts_of(results: dict) -> dict[str, str]:
    return {check["id"]: check["verdict"] for check in results["checks"]}


def listed_checks(run_cli) -> list[str]:
    """Every check of the default run, as ``gws-conformance list`` names them."""
    listed = run_cli("list", cwd=Path.cwd()).stdout.splitlines()
    return [line.split()[0] for line in listed if line.startswith("  test_")]


def test_every_report_exists_and_parses(faulty_run, run_cli):
    result, reports = faulty_run
    assert result.returncode == 1, result.stdout[-3000:]
    results = load_results(reports / "results.json")  # validated against schemas/reports/results.json
    assert results["summary"]["fail"] >= 1 and len(results["checks"]) == len(listed_checks(run_cli)) >= 30
    assert len(junit_verdicts(reports / "junit.xml")) == len(results["checks"])
    page = (reports / "report.html").read_text(encoding="utf-8")
    HTMLParser().feed(page)
    assert "Compliance matrix" in page and "Transcript" in page
    assert "failure kind: assertion" not in page  # not a documented kind
    manifest = results["manifest"]
    assert manifest["target"].startswith("http://127.0.0.1:") and manifest["options"]["faults"] == list(FAULTS)
    assert "schemas/reports/results.json" not in manifest["schemas"] and "reports/results.json" in manifest["schemas"]


def test_junit_has_failures_errors_and_skips_with_clause_and_level_properties(faulty_run):
    _, reports = faulty_run
    cases = list(ElementTree.parse(reports / "junit.xml").iter("testcase"))
    failed = [c for c in cases if c.find("failure") is not None]
    assert failed and all(
        "[MUST]" in c.find("failure").get("message") or "waiver" in c.find("failure").get("message") for c in failed
    )
    waived = [c for c in cases if c.find("skipped") is not None and "WAIVED" in c.find("skipped").get("message", "")]
    assert len(waived) == 2  # both parametrizations of the order check
    for case in cases:
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert properties["clause"].startswith("sms.") and properties["level"] in ("MUST", "SHOULD")


def test_the_matrix_lists_every_documented_clause_covered_or_not(tmp_path, run_cli):
    result = run_cli("run", "-k", "malformed_json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    results = load_results(tmp_path / "reports" / "results.json")
    matrix = {row["clause"]: row for row in results["clauses"]}
    assert set(matrix) == {c.id for c in CLAUSES}
    assert matrix["sms.common.refusal"]["verdict"] == "pass"
    assert (
        matrix["sms.consult.notify.order"]["verdict"] == "uncovered"
        and not matrix["sms.consult.notify.order"]["checks"]
    )
    page = (tmp_path / "reports" / "report.html").read_text(encoding="utf-8")
    for clause in CLAUSES:
        assert f"<code>{clause.id}</code>" in page
    assert page.count('class="v-uncovered"') == len(CLAUSES) - 1


def test_waivers_waive_and_go_stale(faulty_run):
    result, reports = faulty_run
    verdicts = verdicts_of(load_results(reports / "results.json"))
    assert verdicts[f"{ORDER_CHECK}[originator]"] == verdicts[f"{ORDER_CHECK}[consultant]"] == "waived"
    assert verdicts["test_consult.py::test_consult_with_a_user_uri_reaches_that_agent"] == "stale"  # passes now
    assert verdicts["test_consult.py::test_the_consulted_agent_is_notified_too"] == "stale"  # expired
    assert verdicts["test_consult.py::test_the_join_is_announced_to_agents_only_by_the_consultant"] == "fail"
    assert (
        "stale waiver: the check passes now" in result.stdout and "stale waiver: expired on 2020-01-01" in result.stdout
    )
    assert (
        "waiver expired on 2020-01-01: test_consult.py::test_the_consulted_agent_is_notified_too (owner "
        "qa@example.com); it waives nothing"
    ) in result.stdout
    recorded = {w["check"]: w for w in load_results(reports / "results.json")["waivers"]}
    assert recorded["test_consult.py::test_the_consulted_agent_is_notified_too"]["expired"] is True
    assert recorded[ORDER_CHECK]["expired"] is False and len(recorded[ORDER_CHECK]["covered"]) == 2


def test_a_stale_waiver_fails_the_run_unless_allowed(tmp_path, run_cli):
    (tmp_path / "waivers.toml").write_text(
        '[[waiver]]\ncheck = "test_consult.py::test_malformed_json_is_refused_not_crashed_on"\n'
        'reason = "fixed since"\nowner = "qa"\nexpires = 2099-01-01\n'
    )
    strict = run_cli("run", "-k", "malformed_json", "--waivers", "waivers.toml", cwd=tmp_path)
    allowed = run_cli(
        "run",
        "-k",
        "malformed_json",
        "--waivers",
        "waivers.toml",
        "--allow-stale-waivers",
        "--report-dir",
        "allowed",
        cwd=tmp_path,
    )
    assert strict.returncode == 1 and allowed.returncode == 0, strict.stdout[-2000:] + allowed.stdout[-2000:]
    assert verdicts_of(load_results(tmp_path / "allowed" / "results.json")) == {
        "test_consult.py::test_malformed_json_is_refused_not_crashed_on": "stale"
    }


@pytest.mark.parametrize(
    ("waivers", "message"),
    [
        ('[[waiver]]\ncheck = "x"\nreason = "r"\nowner = "o"\n', "waiver[0].expires: expected a date"),
        ('[[waiver]]\ncheck = "x"\nreason = ""\nowner = "o"\nexpires = 2030-01-01\n', "waiver[0].reason"),
        ('[[waiver]]\ncheck = "x"\nreason = "r"\nowner = "o"\nexpires = 2030-01-01\nsince = 1\n', "unknown key"),
        ("[[waiver]\n", "not valid TOML"),
    ],
)
def test_a_broken_waiver_file_exits_2_with_one_line(tmp_path, run_cli, waivers, message):
    (tmp_path / "waivers.toml").write_text(waivers)
    result = run_cli("run", "--waivers", "waivers.toml", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and result.stderr.strip().count("\n") == 0, result.stderr


def test_recheck_reproduces_the_verdicts_of_a_failing_run(faulty_run, run_cli, tmp_path):
    result, reports = faulty_run
    recheck = run_cli(
        "recheck",
        str(reports / "results.json"),
        "--waivers",
        str(reports.parent / "waivers.toml"),
        "--report-dir",
        str(tmp_path / "recheck"),
        cwd=tmp_path,
    )
    assert recheck.returncode == result.returncode == 1
    assert "the same verdicts as recorded" in recheck.stdout, recheck.stdout[-3000:]
    assert verdicts_of(load_results(tmp_path / "recheck" / "results.json")) == verdicts_of(
        load_results(reports / "results.json")
    )


def test_recheck_judges_the_recording_not_the_recorded_verdicts(faulty_run, run_cli, tmp_path):
    """Put the swapped notifications of the recording back in documented order: the order checks
    now pass (so their waivers go stale), which only a real re-judgement can find."""
    _, reports = faulty_run
    results = json.loads((reports / "results.json").read_text())
    for arrivals in results["recordings"]["test_consult.py::consult_by_uri#2"]["value"]["received"].values():
        arrivals.sort(key=lambda a: a["data"]["notificationType"] != "ParticipantsUpdated")
    (tmp_path / "repaired.json").write_text(json.dumps(results))
    recheck = run_cli("recheck", "repaired.json", "--waivers", str(reports.parent / "waivers.toml"), cwd=tmp_path)
    assert f"CHANGED  {ORDER_CHECK}[originator]: recorded waived, rechecked stale" in recheck.stdout, recheck.stdout


def test_recheck_of_a_file_that_is_not_results_exits_2(tmp_path, run_cli):
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    result = run_cli("recheck", "other.json", cwd=tmp_path)
    assert result.returncode == 2 and "not a gws-conformance-results/1 document" in result.stderr


def _outputs(reports: Path, result) -> dict[str, str]:
    files = {str(p): p.read_text(encoding="utf-8") for p in reports.rglob("*") if p.is_file()}
    return {**files, "stdout": result.stdout, "stderr": result.stderr}


def test_no_credential_and_no_customer_content_reaches_any_output(faulty_run):
    result, reports = faulty_run
    secrets = [*PASSWORDS, *(base64.b64encode(f"{n}:{n}-pass".encode()).decode() for n in ("alice", "bob"))]
    for name, text in _outputs(reports, result).items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} in {name}"
        assert CUSTOMER_TEXT not in text, f"customer text in {name}"
        assert not CUSTOMER_NICKNAME.search(text), f"customer nickname in {name}"
    recordings = load_results(reports / "results.json")["recordings"]
    headers = [
        h
        for e in recordings.values()
        if isinstance(e.get("value"), dict) and "exchange" in e["value"]
        for h in (e["value"]["exchange"]["request_headers"], e["value"]["exchange"]["response_headers"])
    ]
    assert headers and all(v == "***" for h in headers for k, v in h.items() if k.lower() in SECRET_HEADERS)


def test_no_redact_content_shows_content_but_never_credentials(tmp_path, run_cli):
    """The control of the test above: the content is there to be redacted."""
    result = run_cli("run", "-k", "customer_sees_no_trace", "--no-redact-content", cwd=tmp_path)
    outputs = _outputs(tmp_path / "reports", result)
    assert any(CUSTOMER_TEXT in text for text in outputs.values())
    assert not any(secret in text for secret in PASSWORDS for text in outputs.values())


def test_recheck_of_a_narrow_selection_replays_the_scenarios_it_came_after(tmp_path, run_cli):
    """The feature check's scenario runs After the idle session: both are recorded, so a recheck
    of that one check replays the whole chain (found by a review: the chain's start was lost)."""
    run = run_cli("run", "--clause", "sms.consult.feature", cwd=tmp_path)
    recheck = run_cli("recheck", "reports/results.json", cwd=tmp_path)
    assert run.returncode == recheck.returncode == 0, run.stdout[-2000:] + recheck.stdout[-2000:]
    assert "the same verdicts as recorded" in recheck.stdout
    assert "test_consult.py::idle_session#0" in load_results(tmp_path / "reports" / "results.json")["recordings"]


@pytest.mark.parametrize("recorded", sorted((Path(__file__).parent / "data").glob("before-typed-verdicts-*.json.gz")))
def test_recheck_of_a_run_recorded_before_typed_verdicts_gives_its_verdicts(recorded, run_cli, tmp_path):
    """Results written before verdicts travelled as typed fields (kept in tests/data) still
    recheck: the same recordings, judged by today's checks, give the verdicts then recorded."""
    (tmp_path / "recorded.json").write_bytes(gzip.decompress(recorded.read_bytes()))
    recheck = run_cli("recheck", "recorded.json", cwd=tmp_path)
    assert "the same verdicts as recorded" in recheck.stdout, recheck.stdout[-3000:]
    assert verdicts_of(load_results(tmp_path / "recheck" / "results.json")) == verdicts_of(
        json.loads((tmp_path / "recorded.json").read_text())
    )
