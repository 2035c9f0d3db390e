"""Configuration: flags > environment > TOML file > defaults; every mistake names its key."""

import re
from pathlib import Path

import pytest

from conformance.config import Secret, load_config
from conformance.errors import ConfigError

FILE = """
target = "https://file.example:8443"
deadline = 7
sms_topic = "/v2/me/file-topic"
[agents.originator]
username = "agent1"
password_env = "AGENT1_PW"
uri = "https://file.example:8443/api/v2/users/1"
[agents.consultant]
username = "agent2"
password = "from-file"
path = "/users/2"
[source]
kind = "existing"
session_ids = ["S1", "S2"]
"""
ENVIRON = {"AGENT1_PW": "secret-1"}


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "gws-conformance.toml"
    path.write_text(FILE)
    return path


def test_defaults_mean_the_built_in_server(tmp_path):
    config = load_config(environ={}, cwd=tmp_path)
    assert config.target is None and config.deadline == 10 and config.sms_topic == "/v2/me/smssessions"
    assert config.source.kind == "reference" and config.tls.verify


def test_the_file_in_the_working_directory_is_read(config_file):
    config = load_config(environ=ENVIRON, cwd=config_file.parent)
    assert config.target == "https://file.example:8443" and config.deadline == 7
    assert config.agent("originator").password.value == "secret-1"
    assert config.agent("consultant").path == "/users/2" and config.source.session_ids == ("S1", "S2")


def test_environment_beats_the_file_and_flags_beat_both(config_file):
    environ = {
        **ENVIRON,
        "GWS_CONFORMANCE_TARGET": "https://env.example",
        "GWS_CONFORMANCE_DEADLINE": "3",
        "GWS_CONFORMANCE_SMS_TOPIC": "/v2/me/env-topic",
    }
    config = load_config(environ=environ, config_file=config_file)
    assert (config.target, config.deadline, config.sms_topic) == ("https://env.example", 3.0, "/v2/me/env-topic")
    flagged = load_config(
        flags={"target": "https://flag.example", "deadline": 2.5}, environ=environ, config_file=config_file
    )
    assert (flagged.target, flagged.deadline, flagged.sms_topic) == ("https://flag.example", 2.5, "/v2/me/env-topic")


def test_a_password_never_shows_in_a_repr(config_file):
    config = load_config(environ=ENVIRON, config_file=config_file)
    assert "secret-1" not in repr(config) and "from-file" not in repr(config) and "***" in repr(config)
    assert str(Secret("x")) == "Secret('***')"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('target = "gws.example"', "target"),
        ("deadline = -1", "deadline"),
        ("deadline = true", "deadline"),
        ('[tls]\nverify = "perhaps"', "tls.verify"),
        ('[tls]\nca_bundle = "missing.pem"', "tls.ca_bundle"),
        ('[tls]\nciphers = "all"', "tls.ciphers"),
        ('[agents.boss]\nusername = "x"', "agents.boss"),
        ('[agents.originator]\npassword = "x"\nuri = "u"', "agents.originator.username"),
        ('[agents.originator]\nusername = "x"\nuri = "u"', "agents.originator.password"),
        ('[agents.originator]\nusername = 5\npassword = "p"\nuri = "u"', "agents.originator.username"),
        ('[source]\nkind = "magic"', "source.kind"),
        ('[source]\nkind = "existing"', "source.session_ids"),
        ('[source]\nkind = "command"', "source.command"),
        ('[queue]\nlabel = "q"', "queue.label"),
        ("agents = 3", "agents"),
    ],
)
def test_each_mistake_names_its_key(tmp_path, text, key):
    path = tmp_path / "c.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(environ={}, config_file=path)
    assert str(error.value).startswith(key + ":") or str(error.value).startswith(key + "."), str(error.value)


def test_an_unreadable_or_broken_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=re.escape("does-not-exist.toml")):
        load_config(environ={}, config_file=tmp_path / "does-not-exist.toml")
    (tmp_path / "bad.toml").write_text("target = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(environ={}, config_file=tmp_path / "bad.toml")
