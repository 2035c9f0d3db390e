"""Turning the documentation page's samples into JSON.

The Consult page prints its notifications as Python 2 reprs (``u'...'`` strings, single quotes,
long literals ``1389039246007L``) and its formatting inserted spaces into values (errata 2 and 3
in ``schemas/ERRATA.md``). :func:`normalize_repr` translates the repr syntax token by token into
JSON (hand-written: ``ast.literal_eval`` rejects Python 2's ``u''``-less long literals ``123L``,
and ``eval`` is never acceptable on text from outside) and then undoes the formatting quirks,
each with a named, documented repair.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>[uUbB]?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"))
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)[lL]?
  | (?P<word>True|False|None)
  | (?P<punct>[{}\[\]:,])
    """,
    re.VERBOSE,
)
_WORDS = {"True": "true", "False": "false", "None": "null"}
_ESCAPES = {"\\'": "'", '\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t", "\\r": "\r"}


class ReprSyntaxError(ValueError):
    pass


def _unquote(literal: str) -> str:
    body = literal.lstrip("uUbB")[1:-1]
    return re.sub(
        r"\\u[0-9a-fA-F]{4}|\\.",
        lambda m: _ESCAPES.get(m.group(), m.group()) if len(m.group()) == 2 else chr(int(m.group()[2:], 16)),
        body,
    )


def _json_tokens(text: str) -> Iterator[str]:
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ReprSyntaxError(f"unexpected {text[position : position + 20]!r} at offset {position}")
        position = match.end()
        kind = match.lastgroup
        if kind == "string":
            yield json.dumps(_unquote(match.group()), ensure_ascii=False)
        elif kind == "number":
            yield match.group("number")
        elif kind == "word":
            yield _WORDS[match.group()]
        elif kind == "punct":
            yield match.group()


# --- the formatting quirks of the page (ERRATA.md, erratum 3) --------------------------------------


def _repair_url(value: str) -> str:
    """'http: //localhost: 8080/api' -> 'http://localhost:8080/api'."""
    value = re.sub(r"^([a-z][a-z0-9+.-]*): //", r"\1://", value)
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^/\s:]+): (\d+)", r"\1:\2", value)


def _repair_timestamp(value: str) -> str:
    """'2014-01-0612: 14: 06.007-0800' -> '2014-01-06 12:14:06.007-0800' (the space between date
    and time was lost, spaces were inserted after the colons)."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}) ?(\d{2}): ?(\d{2}): ?(\d{2}(?:\.\d+)?)([+-]\d{4})", value)
    return f"{match[1]} {match[2]}:{match[3]}:{match[4]}{match[5]}" if match else value


# Words the page's formatting glued together; the repair puts back the one space it removed.
_GLUED_WORDS = {"Operationfailed": "Operation failed"}


def _repair_glued_words(value: str) -> str:
    return _GLUED_WORDS.get(value, value)


REPAIRS: tuple[Callable[[str], str], ...] = (_repair_url, _repair_timestamp, _repair_glued_words)


def _repair(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _repair(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_repair(item) for item in value]
    if isinstance(value, str):
        for repair in REPAIRS:
            value = repair(value)
    return value


def normalize_repr(text: str) -> Any:
    """A Python-repr (or JSON) sample of the page as a JSON value, with the formatting quirks undone."""
    try:
        return _repair(json.loads("".join(_json_tokens(text))))
    except json.JSONDecodeError as exc:
        raise ReprSyntaxError(f"not a repr of a JSON-like value: {exc}") from None


# --- the samples of the Consult page --------------------------------------------------------------

# Sample name -> the label line that precedes it on the page.
CONSULT_SAMPLE_LABELS = {
    "request": "Request",
    "response": "Response",
    "notification-participants-updated": "First Notification",
    "notification-new-messages": "Second Notification",
    "notification-error": "Failed",
}


def consult_samples(page: str) -> dict[str, Any]:
    """The Consult page's samples by name, normalized. The request sample is printed after its
    (wrong, erratum 1) URL on the same line; only its body is kept."""
    lines = [line.strip() for line in page.splitlines()]
    samples = {}
    for name, label in CONSULT_SAMPLE_LABELS.items():
        try:
            text = lines[lines.index(label) + 1]
        except (ValueError, IndexError):
            raise ReprSyntaxError(f"the page has no sample labelled {label!r}") from None
        samples[name] = normalize_repr(text[text.index("{") :])
    return samples
