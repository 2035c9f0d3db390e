"""The clause catalogue restates shared/spec/consult.md: same IDs, same levels, nothing missing."""

import os
import re
from pathlib import Path

import pytest

from conformance.spec.clauses import CLAUSES, Level, clause

CONSULT_MD = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "consult.md"
_ROW = re.compile(r"^\| `(sms\.consult\.[a-z.-]+)` \| (MUST|SHOULD) \|", re.MULTILINE)


def _documented_clauses() -> dict[str, str]:
    if not CONSULT_MD.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CONSULT_MD} is missing: CI runs with ../shared beside the checkout")
        pytest.skip(f"{CONSULT_MD} is not beside this checkout")
    return dict(_ROW.findall(CONSULT_MD.read_text()))


def test_every_consult_clause_is_catalogued_with_its_level() -> None:
    documented = _documented_clauses()
    catalogued = {c.id: c.level.value for c in CLAUSES if c.id.startswith("sms.consult.")}
    assert len(documented) >= 16
    assert {i: level for i, level in catalogued.items() if i in documented} == documented
    # what the catalogue adds is an assumption a reader would make, so at most a SHOULD, and says so
    added = [c for c in CLAUSES if c.id.startswith("sms.consult.") and c.id not in documented]
    assert all(c.level is Level.SHOULD and "assumed" in c.text for c in added), added


def test_clause_ids_are_unique_and_resolvable() -> None:
    ids = [c.id for c in CLAUSES]
    assert len(ids) == len(set(ids))
    assert clause("sms.consult.notify.order").level is Level.MUST
    with pytest.raises(KeyError, match=re.escape("sms.consult.nope")):
        clause("sms.consult.nope")
