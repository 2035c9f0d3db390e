"""The configuration of a conformance run.

One precedence, highest first: command-line flags > environment (``GWS_CONFORMANCE_*``) > a TOML
file (``--config FILE``, else ``gws-conformance.toml`` in the working directory) > defaults.
No target anywhere means: start the built-in reference server and use its agents.

The TOML file::

    target = "https://gws.example.com:8443"   # GWS_CONFORMANCE_TARGET
    deadline = 10                              # seconds per expected notification; GWS_CONFORMANCE_DEADLINE
    barrier_timeout = 30                       # seconds for the marker notifications that bracket each
                                               # operation; exceeded = unobservable (error, not fail);
                                               # GWS_CONFORMANCE_BARRIER_TIMEOUT
    concurrency = 8                            # scenarios (each on its own session) run at the same time;
                                               # 1 where agents cannot take several sessions at once;
                                               # GWS_CONFORMANCE_CONCURRENCY
    quiet_window = 1.0                         # seconds of silence that end a stream where the server
                                               # gives no marker; GWS_CONFORMANCE_QUIET_WINDOW
    observation = "auto"                       # auto (calibrated per agent), markers or quiet;
                                               # GWS_CONFORMANCE_OBSERVATION
    http_timeout = 30                          # seconds for one whole HTTP exchange, body included;
                                               # GWS_CONFORMANCE_HTTP_TIMEOUT
    max_body_bytes = 8388608                   # a response body over it is refused unread;
                                               # GWS_CONFORMANCE_MAX_BODY_BYTES
    max_time = 600                             # seconds for the whole run: then it stops with partial
                                               # reports; GWS_CONFORMANCE_MAX_TIME
    notification_path = "/api/v2/notifications"  # GWS_CONFORMANCE_NOTIFICATION_PATH
    sms_topic = "/v2/me/smssessions"           # assumed by gws-conventions; GWS_CONFORMANCE_SMS_TOPIC
    media = "sms"                              # assumed channel name for Ready; GWS_CONFORMANCE_MEDIA
    redact_content = true                      # customer content in outputs; false only for debugging
                                               # (--no-redact-content); credentials are always redacted;
                                               # GWS_CONFORMANCE_REDACT_CONTENT

    [tls]
    verify = true                              # GWS_CONFORMANCE_TLS_VERIFY (true/false)
    ca_bundle = "/etc/ssl/gws-ca.pem"          # GWS_CONFORMANCE_CA_BUNDLE
    client_cert = "client.pem"                 # optional, with client_key
    client_key = "client.key"

    [agents.originator]                        # required with a target; also: consultant (required),
    username = "agent1"                        # third (consulted while logged out: the unavailable
    password_env = "AGENT1_PASSWORD"           # target), no_feature (a user without api-multimedia),
                                               # supervisor (one that supervises the originator: Intrude)
    uri = "https://gws.example.com:8443/api/v2/users/<id>"
    path = "/users/<id>"

    [queue]                                    # optional: a queue to consult, invite and transfer through
    uri = "https://gws.example.com:8443/api/v2/queues/<id>"
    path = "/queues/<id>"
    name = "SMS Consult"                       # the queueName of Transfer and Complete
    members = ["consultant"]                   # roles of agents in the queue: the one that joins must be one

    [source]                                   # where SMS sessions come from; GWS_CONFORMANCE_SOURCE
    kind = "reference"                         # reference | existing | command
    session_ids = ["0000Na9B26EF006E"]         # for existing: Chatting sessions of the originator
    invited_session_ids = ["0000Na9B26EF007A"] # for existing: sessions offered to the originator, not yet
                                               # accepted (Accept, Reject); for command, the injected SMS
                                               # arrives Invited and is accepted where a check needs Chatting
    command = "sms-inject --to 5551234"        # for command: makes an inbound SMS arrive
    probe_command = "sms-inbox {session_id}"   # optional, for command: prints, as a JSON list of messages,
                                               # what the customer's phone holds (the customer probe)

A mistake raises :class:`ConfigError` naming the key; the CLI prints it on one line and exits 2.
Passwords are :class:`Secret` values: their repr never shows them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from conformance.errors import ConfigError

ENV_PREFIX = "GWS_CONFORMANCE_"
DEFAULT_FILE = "gws-conformance.toml"
ROLES = ("originator", "consultant", "third", "no_feature", "supervisor")
REQUIRED_ROLES = ("originator", "consultant")
SOURCE_KINDS = ("reference", "existing", "command")
OBSERVATION_MODES = ("auto", "markers", "quiet")  # see conformance.engine.stage


class Secret:
    """A credential: usable through ``.value``, never shown by repr or str."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass(frozen=True)
