"""The pytest plugin of gws-conformance (registered through the ``pytest11`` entry point).

It is inert for ordinary tests: only items marked with a clause (see
:func:`conformance.engine.verdicts.requirement`) get verdicts, report properties and the run's
documented exit code. For those it also says who calls the target (the recorder's requester),
applies waivers, collects the run for ``results.json`` (``--gws-results``) and adds the
compliance matrix and transcripts to the pytest-html report; ``--gws-replay`` answers every call
from a recorded run instead (``gws-conformance recheck``).
"""

from __future__ import annotations

import datetime
import fnmatch
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.client.bayeux import BayeuxError
from conformance.client.rest import TargetUnreachable
from conformance.engine.recording import Recorder
from conformance.engine.verdicts import (
    CLAUSE_MARKER,
    WARN_PREFIX,
    Unjudgeable,
    Verdict,
    clause_of,
    should_warn_only,
    verdict_of,
)
from conformance.errors import EXIT_UNREACHABLE, EXIT_USAGE, UsageError
from conformance.internals import (
    add_to_node_id,
    not_xfail,
    shown_as_xfail,
    xfail_reason,
)
from conformance.redaction import redact_secrets
from conformance.report import html
from conformance.report.results import (
    RunRecord,
    load_results,
    manifest,
    now,
    write_results,
)
from conformance.report.waivers import Waiver, judge, load_waivers, waiver_for

WAIVED_PREFIX = "WAIVED"


@dataclass
class RunState:
    """What the plugin keeps for one pytest session (in ``config.stash``)."""

    recorder: Recorder
    waivers: list[Waiver] = field(default_factory=list)
    run: RunRecord = field(default_factory=RunRecord)
    started: str = field(default_factory=now)
    clock: float = field(default_factory=time.monotonic)
    stopped: str | None = None  # why the run stopped before its end (max_time), if it did


