"""The pytest plugin of gws-conformance (registered through the ``pytest11`` entry point).

It is inert for ordinary tests: only items marked with a clause (see
:func:`conformance.engine.verdicts.requirement`) get verdicts, report properties and the run's
documented exit code. For those it turns what a check raised into a verdict, from typed fields
only (a :class:`Violation` of the check's clause: fail or warn by the catalogue's level; an
:class:`Unjudgeable`: error with its cause; a :class:`NotApplicable`: skip naming its key), says
who calls the target (the recorder's requester), applies waivers, collects the run for
``results.json`` (``--gws-results``) and adds the compliance matrix and transcripts to the
pytest-html report; ``--gws-replay`` answers every call from a recorded run instead
(``gws-conformance recheck``).

Verdict fields travel on each report (``gws_verdict``, ``gws_message``, ``gws_kinds``,
``gws_cause``, ...), also from xdist workers, which serialize a report's attributes.
"""

from __future__ import annotations

import datetime
import fnmatch
import os
import re
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance import options
from conformance.client.bayeux import BayeuxError
from conformance.client.rest import TargetUnreachable
from conformance.engine.observation import Observation
from conformance.engine.recording import Recorder
from conformance.engine.verdicts import (
    CLAUSE_MARKER,
    ErrorCause,
    NotApplicable,
    Unjudgeable,
    Verdict,
    Violation,
    cause_of,
    clause_of,
    violation_verdict,
)
from conformance.errors import EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, UsageError
from conformance.internals import (
    add_to_node_id,
    cache_outcome_instead,
    check_fields,
    not_xfail,
    param_index,
    shown_as_xfail,
    skip_reason,
)
from conformance.redaction import redact_secrets
from conformance.report import html
from conformance.report.compare import BASELINE, compare, verdicts_of
from conformance.report.results import (
    COVERAGE,
    RunRecord,
    load_results,
    manifest,
    now,
    unaccepted_unjudged,
    write_results,
)
from conformance.report.waivers import Gap, Waiver, judge, load_gaps, load_waivers, waiver_for
from conformance.spec import pages
from conformance.spec.clauses import Clause


@dataclass
class RunState:
    """What the plugin keeps for one pytest session (in ``config.stash``)."""

    recorder: Recorder
    waivers: list[Waiver] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)  # unjudged MUST clauses the team accepts (the waiver file)
    run: RunRecord = field(default_factory=RunRecord)
    started: str = field(default_factory=now)
    clock: float = field(default_factory=time.monotonic)
    stopped: str | None = None  # why the run stopped before its end (max_time), if it did
    baseline: dict[str, Any] | None = None  # the accepted run's results (--gws-baseline)