class AgentConfig:
    role: str
    username: str
    password: Secret
    nickname: str = ""
    uri: str = ""
    path: str = ""

    @property
    def shown_name(self) -> str:
        """The nickname an Accept gives the customer (the Accept page lists it): the configured
        one, else the username."""
        return self.nickname or self.username


@dataclass(frozen=True)
class QueueConfig:
    uri: str = ""
    path: str = ""
    name: str = ""  # the queue's name, as Transfer and Complete take it (queueName)
    members: tuple[str, ...] = ()  # roles of the agents in the queue


@dataclass(frozen=True)
class TlsConfig:
    verify: bool = True
    ca_bundle: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None


@dataclass(frozen=True)
class SourceConfig:
    kind: str = "reference"
    session_ids: tuple[str, ...] = ()
    invited_session_ids: tuple[str, ...] = ()
    command: str = ""
    probe_command: str = ""  # for the command source: prints what the customer's phone holds


@dataclass(frozen=True)
class Config:
    target: str | None = None
    deadline: float = 10.0
    barrier_timeout: float = 30.0
    quiet_window: float = 1.0  # seconds of silence that end a stream without markers (conformance.engine.stage)
    observation: str = "auto"  # auto | markers | quiet
    concurrency: int = 8  # scenarios at the same time (conformance.engine.context.Conformance.launch)
    http_timeout: float = 30.0
    max_body_bytes: int = 8 * 2**20  # one response body, decoded (conformance.client.rest)
    max_time: float = 600.0  # the whole run (conformance.plugin)
    notification_path: str = "/api/v2/notifications"
    sms_topic: str = "/v2/me/smssessions"
    media: str = "sms"
    redact_content: bool = True  # customer content in every output (conformance.redaction)
    tls: TlsConfig = field(default_factory=TlsConfig)
    agents: Mapping[str, AgentConfig] = field(default_factory=dict)
    queue: QueueConfig | None = None
    source: SourceConfig = field(default_factory=SourceConfig)
    # gws-conformance load: one (originator, consultant) pair per simulated user ([[load.pairs]]);
    # none configured: the originator and consultant of [agents], as one pair
    load_pairs: tuple[tuple[AgentConfig, AgentConfig], ...] = ()

    @property
    def base_url(self) -> str:
        return (self.target or "").rstrip("/")

    def agent(self, role: str) -> AgentConfig | None:
        return self.agents.get(role)

    def with_reference_server(self, base_url: str, listing: Mapping[str, Any]) -> Config:
        """This configuration pointed at a reference server, with its agents in the roles
        (``listing`` is the answer of ``GET /conformance/v1/agents``)."""
        by_name = {a["username"]: a for a in listing["agents"]}
        roles = {
            "originator": "alice",
            "consultant": "bob",
            "third": "carol",
            "no_feature": "dave",
            "supervisor": "erin",
        }
        agents = {
            role: AgentConfig(
                role,
                name,
                Secret(by_name[name]["password"]),
                by_name[name]["nickname"],
                by_name[name]["userUri"],
                by_name[name]["userPath"],
            )
            for role, name in roles.items()
            if name in by_name
        }
        queues = listing.get("queues") or []
        role_of = {name: role for role, name in roles.items()}
        queue = (
            QueueConfig(
                queues[0]["queueUri"],
                queues[0]["queuePath"],
                queues[0]["name"],
                tuple(role_of[m] for m in queues[0]["members"] if m in role_of),
            )
            if queues
            else None
        )
        return replace(self, target=base_url, agents=agents, queue=queue, source=SourceConfig("reference"))


# --- reading -------------------------------------------------------------------------------------------

