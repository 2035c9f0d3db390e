"""``gws-conformance init`` writes a starter configuration a user fills in and runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.config import load_config
from conformance.server.runner import ReferenceServer


def init(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conformance", "init", *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_starter_file_once_filled_in_is_a_working_configuration(tmp_path):
    with ReferenceServer() as server:
        written = init(tmp_path, "--target", server.base_url, "--originator", "alice", "--consultant", "bob")
        assert written.returncode == 0 and written.stdout.startswith("wrote gws-conformance.toml: ")
        text = (tmp_path / "gws-conformance.toml").read_text()
        assert "alice-pass" not in text and 'password_env = "GWS_ORIGINATOR_PASSWORD"' in text
        # no uri: the run takes each agent's from the server
        filled = text.replace('kind = "existing"', 'kind = "reference"').replace("session_ids = []\n", "")
        (tmp_path / "gws-conformance.toml").write_text(filled)
        env = {"GWS_ORIGINATOR_PASSWORD": "alice-pass", "GWS_CONSULTANT_PASSWORD": "bob-pass"}
        config = load_config(environ=env, cwd=tmp_path)
        assert config.target == server.base_url and config.agent("consultant").username == "bob"
        doctor = subprocess.run(
            [sys.executable, "-m", "conformance", "doctor"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **env},
        )
    assert doctor.returncode == 0, doctor.stdout


def test_init_never_overwrites_without_force_and_refuses_a_bad_target(tmp_path):
    (tmp_path / "gws-conformance.toml").write_text("# mine\n")
    kept = init(tmp_path)
    assert kept.returncode == 2 and kept.stderr.splitlines() == [
        "gws-conformance: error: gws-conformance.toml exists; --force overwrites it"
    ]
    assert (tmp_path / "gws-conformance.toml").read_text() == "# mine\n"
    assert init(tmp_path, "--force").returncode == 0
    bad = init(tmp_path, "--force", "--target", "gws.example.com")
    assert bad.returncode == 2 and "--target: expected an http:// or https:// URL" in bad.stderr


def ci_steps(name: str) -> tuple[list[str], dict[str, str]]:
    """The shell lines of a CI job as a CI service would run them (not the install: the suite is
    installed here already), and the environment it gives them."""
    import yaml

    text = init(Path.cwd(), "--ci", name).stdout
    job = yaml.safe_load(text)
    if name == "github":
        steps = job["jobs"]["conformance"]["steps"]
        lines = [s["run"] for s in steps if "run" in s and s.get("name") != "install"]
        env = {k: v for s in steps for k, v in s.get("env", {}).items()}
        assert any(
            s.get("uses", "").startswith("actions/upload-artifact")
            and s["with"]["path"] == "reports/"
            and s.get("if") == "always()"
            for s in steps
        )
        return lines, env
    script = job["gws-conformance"]["script"]
    assert job["gws-conformance"]["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    return [line for line in script if not line.startswith("pip install")], {}


@pytest.mark.parametrize("name", ["github", "gitlab"])
def test_the_ci_jobs_run_the_suite_and_keep_the_reports(tmp_path, name):
    lines, env = ci_steps(name)
    with ReferenceServer() as server:
        secrets = {
            "GWS_CONFORMANCE_TARGET": server.base_url,
            "GWS_ORIGINATOR_PASSWORD": "x",
            "GWS_CONSULTANT_PASSWORD": "y",
        }
        assert not env or set(env) == set(secrets)  # GitHub maps the secrets to these variables
        (tmp_path / "gws-conformance.toml").write_text("# the target comes from the CI secret\n")
        bin_dir = str(Path(sys.executable).parent)
        for line in lines:
            done = subprocess.run(
                ["bash", "-c", line],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, **secrets, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
            )
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert {p.name for p in (tmp_path / "reports").iterdir()} >= {"junit.xml", "report.html", "results.json"}