_STATE = pytest.StashKey[RunState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_plugin_options(parser.getgroup("gws-conformance", "GWS SMS Session API conformance"))


def option(config: pytest.Config, which: options.Option) -> Any:
    return options.plugin_value(config, which)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")  # an xdist worker: the controller writes the reports


def _usage_error(message: str) -> None:
    """One line and exit 2, as from the CLI, not pytest's own usage code."""
    pytest.exit(f"gws-conformance: error: {message}", returncode=EXIT_USAGE)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{CLAUSE_MARKER}(id): the documented clause a conformance check tests")
    try:
        replay = option(config, options.REPLAY)
        replayed = load_results(Path(replay)) if replay else None
        waivers_file = option(config, options.WAIVERS)
        waivers = load_waivers(Path(waivers_file)) if waivers_file else []
        gaps = load_gaps(Path(waivers_file)) if waivers_file else []
        baseline_file = option(config, options.BASELINE)
        baseline = load_results(Path(baseline_file)) if baseline_file else None
        unknown = [name for name in option(config, options.PAGE) or [] if pages.find(name) is None]
        if unknown:
            raise UsageError(f"--page {unknown[0]!r}: no such page; the pages: {page_names()}")
    except UsageError as exc:
        _usage_error(str(exc))
    recorder = Recorder(replaying=replayed["recordings"] if replayed else None)
    config.stash[_STATE] = state = RunState(recorder, waivers, gaps, baseline=baseline)
    if not _is_worker(config):
        config.pluginmanager.register(
            _ReportCollector(state, bool(getattr(config.option, "htmlpath", None))), "gws-conformance-collector"
        )
        if option(config, options.RESULTS):
            config.pluginmanager.register(_HtmlColumns(), "gws-conformance-html-columns")


def page_names() -> str:
    return ", ".join(f"{p.slug} ({p.operation or p.doc_name})" for p in pages.SMS_PAGES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """schemathesis 4.32 on pytest 9.2 gives the items of every API operation one node id; each
    needs its own (reports, results.json), so the operation's label is added to it. Then the
    selection by clause and page (--gws-clause, --gws-page)."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and clause_of(item) is not None and not item.nodeid.endswith(f"[{label}]"):
            add_to_node_id(item, label)
    globs = option(config, options.CLAUSE) or []
    chosen = {found.slug for name in option(config, options.PAGE) or [] if (found := pages.find(name))}
    if not globs and not chosen:
        return
    kept = [item for item in items if selected(item, globs, chosen)]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    if items and not kept and any(clause_of(item) for item in items):
        said = " ".join([*(f"--clause {g!r}" for g in globs), *(f"--page {p!r}" for p in sorted(chosen))])
        _usage_error(f"no check matches {said} (see 'gws-conformance list')")
    items[:] = kept


def page_of(item: pytest.Item) -> pages.Page | None:
    """The documentation page a check belongs to: its module is named after the page's slug."""
    return pages.of_module(item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1])


def selected(item: pytest.Item, globs: list[str], chosen: set[str]) -> bool:
    item_clause = clause_of(item)
    if item_clause is None:
        return False
    page = page_of(item)
    return (not globs or any(fnmatch.fnmatchcase(item_clause.id, glob) for glob in globs)) and (
        not chosen or (page is not None and page.slug in chosen)
    )


# --- recording: who is calling the target; what does not apply is a skip ---------------------------


def _requester_of_fixture(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> str:
    param = getattr(request, "param", None)
    suffix = "" if param is None else f"[{param}]" if isinstance(param, str | int) else f"[{param_index(request)}]"
    scope = request.node.nodeid
    return f"{scope}::{fixturedef.argname}{suffix}" if scope else f"{fixturedef.argname}{suffix}"


def _skipped(exc: NotApplicable) -> BaseException:
    """The pytest skip for a check that does not apply; it keeps the configuration key."""
    skipped = pytest.skip.Exception(exc.reason, _use_item_location=True)
    skipped.gws_key = exc.key  # type: ignore[attr-defined]
    return skipped


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Generator[None]:
    recorder = request.config.stash[_STATE].recorder
    previous, recorder.requester = recorder.requester, _requester_of_fixture(fixturedef, request)
    try:
        return (yield)
    except NotApplicable as exc:
        skipped = _skipped(exc)
        cache_outcome_instead(fixturedef, exc, skipped)  # every check of a module fixture skips alike
        raise skipped from None
    finally:
        recorder.requester = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None]:
    recorder = item.config.stash[_STATE].recorder
    previous, recorder.requester = recorder.requester, item.nodeid
    try:
        return (yield)
    except NotApplicable as exc:
        raise _skipped(exc) from None
    finally:
        recorder.requester = previous


def _observation_keys(values: Any) -> Iterator[str]:
    """The recording keys of the observations among a check's fixture values."""
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


def judged(report: pytest.TestReport, error: BaseException | None, item_clause: Clause, strict: bool) -> Verdict:
    """The verdict of one report phase, its fields set on ``report``; from what was raised, never
    from a message."""
    fields = check_fields(report)
    fields.gws_kinds, fields.gws_cause, fields.gws_skip_key = [], None, None
    if report.skipped:
        fields.gws_message = getattr(error, "msg", None) or skip_reason(report) or ""
        fields.gws_skip_key = getattr(error, "gws_key", None)
        return Verdict.SKIP
    if error is None or report.passed:
        fields.gws_message = ""
        return Verdict.PASS
    if isinstance(error, AssertionError) and report.when == "call":
        violation = error if isinstance(error, Violation) else None
        fields.gws_message = redact_secrets(violation.text() if violation else str(error))
        fields.gws_kinds = [kind.value for kind in violation.kinds] if violation else []
        # The check says what it saw, under the requirement it broke: no traceback, no introspection.
        report.longrepr = cited = f"{item_clause.id} [{item_clause.level.value}] {fields.gws_message}"
        verdict = violation_verdict(item_clause.level, strict)
        if verdict is Verdict.WARN:
            # For people reading the JUnit skip message; the verdict travels in gws_verdict.
            shown_as_xfail(report, f"WARN {cited.splitlines()[0]}")
        return verdict
    if isinstance(error, Violation):  # a precondition judged in a fixture: the check could not judge
        cause, message = ErrorCause.PRECONDITION, f"precondition: {error.text()}"
    else:
        cause = cause_of(error)
        message = error.message if isinstance(error, Unjudgeable) else str(error) or type(error).__name__
        if isinstance(error, TargetUnreachable | BayeuxError):
            message = f"{type(error).__name__}: {message}"
    fields.gws_message, fields.gws_cause = redact_secrets(message), cause.value
    if cause is not ErrorCause.CRASH:
        report.longrepr = fields.gws_message
    elif report.longrepr is not None and redact_secrets(text := str(report.longrepr)) != text:
        report.longrepr = redact_secrets(text)  # a traceback quoting what a server echoed
    return Verdict.ERROR


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    fields = check_fields(report)
    state = item.config.stash[_STATE]
    fields.gws_recordings = state.recorder.drain()
    item_clause = clause_of(item)
    if item_clause is None:
        return report
    strict = option(item.config, options.LEVEL) == "should"
    error = call.excinfo.value if call.excinfo is not None else None
    verdict = judged(report, error, item_clause, strict)
    if report.when == "call":
        keys = list(dict.fromkeys([*_observation_keys(getattr(item, "funcargs", {}).values()), *fields.gws_recordings]))
        fields.gws_transcript = keys
        waiver = waiver_for(state.waivers, item.nodeid)
        if waiver is not None:
            verdict = _apply_waiver(report, waiver, verdict, bool(option(item.config, options.ALLOW_STALE)))
    elif report.failed:  # a scenario could not run: show what its fixtures recorded
        fields.gws_transcript = list(fields.gws_recordings)
    fields.gws_verdict = verdict.value
    return report


def _apply_waiver(report: pytest.TestReport, waiver: Waiver, verdict: Verdict, allow_stale: bool) -> Verdict:
    judged_waiver, note = judge(waiver, verdict, datetime.date.today())
    fields = check_fields(report)
    fields.gws_waiver = {**waiver.as_record(), "state": judged_waiver.value, "note": note}
    if judged_waiver is Verdict.WAIVED:
        shown_as_xfail(report, f"WAIVED {note}")
    elif judged_waiver is Verdict.STALE and not allow_stale:
        report.outcome, report.longrepr = "failed", f"{note} (waiver for {waiver.check}, owner {waiver.owner})"
        not_xfail(report)
    if judged_waiver is not verdict:
        fields.gws_message = note
    return judged_waiver


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, Any] | None:
    verdict = getattr(report, "gws_verdict", None)
    if report.when == "call" and verdict == Verdict.WARN.value:
        return "warned", "W", ("WARN", {"yellow": True})
    if report.when == "call" and verdict == Verdict.WAIVED.value:
        return "waived", "V", ("WAIVED", {"yellow": True})
    return None