_TOP_KEYS = {
    "target",
    "deadline",
    "barrier_timeout",
    "quiet_window",
    "observation",
    "concurrency",
    "http_timeout",
    "max_body_bytes",
    "max_time",
    "notification_path",
    "sms_topic",
    "media",
    "redact_content",
    "tls",
    "agents",
    "queue",
    "source",
    "load",
}
_ENV_KEYS = {
    "target": "TARGET",
    "deadline": "DEADLINE",
    "barrier_timeout": "BARRIER_TIMEOUT",
    "quiet_window": "QUIET_WINDOW",
    "observation": "OBSERVATION",
    "concurrency": "CONCURRENCY",
    "http_timeout": "HTTP_TIMEOUT",
    "max_body_bytes": "MAX_BODY_BYTES",
    "max_time": "MAX_TIME",
    "notification_path": "NOTIFICATION_PATH",
    "sms_topic": "SMS_TOPIC",
    "media": "MEDIA",
    "redact_content": "REDACT_CONTENT",
    "tls.verify": "TLS_VERIFY",
    "tls.ca_bundle": "CA_BUNDLE",
    "source.kind": "SOURCE",
}


def read_toml(path: Path, option: str) -> dict[str, Any]:
    """A TOML file's tables; ConfigError naming the option and the file when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{option} {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{option} {path}: not valid TOML: {exc}") from None


def checked_table(value: object, key: str, allowed: set[str]) -> dict[str, Any]:
    """``value`` as a TOML table with only ``allowed`` keys; ConfigError naming the first other key."""
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}: unknown key (known: {', '.join(sorted(allowed))})")
    return value


def _string(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    return value


def _seconds(value: object, key: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ConfigError(f"{key}: expected a number of seconds, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{key}: expected a positive number of seconds, got {value!r}")
    return float(value)


def _count(value: object, key: str) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{key}: expected a whole number of at least 1, got {value!r}")
    return value


def _boolean(value: object, key: str) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    return value


def _path(value: object, key: str, base: Path) -> Path:
    path = base / _string(value, key)
    if not path.exists():
        raise ConfigError(f"{key}: {path} does not exist")
    return path


def parse_target(value: object, key: str) -> str:
    url = _string(value, key).rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
        raise ConfigError(f"{key}: expected an http:// or https:// URL, got {value!r}")
    return url


def _agent(role: str, raw: object, environ: Mapping[str, str], key: str = "") -> AgentConfig:
    key = key or f"agents.{role}"
    table = checked_table(raw, key, {"username", "password", "password_env", "nickname", "uri", "path"})
    if "username" not in table:
        raise ConfigError(f"{key}.username: missing")
    if "password_env" in table:
        variable = _string(table["password_env"], f"{key}.password_env")
        if variable not in environ:
            raise ConfigError(f"{key}.password_env: environment variable {variable} is not set")
        password = environ[variable]
    elif "password" in table:
        password = _string(table["password"], f"{key}.password")
    else:
        raise ConfigError(f"{key}.password: missing (give password or password_env)")
    # uri and path may both be left out: the run takes them from the server (GET /api/v2/me)
    fields = {name: _string(table.get(name, ""), f"{key}.{name}") for name in ("nickname", "uri", "path")}
    return AgentConfig(role, _string(table["username"], f"{key}.username"), Secret(password), **fields)


def _load_pairs(raw: object, environ: Mapping[str, str]) -> tuple[tuple[AgentConfig, AgentConfig], ...]:
    pairs = checked_table(raw, "load", {"pairs"}).get("pairs", [])
    if not isinstance(pairs, list):
        raise ConfigError("load.pairs: expected [[load.pairs]] tables, each with an originator and a consultant")
    found = []
    for number, pair in enumerate(pairs, 1):
        table = checked_table(pair, f"load.pairs[{number}]", {"originator", "consultant"})
        if set(table) != {"originator", "consultant"}:
            raise ConfigError(f"load.pairs[{number}]: give both an originator and a consultant")
        found.append(
            (
                _agent("originator", table["originator"], environ, f"load.pairs[{number}].originator"),
                _agent("consultant", table["consultant"], environ, f"load.pairs[{number}].consultant"),
            )
        )
    return tuple(found)


def _merged(file_values: dict[str, Any], environ: Mapping[str, str], flags: Mapping[str, object]) -> dict[str, Any]:
    """File values overlaid with the environment, then with flags (dotted keys for nested values)."""
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in file_values.items()}
    overlay: dict[str, object] = {
        dotted: environ[ENV_PREFIX + name] for dotted, name in _ENV_KEYS.items() if ENV_PREFIX + name in environ
    }
    overlay.update({key: value for key, value in flags.items() if value is not None})
    for dotted, value in overlay.items():
        section, _, name = dotted.partition(".")
        if name:
            merged.setdefault(section, {})[name] = value
        else:
            merged[section] = value
    return merged


def load_config(
    *,
    flags: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    cwd: Path | None = None,
) -> Config:
    environ = os.environ if environ is None else environ
    cwd = cwd or Path.cwd()
    file_values: dict[str, Any] = {}
    base = cwd
    path = config_file or (cwd / DEFAULT_FILE if (cwd / DEFAULT_FILE).exists() else None)
    if path is not None:
        file_values = read_toml(Path(path), "--config")
        base = Path(path).parent
    values = checked_table(_merged(file_values, environ, flags or {}), "(top level)", _TOP_KEYS)

    settings: dict[str, Any] = {}
    if values.get("target") is not None:
        settings["target"] = parse_target(values["target"], "target")
    for key in ("deadline", "barrier_timeout", "quiet_window", "http_timeout", "max_time"):
        if key in values:
            settings[key] = _seconds(values[key], key)
    for key in ("concurrency", "max_body_bytes"):
        if key in values:
            settings[key] = _count(values[key], key)
    if "observation" in values:
        settings["observation"] = _string(values["observation"], "observation")
        if settings["observation"] not in OBSERVATION_MODES:
            raise ConfigError(
                f"observation: expected one of {', '.join(OBSERVATION_MODES)}, got {settings['observation']!r}"
            )
    for key in ("notification_path", "sms_topic", "media"):
        if key in values:
            settings[key] = _string(values[key], key)
    if "redact_content" in values:
        settings["redact_content"] = _boolean(values["redact_content"], "redact_content")

    tls = checked_table(values.get("tls", {}), "tls", {"verify", "ca_bundle", "client_cert", "client_key"})
    settings["tls"] = TlsConfig(
        verify=_boolean(tls.get("verify", True), "tls.verify"),
        **{
            name: _path(tls[name], f"tls.{name}", base)
            for name in ("ca_bundle", "client_cert", "client_key")
            if name in tls
        },
    )

    agents = checked_table(values.get("agents", {}), "agents", set(ROLES))
    settings["agents"] = {role: _agent(role, raw, environ) for role, raw in agents.items()}
    if "queue" in values:
        queue = checked_table(values["queue"], "queue", {"uri", "path", "name", "members"})
        members = queue.pop("members", [])
        if not isinstance(members, list) or not all(m in ROLES for m in members):
            raise ConfigError(f"queue.members: expected a list of agent roles ({', '.join(ROLES)})")
        settings["queue"] = QueueConfig(
            **{k: _string(v, f"queue.{k}") for k, v in queue.items()}, members=tuple(members)
        )

    source = checked_table(
        values.get("source", {}), "source", {"kind", "session_ids", "invited_session_ids", "command", "probe_command"}
    )
    kind = _string(source.get("kind", "reference"), "source.kind")
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"source.kind: expected one of {', '.join(SOURCE_KINDS)}, got {kind!r}")
    ids, invited = source.get("session_ids", []), source.get("invited_session_ids", [])
    for key, value in (("session_ids", ids), ("invited_session_ids", invited)):
        if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
            raise ConfigError(f"source.{key}: expected a list of session id strings")
    if kind == "existing" and not ids:
        raise ConfigError("source.session_ids: the existing source needs at least one session id")
    command = _string(source.get("command", ""), "source.command")
    if kind == "command" and not command:
        raise ConfigError("source.command: the command source needs a command line")
    probe = _string(source.get("probe_command", ""), "source.probe_command")
    if probe and kind != "command":
        raise ConfigError("source.probe_command: only the command source takes a probe command")
    settings["source"] = SourceConfig(kind, tuple(ids), tuple(invited), command, probe)
    settings["load_pairs"] = _load_pairs(values.get("load", {}), environ)

    config = Config(**settings)
    # A reference source asks the (reference) server for its agents; any other source needs them here.
    if config.target is not None and config.source.kind != "reference":
        for role in REQUIRED_ROLES:
            if role not in config.agents:
                raise ConfigError(f"agents.{role}: required with the {config.source.kind} session source")
    return config
