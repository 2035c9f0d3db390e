"""What a clause is: a numbered, citable requirement of one documentation page.

The catalogue itself is :mod:`conformance.spec.clauses`, split by page family."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):
    """MUST: a miss makes the server non-conformant. SHOULD: a miss is reported as a warning."""

    MUST = "MUST"
    SHOULD = "SHOULD"


@dataclass(frozen=True)
class DocPage:
    title: str
    url: str


DOCS = "https://docs.genesys.com/Documentation/"


@dataclass(frozen=True)
class Clause:
    id: str
    level: Level
    page: DocPage
    text: str


def make_clause(id: str, level: str, page: DocPage, text: str) -> Clause:
    return Clause(id, Level(level), page, text)
