"""The verdict model as pytest sees it: pass, fail, warn (SHOULD), error (setup), skip, exit codes."""

import re

import pytest

pytest_plugins = ["pytester"]

CHECKS = """
import pytest
from conformance.engine.verdicts import requirement

@pytest.fixture
def unreachable():
    raise ConnectionError("target unreachable")

@requirement("sms.consult.notify.order")
def test_must_pass():
    pass

@requirement("sms.consult.notify.capabilities")
def test_should_fails():
    assert False, "SendToAgents missing"
"""


def _run(pytester, body, *args):
    pytester.makepyfile(test_checks=CHECKS + body)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_a_should_violation_is_a_warning_and_the_run_passes(pytester):
    result = _run(pytester, "")
    assert result.parseoutcomes() == {"passed": 1, "warned": 1}
    assert result.ret == 0
    result.stdout.fnmatch_lines(["sms.consult.notify.capabilities ?SHOULD? SendToAgents missing  (*test_should_fails)"])


def test_a_should_violation_raised_by_any_helper_is_a_warning(pytester):
    """The level is the check's clause, wherever the Violation came from (expect() in a helper)."""
    result = _run(
        pytester,
        """
from conformance.engine.verdicts import FailureKind, expect

def helper(observed):
    expect(observed == ["SendToAgents"], "capabilities", kinds=[FailureKind.MISSING],
           expected="SendToAgents", observed=str(observed))

@requirement("sms.consult.notify.capabilities")
def test_should_through_helper():
    helper([])
""",
    )
    assert result.parseoutcomes() == {"passed": 1, "warned": 2}
    assert result.ret == 0


def test_strict_level_turns_a_should_violation_into_a_failure(pytester):
    result = _run(pytester, "", "--gws-level", "should")
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == 1


def test_a_must_violation_fails_the_run(pytester):
    result = _run(
        pytester,
        """
@requirement("sms.consult.response")
def test_must_fails():
    assert False
""",
    )
    assert result.ret == 1


def test_a_check_that_could_not_run_is_an_error_not_a_failure(pytester):
    result = _run(
        pytester,
        """
@requirement("sms.consult.response")
def test_needs_target(unreachable):
    pass
""",
    )
    assert result.parseoutcomes() == {"passed": 1, "warned": 1, "errors": 1}
    assert result.ret == 1


def test_when_no_check_could_run_the_exit_code_is_3(pytester):
    pytester.makepyfile(
        test_checks="""
import pytest
from conformance.engine.verdicts import requirement

@pytest.fixture
def unreachable():
    raise ConnectionError("target unreachable")

@requirement("sms.consult.response")
def test_a(unreachable):
    pass

@requirement("sms.consult.endpoint")
def test_b():
    pytest.skip("no second agent configured")
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1, skipped=1)
    assert result.ret == 3


def test_ordinary_tests_keep_pytests_exit_status(pytester):
    pytester.makepyfile(test_plain="def test_x():\n    assert False\n")
    assert pytester.runpytest_inprocess("-p", "no:cacheprovider").ret == 1


def test_an_unknown_clause_id_fails_at_import():
    from conformance.engine.verdicts import requirement

    with pytest.raises(KeyError, match=re.escape("sms.consult.typo")):
        requirement("sms.consult.typo")
