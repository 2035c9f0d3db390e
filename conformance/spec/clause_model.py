"""What a clause is: a numbered, citable requirement of one documentation page.

The catalogue itself is :mod:`conformance.spec.clauses`, split by page family; the pages are
:mod:`conformance.spec.pages`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from conformance.spec.pages import Page


class Level(StrEnum):
    """MUST: a miss makes the server non-conformant. SHOULD: a miss is reported as a warning."""

    MUST = "MUST"
    SHOULD = "SHOULD"


@dataclass(frozen=True)
class Clause:
    id: str
    level: Level
    page: Page
    text: str


def make_clause(id: str, level: str, page: Page, text: str) -> Clause:
    return Clause(id, Level(level), page, text)