class _ReportCollector:
    """Collects the run from the reports (on the xdist controller, or in a plain run), and gives
    pytest-html, which reads each report after this hook, the check's requirement and transcript."""

    def __init__(self, state: RunState, html_report: bool) -> None:
        self.state = state
        self.html_report = html_report  # without one (a selftest's run, recheck to JSON) nothing is rendered

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from pytest_html import extras

        from conformance.spec.clauses import clause

        check = self.state.run.add(report)
        if check is None or report.when != "teardown" or check.clause is None or not self.html_report:
            return
        check_fields(report).extras = [
            *getattr(report, "extras", []),
            extras.html(html.requirement(check.id, clause(check.clause), check.verdict.value, check.failure_kinds)),
            extras.html(html.transcript(self.state.run.entries(check.transcript))),
        ]


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash[_STATE]
    for verdict, title in ((Verdict.WARN, "SHOULD violations (warnings)"), (Verdict.WAIVED, "waived failures")):
        shown = [c for c in state.run.checks.values() if c.verdict is verdict]
        if shown:
            terminalreporter.section(title, yellow=True)
            for check in shown:
                terminalreporter.line(f"{check.clause} [{check.level}] {check.first_message()}  ({check.id})")
    stale = [c for c in state.run.checks.values() if c.verdict is Verdict.STALE]
    if stale:
        allowed = bool(option(config, options.ALLOW_STALE))
        terminalreporter.section("stale waivers" + (" (allowed)" if allowed else ""), red=not allowed, yellow=allowed)
        for check in stale:
            terminalreporter.line(f"{check.waiver['note'] if check.waiver else ''}  ({check.id})")
    comparison, coverage = config.stash.get(BASELINE, None), config.stash.get(COVERAGE, None)
    unjudged = unaccepted_unjudged(coverage or {}, comparison.known_unjudged if comparison else ())
    if unjudged and not _is_worker(config):  # why a run in which nothing failed exits 4
        terminalreporter.section("MUST clauses judged by no check: the run is incomplete", red=True)
        for clause in unjudged:
            terminalreporter.line(f"{clause}: every check of it skipped or errored; a [[gap]] accepts it")
    results = option(config, options.RESULTS)
    if results and state.run.checks and not _is_worker(config):
        terminalreporter.write_sep("-", f"results: {results}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash[_STATE]
    if not state.run.checks:
        return  # no conformance check in this run: keep pytest's own exit status
    comparison = None
    if state.baseline is not None:
        current = {c.id: (c.clause, c.verdict.value) for c in state.run.checks.values()}
        comparison = config.stash[BASELINE] = compare(verdicts_of(state.baseline), current)
        comparison.known_unjudged = state.baseline.get("coverage", {}).get("MUST", {}).get("unjudged", [])
    known = comparison.known_failures if comparison else []
    known_unjudged = comparison.known_unjudged if comparison else []
    code = state.run.exit_code(
        allow_stale=bool(option(config, options.ALLOW_STALE)),
        gaps=state.gaps,
        known=known,
        known_unjudged=known_unjudged,
    )
    config.stash[COVERAGE] = state.run.coverage(state.gaps)
    if code == EXIT_OK and exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR):
        code = EXIT_FAILED  # stopped before every check was judged: what did not run is not a pass
    session.exitstatus = code
    results = option(config, options.RESULTS)
    if results and not _is_worker(config):
        today = datetime.date.today()
        waivers = [
            {**w.as_record(), "expired": w.expired(today), "covered": [c for c in state.run.checks if w.covers(c)]}
            for w in state.waivers
        ]
        document = state.run.document(_manifest(config, state), state.gaps)
        extra: dict[str, Any] = {"waivers": waivers, "gaps": [g.as_record() for g in state.gaps]}
        if comparison is not None:
            extra["baseline"] = {"file": str(option(config, options.BASELINE)), **comparison.as_record()}
        write_results(Path(results), {**document, **extra})


