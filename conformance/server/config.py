"""``gws-conformance serve --config FILE``: the reference server's agents, queues and settings.

    csrf = true                  # require the CSRF token on writes (GWS's enableCsrfProtection)
    connect_timeout_ms = 30000   # how long a /meta/connect is held
    max_interval_ms = 10000      # a CometD client that does not reconnect within this expires

    [[agents]]
    username = "alice"
    password = "alice-pass"
    nickname = "Alice"
    features = ["api-multimedia"]     # default; [] makes a user without the SMS API

    [[queues]]
    name = "SMS Consult"
    members = ["bob", "carol"]

Without ``[[agents]]`` the default directory is used. Mistakes raise :class:`ConfigError`
naming the key (the CLI prints one line and exits 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.config import checked_table, read_toml
from conformance.errors import ConfigError
from conformance.server.app import ServerSettings
from conformance.server.directory import (
    MULTIMEDIA,
    Directory,
    agent,
    default_directory,
    queue,
)


def _typed(value: Any, key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ConfigError(f"{key}: expected {what}, got {value!r}")
    return value


def load_server_config(path: Path) -> tuple[Directory, ServerSettings]:
    raw = read_toml(path, "--config")
    checked_table(raw, "(top level)", {"csrf", "connect_timeout_ms", "max_interval_ms", "agents", "queues"})
    settings = ServerSettings(
        csrf=_typed(raw.get("csrf", True), "csrf", bool, "true or false"),
        connect_timeout_ms=_typed(raw.get("connect_timeout_ms", 30_000), "connect_timeout_ms", int, "milliseconds"),
        max_interval_ms=_typed(raw.get("max_interval_ms", 10_000), "max_interval_ms", int, "milliseconds"),
    )
    if "agents" not in raw:
        return default_directory(), settings
    agents = {}
    for number, entry in enumerate(_typed(raw["agents"], "agents", list, "an array of [[agents]] tables")):
        key = f"agents[{number}]"
        entry = checked_table(entry, key, {"username", "password", "nickname", "features"})
        for required in ("username", "password"):
            if required not in entry:
                raise ConfigError(f"{key}.{required}: missing")
        username = _typed(entry["username"], f"{key}.username", str, "a string")
        if username in agents:
            raise ConfigError(f"{key}.username: {username!r} is defined twice")
        features = _typed(entry.get("features", [MULTIMEDIA]), f"{key}.features", list, "a list of strings")
        agents[username] = agent(
            username,
            _typed(entry.get("nickname", username), f"{key}.nickname", str, "a string"),
            features=frozenset(_typed(f, f"{key}.features", str, "a string") for f in features),
            password=_typed(entry["password"], f"{key}.password", str, "a string"),
        )
    queues = {}
    for number, entry in enumerate(_typed(raw.get("queues", []), "queues", list, "an array of [[queues]] tables")):
        key = f"queues[{number}]"
        entry = checked_table(entry, key, {"name", "members"})
        members = _typed(entry.get("members", []), f"{key}.members", list, "a list of usernames")
        for member in members:
            if member not in agents:
                raise ConfigError(f"{key}.members: {member!r} is not one of the agents")
        made = queue(_typed(entry.get("name"), f"{key}.name", str, "a string"), tuple(members))
        queues[made.queue_id] = made
    return Directory(agents, queues), settings