_STATE = pytest.StashKey[RunState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gws-conformance", "GWS SMS Session API conformance")
    group.addoption("--gws-target", metavar="URL", help="GWS base URL; none: start the built-in reference server")
    group.addoption("--gws-config", metavar="FILE", help="TOML configuration (default: ./gws-conformance.toml)")
    group.addoption(
        "--gws-deadline", metavar="SECONDS", type=float, help="how long to wait for each expected notification"
    )
    group.addoption(
        "--gws-max-time",
        metavar="SECONDS",
        type=float,
        help="bound of the whole run (default from the configuration: 600); then it stops with partial reports",
    )
    group.addoption(
        "--gws-fault",
        metavar="NAME",
        action="append",
        default=[],
        help="switch on a fault of the built-in reference server (repeatable; self-validation)",
    )
    group.addoption(
        "--gws-level",
        choices=("must", "should"),
        default="must",
        help="must (default): SHOULD violations are warnings; should: they fail the run too",
    )
    group.addoption("--gws-results", metavar="FILE", help="write the run's results.json there")
    group.addoption("--gws-waivers", metavar="FILE", help="TOML file of waived checks (reason, owner, expires)")
    group.addoption(
        "--gws-allow-stale-waivers",
        action="store_true",
        help="a stale waiver (its check passes, or it expired) does not fail the run",
    )
    group.addoption(
        "--gws-no-redact-content",
        action="store_true",
        help="show customer content (SMS text, nicknames, phone numbers) in outputs; credentials stay redacted",
    )
    group.addoption(
        "--gws-clause",
        metavar="GLOB",
        action="append",
        default=[],
        help="only checks of clauses matching this glob, e.g. 'sms.common.reference-id.*' (repeatable)",
    )
    group.addoption(
        "--gws-page",
        metavar="NAME",
        action="append",
        default=[],
        help="only checks of this documentation page, e.g. consult (repeatable)",
    )
    group.addoption(
        "--gws-replay",
        metavar="RESULTS_JSON",
        help="judge the recordings of an earlier run instead of reaching a server (recheck)",
    )


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")  # an xdist worker: the controller writes the reports


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{CLAUSE_MARKER}(id): the documented clause a conformance check tests")
    try:
        replay = config.getoption("--gws-replay", None)
        replayed = load_results(Path(replay)) if replay else None
        waivers_file = config.getoption("--gws-waivers", None)
        waivers = load_waivers(Path(waivers_file)) if waivers_file else []
    except UsageError as exc:  # one line and exit 2, as from the CLI
        raise pytest.UsageError(f"gws-conformance: {exc}") from None
    recorder = Recorder(replaying=replayed["recordings"] if replayed else None)
    config.stash[_STATE] = state = RunState(recorder, waivers)
    if not _is_worker(config):
        config.pluginmanager.register(_ReportCollector(state), "gws-conformance-collector")
        if config.getoption("--gws-results", None):
            config.pluginmanager.register(_HtmlColumns(), "gws-conformance-html-columns")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """schemathesis 4.32 on pytest 9.2 gives the items of every API operation one node id; each
    needs its own (reports, results.json), so the operation's label is added to it. Then the
    selection by clause and page (--gws-clause, --gws-page)."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and clause_of(item) is not None and not item.nodeid.endswith(f"[{label}]"):
            add_to_node_id(item, label)
    globs, pages = config.getoption("--gws-clause", []), config.getoption("--gws-page", [])
    if not globs and not pages:
        return
    kept = [item for item in items if selected(item, globs, pages)]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


def page_of(item: pytest.Item) -> str:
    """The documentation page a check belongs to: its module is named after it (test_consult.py: consult,
    test_send_message.py: send-message, as the page part of its clause IDs)."""
    return item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_").replace("_", "-")


def selected(item: pytest.Item, globs: list[str], pages: list[str]) -> bool:
    item_clause = clause_of(item)
    if item_clause is None:
        return False
    return (not globs or any(fnmatch.fnmatchcase(item_clause.id, glob) for glob in globs)) and (
        not pages or page_of(item) in pages
    )


# --- recording: who is calling the target ---------------------------------------------------------


def _requester_of_fixture(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> str:
    param = getattr(request, "param", None)
    suffix = "" if param is None else f"[{param}]" if isinstance(param, str | int) else f"[{request.param_index}]"
    scope = request.node.nodeid
    return f"{scope}::{fixturedef.argname}{suffix}" if scope else f"{fixturedef.argname}{suffix}"


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest):
    recorder = request.config.stash[_STATE].recorder
    previous, recorder.requester = recorder.requester, _requester_of_fixture(fixturedef, request)
    try:
        return (yield)
    finally:
        recorder.requester = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    recorder = item.config.stash[_STATE].recorder
    previous, recorder.requester = recorder.requester, item.nodeid
    try:
        return (yield)
    finally:
        recorder.requester = previous


def _observation_keys(values: Any) -> Iterator[str]:
    """The recording keys of the observations among a check's fixture values."""
    from conformance.engine.context import Observation

    for value in values:
        if isinstance(value, Observation) and value.key:
            yield value.key
        elif isinstance(value, tuple | list):
            yield from _observation_keys(value)


# --- verdicts ---------------------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Clause, level and page travel with every report of the check (JUnit properties, HTML)."""
    item_clause = clause_of(item)
    if item_clause is not None:
        item.user_properties.extend(
            [("clause", item_clause.id), ("level", item_clause.level.value), ("page", item_clause.page.url)]
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report: pytest.TestReport = yield
    state = item.config.stash[_STATE]
    report.gws_recordings = state.recorder.drain()
    item_clause = clause_of(item)
    if item_clause is None:
        return report
    if report.failed and call.excinfo is not None:
        # The whole message: for an exception group (schemathesis) the crash line is only a repr.
        report.gws_message = redact_secrets(plain_message(str(call.excinfo.value)))
        # What the target could not answer, like what never happened, is no verdict on the clause
        report.gws_unjudgeable = call.excinfo.errisinstance((Unjudgeable, TargetUnreachable, BayeuxError))
        if report.when == "call" and report.gws_message.startswith(item_clause.id):
            report.longrepr = report.gws_message  # the check says what it saw; no traceback, no introspection
        elif report.longrepr is not None and redact_secrets(text := str(report.longrepr)) != text:
            report.longrepr = redact_secrets(text)  # a traceback quoting what a server echoed
    strict = item.config.getoption("--gws-level") == "should"
    if report.when == "call" and report.failed and should_warn_only(item_clause, strict):
        first_line = report.gws_message.splitlines()[0] if report.gws_message else ""
        cited = f"{item_clause.id} [SHOULD] "
        shown_as_xfail(report, f"{WARN_PREFIX} {cited}{first_line.removeprefix(cited)}".rstrip())
    verdict = verdict_of(report)
    if report.when == "call":
        keys = list(dict.fromkeys([*_observation_keys(getattr(item, "funcargs", {}).values()), *report.gws_recordings]))
        report.gws_transcript = keys
        waiver = waiver_for(state.waivers, item.nodeid)
        if waiver is not None:
            verdict = _apply_waiver(report, waiver, verdict, item.config.getoption("--gws-allow-stale-waivers"))
    elif report.failed:  # a scenario could not run: show what its fixtures recorded
        report.gws_transcript = list(report.gws_recordings)
    report.gws_verdict = verdict.value
    return report


def plain_message(message: str) -> str:
    """A check's message without what pytest's assertion rewriting appends to it (``assert ...``,
    ``+  where 200 = Observation(...)``): the message already says what was seen."""
    lines = message.splitlines()
    cut = next((n for n, line in enumerate(lines) if n and line.startswith("assert ")), len(lines))
    return "\n".join(lines[:cut])


def _apply_waiver(report: pytest.TestReport, waiver: Waiver, verdict: Verdict, allow_stale: bool) -> Verdict:
    judged, note = judge(waiver, verdict, datetime.date.today())
    report.gws_waiver = {**waiver.as_record(), "state": judged.value, "note": note}
    if judged is Verdict.WAIVED:
        shown_as_xfail(report, f"{WAIVED_PREFIX} {note}")
    elif judged is Verdict.STALE and not allow_stale:
        report.outcome, report.longrepr = "failed", f"{note} (waiver for {waiver.check}, owner {waiver.owner})"
        not_xfail(report)
    return judged


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    reason = xfail_reason(report)
    if report.when == "call" and reason.startswith(WARN_PREFIX):
        return "warned", "W", ("WARN", {"yellow": True})
    if report.when == "call" and reason.startswith(WAIVED_PREFIX):
        return "waived", "V", ("WAIVED", {"yellow": True})
    return None


class _ReportCollector:
    """Collects the run from the reports (on the xdist controller, or in a plain run), and gives
    pytest-html, which reads each report after this hook, the check's requirement and transcript."""

    def __init__(self, state: RunState) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from pytest_html import extras

        from conformance.spec.clauses import clause

        check = self.state.run.add(report)
        if check is None or report.when != "teardown":
            return
        report.extras = [
            *getattr(report, "extras", []),
            extras.html(html.requirement(clause(check.clause), check.verdict.value, check.failure_kinds)),
            extras.html(html.transcript(self.state.run.entries(check.transcript))),
        ]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    for status, title in (("warned", "SHOULD violations (warnings)"), ("waived", "waived failures")):
        reports = terminalreporter.stats.get(status, [])
        if reports:
            terminalreporter.section(title, yellow=True)
            for report in reports:
                terminalreporter.line(f"{xfail_reason(report)}  ({report.nodeid})")
    state = config.stash[_STATE]
    stale = [c for c in state.run.checks.values() if c.verdict is Verdict.STALE]
    if stale:
        allowed = config.getoption("--gws-allow-stale-waivers")
        terminalreporter.section("stale waivers" + (" (allowed)" if allowed else ""), red=not allowed, yellow=allowed)
        for check in stale:
            terminalreporter.line(f"{check.waiver['note']}  ({check.id})")
    results = config.getoption("--gws-results")
    if results and state.run.checks and not _is_worker(config):
        terminalreporter.write_sep("-", f"results: {results}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash[_STATE]
    if not state.run.checks:
        return  # no conformance check in this run: keep pytest's own exit status
    session.exitstatus = state.run.exit_code(allow_stale=config.getoption("--gws-allow-stale-waivers"))
    results = config.getoption("--gws-results")
    if results and not _is_worker(config):
        today = datetime.date.today()
        waivers = [
            {**w.as_record(), "expired": w.expired(today), "covered": [c for c in state.run.checks if w.covers(c)]}
            for w in state.waivers
        ]
        write_results(Path(results), {**state.run.document(_manifest(config, state)), "waivers": waivers})


def _seed(seed: str | None) -> int | str | None:
    return int(seed) if seed is not None and seed.isdigit() else seed


def _fuzz_examples(state: RunState) -> int | None:
    """Examples per operation when this run fuzzed (its checks are in the record), else None."""
    from conformance.commands.run import (
        FUZZ_EXAMPLES_DEFAULT,
        FUZZ_EXAMPLES_ENV,
        FUZZ_MODULE,
    )

    fuzzed = any(c.startswith(FUZZ_MODULE) for c in state.run.checks)
    return int(os.environ.get(FUZZ_EXAMPLES_ENV, FUZZ_EXAMPLES_DEFAULT)) if fuzzed else None


def _manifest(config: pytest.Config, state: RunState) -> dict[str, Any]:
    opened = state.run.recordings.get("gws#0", {}).get("value") or {}
    options = {
        "deadline": opened.get("deadline"),
        "level": config.getoption("--gws-level"),
        "keyword": config.getoption("keyword") or None,
        "faults": config.getoption("--gws-fault"),
        "redact_content": opened.get("redact_content", not config.getoption("--gws-no-redact-content")),
        "waivers": config.getoption("--gws-waivers"),
        "allow_stale_waivers": config.getoption("--gws-allow-stale-waivers"),
        "replayed": config.getoption("--gws-replay"),
        "workers": getattr(config.option, "numprocesses", None),
        "fuzz_seed": _seed(getattr(config.option, "hypothesis_seed", None)),
        "fuzz_examples": _fuzz_examples(state),
        "calibration": opened.get("calibration"),
        "stopped": state.stopped,
    }
    target = re.sub(r"//[^/@]*@", "//", str(opened.get("target") or "(no check reached the target)"))
    return manifest(target=target, options=options, started=state.started)


# --- the HTML report (pytest-html hooks; every string escaped, see conformance.report.html) ---------


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    state = session.config.stash[_STATE]
    if not state.run.checks:
        return
    document = state.run.document({})
    verdicts = {c["id"]: c["verdict"] for c in document["checks"]}
    seconds = sum(sum(c["durations"].values()) for c in document["checks"])
    prefix += [
        html.verdict_counters(document["summary"], len(verdicts), seconds),
        html.matrix(state.run.clause_matrix(), verdicts),
        html.latency(document["latency"]),
        html.manifest(_manifest(session.config, state)),
    ]


class _HtmlColumns:
    """The report's title and a Clause column: only in a conformance run that writes results, so
    the plugin leaves the HTML reports of ordinary test suites alone."""

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report) -> None:
        report.title = "GWS SMS Session API conformance report"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells[0] = '<th class="sortable" data-column-type="result">Verdict</th>'
        cells.insert(2, "<th>Clause</th>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        from html import escape

        test_id = report.nodeid + ("" if report.when == "call" else f"::{report.when}")
        verdict = getattr(report, "gws_verdict", None) or verdict_of(report).value
        # pytest-html reads its outcome from this cell's text (filters, sorting, collapsing): it stays,
        # and our stylesheet shows the verdict in its place (conformance.report.html.STYLE)
        cells[0] = cells[0].replace(
            'class="col-result"', f'class="col-result v-{escape(verdict)}" data-verdict="{escape(verdict)}"'
        )
        cells[1] = f'<td class="col-testId">{html.breakable(test_id)}</td>'  # pytest-html leaves the id unescaped
        cells.insert(2, f"<td>{escape(str(dict(report.user_properties).get('clause', '')))}</td>")


# --- fixtures: the target, its agents and sessions ------------------------------------------------


@contextmanager
def _time_limited(session: pytest.Session, state: RunState, conformance) -> Iterator[None]:
    """max_time for the whole run: when it is reached, no further check starts, and the agents'
    connections are closed so a check stuck on a server that never answers errors at once."""
    limit = conformance.config.max_time

    def expire() -> None:
        state.stopped = f"the run reached max_time ({limit:g} s) and stopped; the reports hold the checks that ran"
        session.shouldstop = state.stopped
        for agent in list(conformance.agents.values()):
            for method in ("GET", "POST"):
                agent.rest.breaker.trip(method, state.stopped)
            agent.bayeux.stop_now()
            agent.log.close()
            agent.rest.close()  # a request still waiting for its answer ends now

    timer = threading.Timer(max(0.0, limit - (time.monotonic() - state.clock)), expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@pytest.fixture(scope="session")
def gws(pytestconfig: pytest.Config, request: pytest.FixtureRequest):
    """The run's view of the target: configuration, logged-in agents, the session source.

    No ``--gws-target`` (and none configured): the built-in reference server is started for the
    run and stopped after it.
    """
    from conformance.engine.context import Conformance
    from conformance.engine.opening import open_run
    from conformance.engine.stage import Calibration, StageError

    recorder = pytestconfig.stash[_STATE].recorder
    if recorder.replaying:
        opened = recorder.call("open_run", lambda: None)
        yield Conformance.replaying(recorder, opened["deadline"], Calibration.from_record(opened["calibration"]))
        return
    try:
        with open_run(pytestconfig, recorder) as conformance:
            recorder.call(
                "open_run",
                lambda: {
                    "target": conformance.config.base_url,
                    "deadline": conformance.deadline,
                    "redact_content": conformance.config.redact_content,
                    "calibration": conformance.calibration.as_record(),
                },
            )
            with _time_limited(request.session, pytestconfig.stash[_STATE], conformance):
                yield conformance
    except UsageError as exc:  # the same one line and exit code as the CLI, not one traceback per check
        pytest.exit(f"gws-conformance: error: {exc}", returncode=EXIT_USAGE)
    except TargetUnreachable as exc:
        pytest.exit(f"gws-conformance: cannot reach the target: {exc}", returncode=EXIT_UNREACHABLE)
    except BayeuxError as exc:  # every check errors with this one cause (printed once by the console)
        raise StageError(f"the notification stream cannot be opened: {exc}") from None


@pytest.fixture(scope="session")
def scenario_runs(gws, request: pytest.FixtureRequest):
    """The scenarios of every selected page module, launched together when the first page needs
    them (a module names them in ``page_scenarios(gws)``, and in ``ALSO`` the fixtures that stand
    for several), so the pages of a run go at the same time; by module node id."""
    modules: dict[str, tuple[Any, set[str]]] = {}
    for item in request.session.items:
        module = item.getparent(pytest.Module)
        if module is not None and hasattr(module.obj, "page_scenarios"):
            modules.setdefault(module.nodeid, (module.obj, set()))[1].update(item.fixturenames)
    runs = {
        prefix: gws.launch(prefix, used, page.page_scenarios(gws), getattr(page, "ALSO", None))
        for prefix, (page, used) in modules.items()
    }
    try:
        yield runs
    finally:
        gws.stop_scenarios()


@pytest.fixture(scope="module")
def scenarios(scenario_runs, request: pytest.FixtureRequest):
    """This page module's scenarios; when its checks are done, the recordings of what ran and no
    fixture collected join the module's report."""
    running = scenario_runs[request.node.nodeid]
    yield running
    running.adopt_the_rest()
