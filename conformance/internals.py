"""Every use of a private or undocumented API of pytest and schemathesis, in one place.

The plugin needs a few things neither library offers publicly: a SHOULD violation shown as
pytest's xfail (``report.wasxfail``), the reason of a skip (``report.longrepr[2]``), a node id
with parameters added after collection (pytest 9's ``item._id``), and whether a schemathesis case
was made invalid in its body (``schemathesis.core.parameters``). ``tests/test_internals.py``
exercises each against the installed versions, so an upgrade that breaks one fails loudly there,
not quietly in a report.
"""

from __future__ import annotations

from typing import Any

import pytest


def add_to_node_id(item: pytest.Item, label: str) -> None:
    """``item``'s node id with ``[label]`` appended (pytest 9's structured node id)."""
    item._id = item._id.with_params(label)


def shown_as_xfail(report: pytest.TestReport, reason: str) -> None:
    """Report the phase as pytest's xfail with ``reason`` (how a warning or a waived failure is shown)."""
    report.outcome, report.wasxfail = "skipped", reason


def xfail_reason(report: pytest.TestReport) -> str:
    return getattr(report, "wasxfail", "")


def not_xfail(report: pytest.TestReport) -> None:
    if hasattr(report, "wasxfail"):
        del report.wasxfail


def skip_reason(report: pytest.TestReport) -> str | None:
    """The reason of a skipped phase, or None when the report does not carry one."""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return None


def negative_in_body(case: Any) -> bool:
    """Whether schemathesis generated ``case`` to be invalid in its request body."""
    from schemathesis.core.parameters import ParameterLocation

    return case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY)