def _seed(seed: str | None) -> int | str | None:
    return int(seed) if seed is not None and seed.isdigit() else seed


def _fuzz_examples(state: RunState) -> int | None:
    """Examples per operation when this run fuzzed (its checks are in the record), else None."""
    from conformance.commands.run import FUZZ_EXAMPLES_DEFAULT, FUZZ_EXAMPLES_ENV, FUZZ_MODULE

    fuzzed = any(c.startswith(FUZZ_MODULE) for c in state.run.checks)
    return int(os.environ.get(FUZZ_EXAMPLES_ENV, FUZZ_EXAMPLES_DEFAULT)) if fuzzed else None


def _manifest(config: pytest.Config, state: RunState) -> dict[str, Any]:
    opened = state.run.recordings.get("gws#0", {}).get("value") or {}
    recorded = {
        "deadline": opened.get("deadline"),
        "level": option(config, options.LEVEL),
        "keyword": config.getoption("keyword") or None,
        "faults": option(config, options.FAULT),
        "redact_content": opened.get("redact_content", not option(config, options.NO_REDACT)),
        "waivers": str(waivers) if (waivers := option(config, options.WAIVERS)) else None,
        "allow_stale_waivers": bool(option(config, options.ALLOW_STALE)),
        "replayed": str(replayed) if (replayed := option(config, options.REPLAY)) else None,
        "workers": getattr(config.option, "numprocesses", None),
        "fuzz_seed": _seed(getattr(config.option, "hypothesis_seed", None)),
        "fuzz_examples": _fuzz_examples(state),
        "calibration": opened.get("calibration"),
        "stopped": state.stopped,
    }
    target = re.sub(r"//[^/@]*@", "//", str(opened.get("target") or "(no check reached the target)"))
    return manifest(target=target, options=recorded, started=state.started)


