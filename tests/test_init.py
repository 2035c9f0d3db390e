"""``gws-conformance init`` writes a starter configuration a user fills in and runs."""

import os
import subprocess
import sys
import sysconfig
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
        runs = {
            name: subprocess.run(
                [sys.executable, "-m", "conformance", "run", *arguments],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, **env},
            )
            for name, arguments in (("bare", []), ("with-gaps", ["--waivers", "waivers.toml"]))
        }
    assert doctor.returncode == 0, doctor.stdout
    # init's gaps are exactly what this configuration cannot judge: without them the run is
    # incomplete; with them it is green, so none is missing and none is stale
    assert runs["bare"].returncode == 4, runs["bare"].stdout[-2000:]
    assert runs["with-gaps"].returncode == 0, runs["with-gaps"].stdout[-2000:]
    gaps = (tmp_path / "waivers.toml").read_text()
    assert 'clause = "sms.intrude.*"' in gaps and "configure agents.supervisor to judge it" in gaps


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
    """The shell lines of a CI job as a CI service would run them, the install first, and the
    environment it gives them."""
    import yaml

    text = init(Path.cwd(), "--ci", name).stdout
    job = yaml.safe_load(text)
    if name == "github":
        steps = job["jobs"]["conformance"]["steps"]
        lines = [s["run"] for s in steps if "run" in s]
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
    return list(script), {"GWS_CONFORMANCE_PACKAGE": "${GWS_CONFORMANCE_PACKAGE}"}


@pytest.fixture(scope="module")
def wheel_of_a_fresh_clone(made_once) -> Path:
    """The suite as a team keeps it: a fresh clone of this repository, built into a wheel."""
    return made_once("wheel", _wheel_of_a_fresh_clone)


def _wheel_of_a_fresh_clone(folder: Path) -> Path:
    root = Path(__file__).resolve().parents[1]
    subprocess.run(["git", "clone", "-q", str(root), str(folder / "src")], check=True, timeout=120)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(folder / "src")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    return next(folder.glob("gws_conformance-*.whl"))


@pytest.mark.parametrize("name", ["github", "gitlab"])
def test_the_ci_jobs_install_the_suite_run_it_and_keep_the_reports(tmp_path, name, wheel_of_a_fresh_clone):
    """Each step of the job as the CI service runs it: the install from GWS_CONFORMANCE_PACKAGE (a
    wheel of a fresh clone, into a virtual environment of its own whose dependencies are this
    one's, so that only the suite itself is installed), then the run against a reference server."""
    lines, env = ci_steps(name)
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "ci")], check=True)
    # its dependencies are this environment's (pip then installs the suite alone, offline, quickly)
    (next((tmp_path / "ci" / "lib").glob("python3*")) / "site-packages" / "dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    with ReferenceServer() as server:
        secrets = {
            "GWS_CONFORMANCE_TARGET": server.base_url,
            "GWS_ORIGINATOR_PASSWORD": "x",
            "GWS_CONSULTANT_PASSWORD": "y",
            "GWS_CONFORMANCE_PACKAGE": wheel_of_a_fresh_clone.as_uri(),
        }
        assert set(env) <= set(secrets)  # GitHub maps the secrets and variables to these
        (tmp_path / "gws-conformance.toml").write_text("# the target comes from the CI secret\n")
        bin_dir = str(tmp_path / "ci" / "bin")
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
    where = subprocess.run(
        [str(tmp_path / "ci" / "bin" / "python"), "-c", "import conformance; print(conformance.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(tmp_path / "ci")), where  # the job ran the suite it installed
