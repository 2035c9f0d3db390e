"""What never reaches a report, a transcript or the console unredacted.

Credentials are always redacted: the ``Authorization``, ``Cookie``/``Set-Cookie`` and CSRF
headers of every recorded exchange (the REST client records nothing else that is secret).

Customer content is redacted by default (``--no-redact-content`` shows it, for debugging):
the text of messages, nicknames, phone numbers, addresses, URLs pushed to the customer and
attached user data. It is redacted where observations are made, before any check sees them,
so failure messages, transcripts and ``results.json`` can only ever hold the redacted form; no
check judges content, and redaction keeps every value's JSON type (strings become a marker,
containers are redacted leaf by leaf), so schemas and ``recheck`` still apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REDACTED = "***"  # a credential
REDACTED_CONTENT = "«redacted»"  # customer content

SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "x-csrf-token"})
# Keys whose values are what a customer wrote or who the customer (or an agent) is.
CONTENT_KEYS = frozenset({"text", "message", "nickname", "phoneNumber", "fromAddress", "toAddress", "url",
                          "userData"})


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: REDACTED if name.lower() in SECRET_HEADERS else value for name, value in headers.items()}


def redact_content(value: Any) -> Any:
    """A copy of a JSON value with the values under :data:`CONTENT_KEYS` redacted, at any depth."""
    if isinstance(value, Mapping):
        return {key: _blank(item) if key in CONTENT_KEYS else redact_content(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_content(item) for item in value]
    return value


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        return REDACTED_CONTENT
    if isinstance(value, Mapping):
        return {key: _blank(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank(item) for item in value]
    return value
