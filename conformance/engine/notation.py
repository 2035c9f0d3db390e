"""The suite's notation for what it saw, in messages and reports: never a Python repr.

A notification is written by its type, the types of the messages it carries and the state of the
session it carries (``NewMessages(ParticipantJoined)``, ``StatusChange[Completed]``); a sequence
as ``ParticipantsUpdated@+0.012s -> NewMessages(ParticipantJoined)@+0.013s``; a body as compact
JSON, cut after :data:`BODY_LIMIT` characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

BODY_LIMIT = 300


def describe(data: Mapping[str, Any]) -> str:
    """A short, stable name for a notification: notificationType and its message types."""
    name = str(data.get("notificationType", "?"))
    messages = data.get("messages")
    if isinstance(messages, list):
        types = ",".join(str(m.get("type", "?")) for m in messages if isinstance(m, Mapping))
        name += f"({types})"
    session = data.get("smssession")
    state = session.get("state") if isinstance(session, Mapping) else None
    if state:
        name += f"[{state}]"
    return name


def body(value: Any) -> str:
    """A body (or any JSON value) as compact JSON, cut after BODY_LIMIT characters."""
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1] + "…"


def names(values: Iterable[object]) -> str:
    """Plain values as a list for people: ``a, b, c`` (nothing: ``none``)."""
    shown = [str(v) for v in values]
    return ", ".join(shown) if shown else "none"
