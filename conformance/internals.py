"""Every use of a private or undocumented API of pytest and schemathesis, in one place.

The plugin needs a few things neither library offers publicly: a SHOULD violation shown as
pytest's xfail (``report.wasxfail``), the reason of a skip (``report.longrepr[2]``), a node id
with parameters added after collection (pytest 9's ``item._id``), a fixture's cached exception
(``fixturedef.cached_result``), whether a schemathesis case
was made invalid in its body (``schemathesis.core.parameters``), and Hypothesis without the
constants it collects from local source files. ``tests/test_internals.py``
exercises each against the installed versions, so an upgrade that breaks one fails loudly there,
not quietly in a report.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

import pytest


class CheckReport(Protocol):
    """The fields the plugin attaches to a check's pytest report, typed. Plain values: xdist
    carries a report's attributes from a worker to the controller by serializing them."""

    gws_verdict: str
    gws_message: str
    gws_kinds: list[str]
    gws_cause: str | None
    gws_skip_key: str | None
    gws_transcript: list[str]
    gws_recordings: dict[str, Any]
    gws_waiver: dict[str, str]
    extras: list[Any]  # pytest-html's


def check_fields(report: pytest.TestReport) -> CheckReport:
    """``report`` seen through the fields the plugin attaches (pytest reports take any attribute)."""
    return cast(CheckReport, report)


def cache_outcome_instead(fixturedef: pytest.FixtureDef[Any], raised: BaseException, instead: BaseException) -> None:
    """A fixture that raised ``raised`` (cached by pytest, ``fixturedef.cached_result``) raises
    ``instead`` for every later request of it too: pytest re-raises a cached exception without
    calling ``pytest_fixture_setup`` again, so a hook that turns an exception into a skip must
    turn the cached one too, or the second check of a module fixture would error."""
    cached = fixturedef.cached_result
    if cached is not None and cached[2] is not None and cached[2][0] is raised:
        fixturedef.cached_result = (None, cached[1], (instead, instead.__traceback__))


def add_to_node_id(item: pytest.Item, label: str) -> None:
    """``item``'s node id with ``[label]`` appended (pytest 9's structured node id)."""
    item._id = item._id.with_params(label)


def param_index(request: pytest.FixtureRequest) -> int:
    """The index of a parametrized fixture's current parameter (pytest's SubRequest)."""
    from _pytest.fixtures import SubRequest

    return request.param_index if isinstance(request, SubRequest) else 0


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


def without_source_constants() -> None:
    """Hypothesis draws some values from the literals of every "local" module loaded at the time
    (``hypothesis.internal.conjecture.providers``); this package, installed editable, counts. A
    fuzz run would then depend on the suite's own source and on which modules the scenario
    threads happened to have imported: with this, a seed gives the same requests every time."""
    from hypothesis.internal.conjecture import providers

    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
