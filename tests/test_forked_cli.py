"""The tests' forked command line (tests/forked_cli.py) answers as ``python -m conformance`` does:
the same exit code, standard output and standard error, from the call's directory and environment."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("arguments", "env", "configuration"),
    [
        (("run", "--target", "ftp://gws"), {}, None),  # a usage error: one line on stderr, exit 2
        (("list", "--page", "consult"), {}, None),  # stdout only, exit 0
        (("run",), {"GWS_CONFORMANCE_DEADLINE": "soon"}, None),  # the environment is the call's own
        (("run",), {}, 'colour = "blue"\n'),  # so is the directory, where ./gws-conformance.toml is read
    ],
    ids=["usage-error", "list", "environment", "directory"],
)
def test_a_forked_call_answers_as_a_fresh_interpreter(tmp_path, run_cli, arguments, env, configuration):
    if configuration is not None:
        (tmp_path / "gws-conformance.toml").write_text(configuration)
    forked = run_cli(*arguments, cwd=tmp_path, env=env)
    fresh = subprocess.run(
        [sys.executable, "-m", "conformance", *arguments],
        cwd=tmp_path,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert forked.stdout or forked.stderr
