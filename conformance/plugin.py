"""The pytest plugin of gws-conformance (registered through the ``pytest11`` entry point).

It is inert for ordinary tests: only items marked with a clause (see
:func:`conformance.verdicts.requirement`) get verdicts, report properties and the run's
documented exit code.
"""

from __future__ import annotations

import pytest

from conformance.cli import EXIT_UNREACHABLE, EXIT_USAGE
from conformance.verdicts import (
    CLAUSE_MARKER,
    WARN_PREFIX,
    Verdict,
    clause_of,
    combine,
    exit_code,
    should_warn_only,
    verdict_of,
)

_VERDICTS = pytest.StashKey[dict[str, list[Verdict]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gws-conformance", "GWS SMS Session API conformance")
    group.addoption("--gws-target", metavar="URL", help="GWS base URL; none: start the built-in reference server")
    group.addoption("--gws-config", metavar="FILE", help="TOML configuration (default: ./gws-conformance.toml)")
    group.addoption("--gws-deadline", metavar="SECONDS", type=float,
                    help="how long to wait for each expected notification")
    group.addoption("--gws-fault", metavar="NAME", action="append", default=[],
                    help="switch on a fault of the built-in reference server (repeatable; self-validation)")
    group.addoption("--gws-level", choices=("must", "should"), default="must",
                    help="must (default): SHOULD violations are warnings; should: they fail the run too")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{CLAUSE_MARKER}(id): the documented clause a conformance check tests")
    config.stash[_VERDICTS] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Clause, level and page travel with every report of the check (JUnit properties, HTML)."""
    item_clause = clause_of(item)
    if item_clause is not None:
        item.user_properties.extend([("clause", item_clause.id), ("level", item_clause.level.value),
                                     ("page", item_clause.page.url)])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report: pytest.TestReport = yield
    item_clause = clause_of(item)
    if item_clause is None:
        return report
    strict = item.config.getoption("--gws-level") == "should"
    if report.when == "call" and report.failed and should_warn_only(item_clause, strict):
        first_line = str(call.excinfo.value).splitlines()[0] if call.excinfo else ""
        report.outcome = "skipped"
        report.wasxfail = f"{WARN_PREFIX} {item_clause.id} [SHOULD] {first_line}".rstrip()
    item.config.stash[_VERDICTS].setdefault(item.nodeid, []).append(verdict_of(report))
    return report


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    if report.when == "call" and getattr(report, "wasxfail", "").startswith(WARN_PREFIX):
        return "warned", "W", ("WARN", {"yellow": True})
    return None


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    warned = terminalreporter.stats.get("warned", [])
    if warned:
        terminalreporter.section("SHOULD violations (warnings)", yellow=True)
        for report in warned:
            terminalreporter.line(f"{report.wasxfail}  ({report.nodeid})")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    verdicts = session.config.stash[_VERDICTS]
    if not verdicts:
        return  # no conformance check in this run: keep pytest's own exit status
    session.exitstatus = exit_code(combine(phases) for phases in verdicts.values())


# --- fixtures: the target, its agents and sessions ------------------------------------------------

@pytest.fixture(scope="session")
def gws(pytestconfig: pytest.Config):
    """The run's view of the target: configuration, logged-in agents, the session source.

    No ``--gws-target`` (and none configured): the built-in reference server is started for the
    run and stopped after it.
    """
    from conformance.client.rest import TargetUnreachable
    from conformance.config import ConfigError
    from conformance.run import open_run

    try:
        with open_run(pytestconfig) as conformance:
            yield conformance
    except ConfigError as exc:  # the same one line and exit code as the CLI, not one traceback per check
        pytest.exit(f"gws-conformance: error: {exc}", returncode=EXIT_USAGE)
    except TargetUnreachable as exc:
        pytest.exit(f"gws-conformance: cannot reach the target: {exc}", returncode=EXIT_UNREACHABLE)
