"""What never reaches a report, a transcript or the console unredacted.

Credentials are always redacted: the ``Authorization``, ``Cookie``/``Set-Cookie`` and CSRF
headers of every recorded exchange by name, and every secret value the run knows (passwords,
Basic tokens, cookie values, CSRF tokens: :func:`register_secret`) wherever it appears, by value:
in bodies, notifications, messages and tracebacks, for a server that echoes what it was sent.

Customer content is redacted by default (``--no-redact-content`` shows it, for debugging):
the text of messages, nicknames, phone numbers, addresses, URLs pushed to the customer and
attached user data. It is redacted where observations are made, before any check sees them,
so failure messages, transcripts and ``results.json`` can only ever hold the redacted form; no
check judges the customer's content, and redaction keeps every value's JSON type (strings become a
marker, containers are redacted leaf by leaf), so schemas and ``recheck`` still apply. What the
suite itself wrote (a nickname it gave, a text it sent: :func:`register_own_content`) is nobody's
data and stays readable, so a check can see it arrive.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

REDACTED = "***"  # a credential
REDACTED_CONTENT = "«redacted»"  # customer content

SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "x-csrf-token"})
# Keys whose values are what a customer wrote or who the customer (or an agent) is.
CONTENT_KEYS = frozenset({"text", "message", "nickname", "phoneNumber", "fromAddress", "toAddress", "url", "userData"})


# The secrets by their first MIN_SECRET_LENGTH characters; replaced whole on each registration
# (copy on write), so a redaction reads it without a lock.
_BY_PREFIX: Mapping[str, tuple[str, ...]] = {}
_ESCAPED: tuple[str, ...] = ()  # each secret as it reads inside a JSON string, for redact_secrets' first look
_OWN_CONTENT: set[str] = set()
_SECRETS_LOCK = threading.Lock()
MIN_SECRET_LENGTH = 4  # shorter values would redact ordinary text


def register_secret(value: str | None) -> None:
    """A value that must never appear in any output, wherever it turns up."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        global _BY_PREFIX, _ESCAPED
        with _SECRETS_LOCK:
            prefix = value[:MIN_SECRET_LENGTH]
            known = _BY_PREFIX.get(prefix, ())
            if value not in known:
                # escaped forms first: a reader takes the index, then these, so it never has fewer of them
                _ESCAPED = (*_ESCAPED, json.dumps(value, ensure_ascii=False)[1:-1])
                _BY_PREFIX = {**_BY_PREFIX, prefix: (*known, value)}


def register_own_content(value: str) -> str:
    """A string the suite itself sends (never a customer's): content redaction leaves it readable."""
    with _SECRETS_LOCK:
        _OWN_CONTENT.add(value)
    return value


def redact_secrets(value: Any) -> Any:
    """``value`` (any JSON value, or text) with every registered secret replaced by ***: a copy
    when it held one, else ``value`` itself. Almost nothing a run records holds a secret, so the
    whole value is first serialized once (in C) and searched; only a value that holds one is
    walked and copied (a run registers a few secrets; a load's thousands are looked for while
    walking). JSON escapes character by character, so a secret inside any string of the value
    appears, escaped the same way, inside its serialization."""
    index, escaped = _BY_PREFIX, _ESCAPED
    if not index:
        return value
    if isinstance(value, str) or len(index) > FEW_SECRETS:
        return _without(value, index)
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):  # keys JSON cannot hold, or a cycle: walk it
        return _without(value, index)
    return _without(value, index) if any(secret in text for secret in escaped) else value


# Up to this many prefixes, a substring test per secret (in C) is the quicker search. A run registers
# a few per agent (password, Basic token, cookie, CSRF token): five agents and their logins passed 16,
# which walked every value a run records in Python (a third of a run's time); a load registers thousands.
FEW_SECRETS = 64


def _secrets_in(text: str, index: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The registered secrets ``text`` contains. A run registers a few: each is looked for with
    ``in``. A load run registers thousands (testing each made redaction the load generator's
    bottleneck): they are found by their first characters, one lookup per position."""
    if len(index) <= FEW_SECRETS:
        return {secret for secrets in index.values() for secret in secrets if secret in text}
    return {
        secret
        for start in range(len(text) - MIN_SECRET_LENGTH + 1)
        for secret in index.get(text[start : start + MIN_SECRET_LENGTH], ())
        if text.startswith(secret, start)
    }


def _without(value: Any, index: Mapping[str, tuple[str, ...]]) -> Any:
    if isinstance(value, str):
        for secret in sorted(_secrets_in(value, index), key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, Mapping):
        return {_without(key, index): _without(item, index) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without(item, index) for item in value]
    return value


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return redact_secrets(
        {name: REDACTED if name.lower() in SECRET_HEADERS else value for name, value in headers.items()}
    )


def redact_content(value: Any) -> Any:
    """A copy of a JSON value with the values under :data:`CONTENT_KEYS` redacted, at any depth."""
    if isinstance(value, Mapping):
        return {key: _blank(item) if key in CONTENT_KEYS else redact_content(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_content(item) for item in value]
    return value


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        return value if value in _OWN_CONTENT else REDACTED_CONTENT
    if isinstance(value, Mapping):
        return {key: _blank(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank(item) for item in value]
    return value