# --- the HTML report (pytest-html hooks; every string escaped, see conformance.report.html) ---------


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    state = session.config.stash[_STATE]
    if not state.run.checks:
        return
    document = state.run.document({}, state.gaps)
    verdicts = {c["id"]: c["verdict"] for c in document["checks"]}
    seconds = sum(sum(c["durations"].values()) for c in document["checks"])
    prefix += [
        html.failures(document["checks"], state.run.entries),
        html.verdict_counters(document["summary"], len(verdicts), seconds, document["coverage"]),
        html.matrix(state.run.clause_matrix(), verdicts),
        html.latency(document["latency"]),
        html.manifest(_manifest(session.config, state)),
    ]


class _HtmlColumns:
    """The report's title and a Clause column: only in a conformance run that writes results, so
    the plugin leaves the HTML reports of ordinary test suites alone."""

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        report.title = "GWS SMS Session API conformance report"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells[0] = '<th class="sortable" data-column-type="result">Verdict</th>'
        cells.insert(2, "<th>Clause</th>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        from html import escape

        test_id = report.nodeid + ("" if report.when == "call" else f"::{report.when}")
        verdict = getattr(report, "gws_verdict", None) or ("pass" if report.passed else "error")
        # pytest-html reads its outcome from this cell's text (filters, sorting, collapsing): it stays,
        # and our stylesheet shows the verdict in its place (conformance.report.html.STYLE)
        cells[0] = cells[0].replace(
            'class="col-result"', f'class="col-result v-{escape(verdict)}" data-verdict="{escape(verdict)}"'
        )
        cells[1] = f'<td class="col-testId">{html.breakable(test_id)}</td>'  # pytest-html leaves the id unescaped
        cells.insert(2, f"<td>{escape(str(dict(report.user_properties).get('clause', '')))}</td>")


# --- fixtures: the target, its agents and sessions ------------------------------------------------


@contextmanager
def _time_limited(session: pytest.Session, state: RunState, gws: Any) -> Iterator[None]:
    """max_time for the whole run: when it is reached, no further check starts, and the agents'
    connections are closed so a check stuck on a server that never answers errors at once."""
    limit = gws.config.max_time

    def expire() -> None:
        state.stopped = f"the run reached max_time ({limit:g} s) and stopped; the reports hold the checks that ran"
        session.shouldstop = state.stopped
        for agent in list(gws.agents.values()):
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
def gws(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The run's view of the target: configuration, logged-in agents, the session source.

    No ``--gws-target`` (and none configured): the built-in reference server is started for the
    run and stopped after it.
    """
    from conformance.engine.context import Conformance
    from conformance.engine.opening import config_from_flags, open_run
    from conformance.engine.stage import Calibration

    recorder = pytestconfig.stash[_STATE].recorder
    if recorder.replaying:
        opened: dict[str, Any] = recorder.call("open_run", lambda: None)
        yield Conformance(recorder, Calibration.from_record(opened["calibration"]), opened["deadline"])
        return
    try:
        config = config_from_flags(options.plugin_flags(pytestconfig), option(pytestconfig, options.CONFIG))
        with open_run(config, option(pytestconfig, options.FAULT) or [], recorder) as conformance:
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
        raise Unjudgeable(f"the notification stream cannot be opened: {exc}", ErrorCause.UNOBSERVABLE) from None


@pytest.fixture(scope="session")
def scenario_runs(gws: Any, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The scenarios of every selected page module (``SCENARIOS``), launched together when the
    first page needs them, so the pages of a run go at the same time; by module node id. Only
    the scenarios the selected checks use start (their fixture names, and the module's ``ALSO``)."""
    from conformance.engine.scheduling import Scheduler, scenarios_of

    chosen = scenarios_of(request.session.items)
    concurrency = 1 if gws.recorder.replaying else gws.config.concurrency
    scheduler = Scheduler(gws.recorder, gws, concurrency)
    try:
        yield scheduler.launch(gws, chosen)
    finally:
        scheduler.stop()


@pytest.fixture(scope="module")
def scenarios(scenario_runs: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """This page module's scenarios; when its checks are done, the recordings of what ran and no
    fixture collected join the module's report."""
    running = scenario_runs[request.node.nodeid]
    yield running
    running.adopt_the_rest()
