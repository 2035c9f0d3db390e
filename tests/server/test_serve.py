"""gws-conformance serve: its configuration file, fault switches and usage errors."""

import socket
import subprocess
import sys

import pytest

from conformance.cli import main
from conformance.errors import ConfigError
from conformance.server.config import load_server_config
from conformance.server.faults import benign
from conformance.server.hostile import CATALOGUE as HOSTILE


def test_a_config_file_sets_agents_queues_and_settings(tmp_path):
    path = tmp_path / "server.toml"
    path.write_text(
        "csrf = false\nconnect_timeout_ms = 500\n"
        '[[agents]]\nusername = "ann"\npassword = "pw"\nnickname = "Ann"\n'
        '[[agents]]\nusername = "ben"\npassword = "pw2"\nfeatures = []\n'
        '[[queues]]\nname = "Q"\nmembers = ["ann"]\n'
    )
    directory, settings = load_server_config(path)
    assert not settings.csrf and settings.connect_timeout_ms == 500
    assert directory.agents["ann"].has_multimedia and not directory.agents["ben"].has_multimedia
    assert [q.members for q in directory.queues.values()] == [("ann",)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[agents]]\nusername = "a"\n', "agents[0].password: missing"),
        ('[[agents]]\nusername = "a"\npassword = "p"\nrole = "x"\n', "agents[0].role: unknown key"),
        ('csrf = "yes"\n', "csrf: expected true or false"),
        (
            '[[agents]]\nusername = "a"\npassword = "p"\n[[queues]]\nname = "Q"\nmembers = ["zed"]\n',
            "queues[0].members: 'zed' is not one of the agents",
        ),
        (
            '[[agents]]\nusername = "a"\npassword = "p"\n[[agents]]\nusername = "a"\npassword = "q"\n',
            "agents[1].username: 'a' is defined twice",
        ),
        ("port = 1\n", "(top level).port: unknown key"),
    ],
)
def test_config_mistakes_name_their_key(tmp_path, text, message):
    path = tmp_path / "server.toml"
    path.write_text(text)
    with pytest.raises(
        ConfigError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(").replace(")", r"\)")
    ):
        load_server_config(path)


def test_list_faults_names_each_fault_with_its_clause(capsys):
    assert main(["serve", "--list-faults"]) == 0
    lines = capsys.readouterr().out.splitlines()
    faults = [line for line in lines if "(benign: must pass)" not in line and "(hostile:" not in line]
    assert len(faults) >= 25 and all(line.split()[1].startswith("sms.") for line in faults)
    assert sum("(benign: must pass)" in line for line in lines) == len(benign()) >= 13  # listed after the faults
    assert sum("(hostile: --hostile NAME)" in line for line in lines) == len(HOSTILE)  # and the hostile fronts


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fault", "no-such-fault"], "unknown fault(s): no-such-fault"),
        (["--config", "/does/not/exist.toml"], "--config /does/not/exist.toml: No such file"),
        (["--port", "-5"], "'-5' is not a port number"),
        (["--port", "99999"], "'99999' is not a port number"),
        (["--port", "IN-USE"], "Address already in use"),
    ],
)
def test_usage_errors_exit_2_with_one_line(arguments, message):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        arguments = [str(taken.getsockname()[1]) if a == "IN-USE" else a for a in arguments]
        run = subprocess.run(
            [sys.executable, "-m", "conformance", "serve", *arguments], capture_output=True, text=True, timeout=30
        )
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr, run.stderr
