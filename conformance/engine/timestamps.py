"""GWS message timestamps: ``timestamp`` (local time with offset) and ``timestampSeconds``.

Erratum 4 of the Consult page: ``timestampSeconds`` is, despite its name, milliseconds since the
epoch (1389039246007 is 2014-01-06 12:14:06.007-0800). Timestamps come with a space or a ``T``
between date and time and an offset as ``-0800`` or ``-08:00`` (the SendCustomNotice page prints
a space; ISO 8601 uses ``T``).
"""

from __future__ import annotations

from datetime import datetime


def epoch_millis(timestamp: str) -> int:
    """Milliseconds since the epoch; ValueError for text that is not a timestamp with an offset."""
    parsed = datetime.fromisoformat(timestamp)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {timestamp!r} has no UTC offset")
    return round(parsed.timestamp() * 1000)


def disagreement(timestamp: object, timestamp_seconds: object) -> str | None:
    """Why the two fields are not the same instant, or None when they are.

    The comparison allows the precision the timestamp text carries: a timestamp printed to the
    second matches any millisecond value within that second.
    """
    if not isinstance(timestamp, str) or not isinstance(timestamp_seconds, int) or isinstance(timestamp_seconds, bool):
        return f"expected a timestamp string and an integer, got {timestamp!r} and {timestamp_seconds!r}"
    try:
        millis = epoch_millis(timestamp)
    except ValueError as exc:
        return str(exc)
    tolerance = 0 if "." in timestamp.split(":")[2] else 999
    if not 0 <= timestamp_seconds - millis <= tolerance:
        hint = " (timestampSeconds looks like seconds)" if abs(timestamp_seconds * 1000 - millis) < 1000 else ""
        return f"{timestamp} is {millis} ms since the epoch, timestampSeconds is {timestamp_seconds}{hint}"
    return None
