"""gws-conformance run / list end to end: exit codes, reports, repeatability (also under xdist)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import junit_verdicts as verdicts


@pytest.fixture(scope="module")
def default_run(tmp_path_factory, run_cli) -> tuple[subprocess.CompletedProcess, Path]:
    workdir = tmp_path_factory.mktemp("run")
    return run_cli("run", cwd=workdir), workdir


def test_run_with_no_arguments_passes_every_check_against_the_reference_server(default_run):
    result, workdir = default_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    outcome = verdicts(workdir / "reports" / "junit.xml")
    assert len(outcome) >= 30 and set(outcome.values()) == {"passed"}, outcome
    assert (workdir / "reports" / "report.html").stat().st_size > 10_000


def test_the_same_run_twice_and_under_xdist_gives_the_same_verdicts(default_run, tmp_path, run_cli):
    first = verdicts(default_run[1] / "reports" / "junit.xml")
    again = run_cli("run", "--report-dir", str(tmp_path / "again"), cwd=tmp_path)
    parallel = run_cli("run", "--report-dir", str(tmp_path / "xdist"), "--", "-n", "2", cwd=tmp_path)
    assert again.returncode == 0 and parallel.returncode == 0, parallel.stdout[-3000:]
    assert verdicts(tmp_path / "again" / "junit.xml") == first
    assert verdicts(tmp_path / "xdist" / "junit.xml") == first


def test_an_unreachable_target_exits_3_with_one_line(tmp_path, run_cli):
    result = run_cli("run", "--target", "http://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0 and "cannot reach http://127.0.0.1:9" in result.stderr


@pytest.mark.parametrize(("config", "message"), [
    ('target = "ftp://gws"\n', "target: expected an http:// or https:// URL"),
    ('deadline = "soon"\n', "deadline: expected a number of seconds"),
    ('[agents.originator]\nusername = "a"\npassword_env = "GWS_TEST_UNSET_PW"\nuri = "u"\n',
     "agents.originator.password_env: environment variable GWS_TEST_UNSET_PW is not set"),
    ('colour = "blue"\n', "(top level).colour: unknown key"),
    ('target = "https://gws"\n[source]\nkind = "existing"\nsession_ids = ["1"]\n', "agents.originator: required"),
    ("target = \n", "not valid TOML"),
])
def test_bad_configuration_exits_2_naming_the_key(tmp_path, config, message, run_cli):
    (tmp_path / "gws-conformance.toml").write_text(config)
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2, result.stdout[-2000:]
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_list_names_every_check_with_clause_level_and_page(tmp_path, run_cli):
    result = run_cli("list", cwd=tmp_path)
    assert result.returncode == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(rows) >= 30
    assert all(len(row) == 4 and row[1].startswith("sms.") and row[2] in ("MUST", "SHOULD")
               and row[3].startswith("https://docs.genesys.com/") for row in rows)
    assert not (tmp_path / "reports").exists(), "list must not run anything"


@pytest.mark.parametrize(("target", "code", "message"), [
    ("ftp://gws", 2, "gws-conformance: error: target: expected an http:// or https:// URL"),
    ("http://127.0.0.1:9", 3, "gws-conformance: cannot reach the target"),
])
def test_as_a_plain_pytest_plugin_the_same_mistakes_stop_the_run_with_one_line(tmp_path, target, code, message):
    result = subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "conformance.suites", "-p", "no:cacheprovider",
                             "--gws-target", target], cwd=tmp_path, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == code and message in result.stdout
    assert "Traceback" not in result.stdout
