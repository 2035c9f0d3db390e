"""The private pytest and schemathesis APIs the plugin relies on (conformance.internals), each
exercised against the installed versions: an upgrade that breaks one fails here, loudly."""

pytest_plugins = ["pytester"]

CONFTEST = """
import pytest
from conformance.internals import add_to_node_id, shown_as_xfail, skip_reason, xfail_reason

SEEN = {}

def pytest_collection_modifyitems(items):
    for item in items:
        add_to_node_id(item, "labelled")

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        shown_as_xfail(report, "WARN shown as xfail")
    return report

def pytest_runtest_logreport(report):
    SEEN.setdefault(report.nodeid, []).append((report.when, xfail_reason(report), skip_reason(report)))

def pytest_sessionfinish(session):
    for nodeid, phases in sorted(SEEN.items()):
        print("SEEN", nodeid, phases)
"""


def test_node_ids_xfail_reasons_and_skip_reasons_work_as_the_plugin_uses_them(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_sample="""
import pytest

def test_fails():
    assert False

def test_skips():
    pytest.skip("no queue configured")
"""
    )
    result = pytester.runpytest("-p", "no:gws_conformance", "-s", "-rxs")
    result.assert_outcomes(xfailed=1, skipped=1)
    out = result.stdout.str()
    assert "test_sample.py::test_fails[labelled] [('setup', '', None), ('call', 'WARN shown as xfail', None)" in out
    assert "test_sample.py::test_skips[labelled] [('setup', '', None), ('call', '', 'no queue configured')" in out


def test_schemathesis_tells_a_case_made_invalid_in_its_body():
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.generation.meta import CaseMetadata

    from conformance.internals import negative_in_body

    assert callable(CaseMetadata.is_negative_at) and ParameterLocation.BODY
    assert negative_in_body(type("Case", (), {"meta": None})()) is False


def test_hypothesis_draws_no_constant_from_the_suites_source():
    """The fuzz suite turns off Hypothesis's local constants: whatever local module is loaded
    (this package is one, installed editable), none of its literals can be drawn."""
    from hypothesis.internal.conjecture import providers

    from conformance.internals import without_source_constants

    without_source_constants()
    import conformance.spec.clauses  # noqa: F401  (a local module full of string literals)

    constants = providers._get_local_constants()
    assert not any(constants.set_for_type(kind) for kind in (int, float, bytes, str))


def test_a_cached_fixture_exception_turned_into_a_skip_skips_every_check_that_uses_it(pytester):
    """pytest re-raises a module fixture's cached exception without calling pytest_fixture_setup
    again: without cache_outcome_instead, only its first check would skip and the others error."""
    pytester.makeconftest(
        """
import pytest
from conformance.internals import cache_outcome_instead

@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    try:
        return (yield)
    except LookupError as exc:
        skipped = pytest.skip.Exception("no supervisor configured", _use_item_location=True)
        cache_outcome_instead(fixturedef, exc, skipped)
        raise skipped from None
"""
    )
    pytester.makepyfile(
        test_sample="""
import pytest

@pytest.fixture(scope="module")
def supervisor():
    raise LookupError("none")

def test_one(supervisor):
    pass

def test_two(supervisor):
    pass
"""
    )
    pytester.runpytest("-p", "no:gws_conformance").assert_outcomes(skipped=2)
