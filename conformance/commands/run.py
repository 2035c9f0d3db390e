"""``gws-conformance run`` and ``gws-conformance list``: the conformance run from the command line.

``run`` is a thin front of ``pytest --pyargs conformance.suites`` with the plugin's options, so a
run from the CLI and a run as a plain pytest plugin (``pytest --pyargs conformance.suites
--gws-target URL``) are the same run. Reports go to ``--report-dir`` (default ``reports/``).
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import time
from pathlib import Path

import pytest

from conformance import options
from conformance.config import load_config
from conformance.engine.opening import CALIBRATION_SESSIONS
from conformance.engine.scheduling import scenarios_of, sessions_needed
from conformance.engine.sessions import CHATTING, INVITED
from conformance.engine.verdicts import clause_of
from conformance.errors import EXIT_USAGE, UsageError
from conformance.plugin import page_names, page_of
from conformance.report.console import Console
from conformance.report.results import load_results
from conformance.report.waivers import load_waivers
from conformance.spec import pages
from conformance.spec.clauses import Clause

SUITES = "conformance.suites"
SUITES_INI = Path(__file__).parents[1] / "suites" / "pytest.ini"
# Isolated from the cwd's pytest settings (-c) and conftest.py files (the checks have none, and pytest
# would load those of the folder it starts in and of its test* folders: started in a checkout of
# this project, its own tests/conftest.py), no cache written there. Asserts are not rewritten:
# the checks raise typed violations with their own messages, and where no bytecode cache may be
# written (PYTHONDONTWRITEBYTECODE) every run would rewrite every check module again. Output is
# captured at the sys level: the checks start no subprocess whose file descriptors would need it,
# and fd capture's dup2 and fstat around each test phase cost a tenth of a run. The hypothesis and
# schemathesis plugins are not used by the hand-written checks and cost ~2.3 s of start-up
# (3.6 s -> 1.3 s for a one-check run). pytest's unraisable-exception plugin collects garbage
# harder at the end of each run (a twentieth of a default run) to report what a check never
# raises: off too.
BASE_PYTEST = (
    "-c",
    str(SUITES_INI),
    "--rootdir",
    str(SUITES_INI.parent),
    "--noconftest",
    "-p",
    "no:cacheprovider",
    "--assert=plain",
    "--capture=sys",
    "-p",
    "no:unraisableexception",
)
ISOLATED_PYTEST = (*BASE_PYTEST, "-p", "no:schemathesis", "-p", "no:hypothesispytest")
# The hand-written checks, isolated as above: what run, list, recheck, repro and a rehearsal give pytest first.
SUITE_ARGUMENTS = ("--pyargs", SUITES, *ISOLATED_PYTEST)
# The fuzz suite (not collected by default: its name does not start with test_) and what it needs.
FUZZ_MODULE = "fuzz_sms_sessions"
FUZZ_EXAMPLES_ENV = "GWS_CONFORMANCE_FUZZ_EXAMPLES"
FUZZ_EXAMPLES_DEFAULT = 25


RUN_OPTIONS = (
    "target",
    "config",
    "clause",
    "page",
    "level",
    "deadline",
    "max_time",
    "waivers",
    "allow_stale_waivers",
    "baseline",
    "no_redact_content",
    "fault",
)
SELECTION = ("clause", "page")


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the conformance suite (against the built-in reference server by default)",
        description="Run the SMS Session API conformance checks. With no --target, the built-in reference "
        "server is started in-process and checked. Exit codes: 0 every MUST check passed; "
        "1 a MUST check failed or could not run; 2 usage or configuration error; "
        "3 the target cannot be reached or no check could run.",
    )
    options.add_cli_options(run, RUN_OPTIONS)
    run.add_argument(
        "-k",
        dest="keyword",
        metavar="EXPR",
        help="only checks whose name matches this pytest -k expression (names as 'list' prints them)",
    )
    run.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="run the checks in N processes (pytest-xdist); default: one process, whose scenarios "
        "already run at the same time (configuration key concurrency)",
    )
    add_report_dir(run, Path("reports"), "where report.html, junit.xml and results.json go (default: reports/)")
    run.add_argument(
        "--fuzz",
        action="store_true",
        help="add the generated-request suite (schemathesis over the derived OpenAPI); slower",
    )
    run.add_argument(
        "--fuzz-examples",
        type=int,
        default=FUZZ_EXAMPLES_DEFAULT,
        metavar="N",
        help=f"with --fuzz: generated examples per operation and phase (default {FUZZ_EXAMPLES_DEFAULT})",
    )
    run.add_argument(
        "--fuzz-seed",
        type=int,
        metavar="SEED",
        help="with --fuzz: the generator's seed (default: a random one, printed and kept in "
        "results.json, to reproduce a run)",
    )
    run.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        metavar="-- PYTEST ARGS",
        help="anything after -- goes to pytest unchanged (e.g. -- -n 2 -x)",
    )
    run.set_defaults(handler=run_suite)

    recheck = subparsers.add_parser(
        "recheck",
        help="judge the recordings of an earlier run again, with the current checks, without a server",
        description="Re-judge the transcripts recorded in a results.json with the checks of this version, "
        "offline, and compare the verdicts with the recorded ones. Exit codes as for run; 2 also "
        "when the file is not a results document.",
    )
    recheck.add_argument("results", type=Path, metavar="RESULTS_JSON", help="a results.json written by run")
    add_report_dir(recheck, None, "where the re-judged reports go (default: a recheck/ folder beside RESULTS_JSON)")
    options.add_cli_options(recheck, ("waivers", "allow_stale_waivers"))
    recheck.set_defaults(handler=recheck_run)

    listing = subparsers.add_parser(
        "list",
        help="list the checks by documentation page, with their clauses and levels",
        description="List the checks without running anything, grouped by documentation page (its title, "
        "the names --page takes, its URL), and the sessions a run of them takes from the source.",
    )
    options.add_cli_options(listing, SELECTION)
    listing.add_argument(
        "--level",
        type=str.upper,
        choices=("MUST", "SHOULD"),
        metavar="LEVEL",
        help="only the checks of clauses of this level: must or should",
    )
    listing.set_defaults(handler=list_checks)


def add_report_dir(parser: argparse.ArgumentParser, default: Path | None, help: str) -> None:
    parser.add_argument("--report-dir", metavar="DIR", type=Path, default=default, help=help)


def report_arguments(args: argparse.Namespace, report_dir: Path) -> list[str]:
    """Where the three reports go, and the waivers: the same for run and recheck."""
    return [
        f"--gws-results={report_dir / 'results.json'}",
        # xunit1 keeps per-check <properties> (clause, level, page) that xunit2 drops
        f"--junitxml={report_dir / 'junit.xml'}",
        "-o",
        "junit_family=xunit1",
        f"--html={report_dir / 'report.html'}",
        "--self-contained-html",
        *options.plugin_arguments(args, ("waivers", "allow_stale_waivers")),
    ]


def selection_arguments(args: argparse.Namespace) -> list[str]:
    """Which checks: the suites (with the fuzz suite if asked), -k, clauses and pages."""
    if args.fuzz:
        arguments = [
            "--pyargs",
            SUITES,
            *BASE_PYTEST,
            "-o",
            f"python_files=test_*.py {FUZZ_MODULE}.py",
            f"--hypothesis-seed={args.fuzz_seed}",
        ]
    else:
        arguments = list(SUITE_ARGUMENTS)
    if args.keyword:
        arguments += ["-k", args.keyword]
    return arguments + options.plugin_arguments(args, SELECTION)


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    extra = list(args.pytest_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    arguments = [
        *selection_arguments(args),
        "-p",
        "no:terminal",
        *options.plugin_arguments(args, [n for n in RUN_OPTIONS if n not in SELECTION]),
        *report_arguments(args, args.report_dir),
    ]
    if args.jobs:
        arguments += ["-n", str(args.jobs)]
    return arguments + extra


def preflight_run(args: argparse.Namespace) -> int | None:
    """Check what can be checked before pytest starts, each with one line instead of one error per
    check: the configuration (exit 2), that the target answers at all (exit 3), that it names its
    agents or has them configured, and that each standing agent logs in and may use the SMS
    session API (exit 2, naming the agent): the first steps of ``gws-conformance doctor``."""
    from conformance.commands.doctor import Doctor, StepFailed, log_in_each, preflight, with_named_agents
    from conformance.engine.opening import STANDING_ROLES

    config = load_config(flags=options.cli_flags(args), config_file=args.config)
    if config.target is None:
        return None

    def steps() -> None:
        Doctor(config, out=lambda line: None).reachable()
        try:
            named = with_named_agents(config)
        except StepFailed as failed:
            if failed.exit_code != EXIT_USAGE:
                raise
            raise UsageError(f"{failed.line}: {failed.fix}") from None
        log_in_each(named, [named.agents[role] for role in STANDING_ROLES])

    return preflight("gws-conformance", config, steps)


def make_report_dir(report_dir: Path) -> None:
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--report-dir {report_dir}: {exc.strerror}") from None


REPORTS = ("results.json", "junit.xml", "report.html")


def run_suite(args: argparse.Namespace) -> int:
    make_report_dir(args.report_dir)
    for stale in REPORTS:  # a run removes the last one's reports first, even one stopped before its checks
        (args.report_dir / stale).unlink(missing_ok=True)
    check_page_names(args.page)
    if args.fuzz:
        if args.fuzz_examples < 1:
            raise UsageError("--fuzz-examples: expected at least 1")
        if args.fuzz_seed is None:
            args.fuzz_seed = random.randrange(2**32)
        os.environ[FUZZ_EXAMPLES_ENV] = str(args.fuzz_examples)
        # hypothesis keeps its files in ./.hypothesis unless told otherwise: not in the user's folder
        os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(args.report_dir / ".hypothesis"))
        print(
            f"gws-conformance: fuzzing with seed {args.fuzz_seed}, {args.fuzz_examples} examples per operation "
            f"(repeat with --fuzz-seed {args.fuzz_seed})"
        )
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs: expected at least 1")
    chosen = collected_checks(selection_arguments(args))
    if not chosen:
        raise UsageError(f"no check matches {describe_selection(args)} (see 'gws-conformance list')")
    if args.waivers:  # a broken waiver file, or one naming no check, is a usage error before anything runs
        known = set(
            collected_checks(
                selection_arguments(argparse.Namespace(**{**vars(args), "keyword": None, "clause": [], "page": []}))
            )
        )
        unknown = [w.check for w in load_waivers(args.waivers) if not any(w.covers(c) for c in known)]
        if unknown:
            raise UsageError(f"--waivers {args.waivers}: no check is named {unknown[0]!r} (see 'gws-conformance list')")
    stop = preflight_run(args)
    if stop is not None:
        return stop
    console = Console()
    code = int(pytest.main(pytest_arguments(args), plugins=[console]))
    if console.judged_exit is not None:  # the checks ran: the plugin's code (4 is incomplete, not pytest's usage)
        return console.judged_exit
    # pytest's own "usage error" and "no tests collected" are usage errors here (README: exit codes)
    return EXIT_USAGE if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED) else code


def check_page_names(names: list[str]) -> None:
    unknown = [name for name in names if pages.find(name) is None]
    if unknown:
        raise UsageError(f"--page {unknown[0]!r}: no such page; the pages: {page_names()}")


def describe_selection(args: argparse.Namespace) -> str:
    parts = (
        ([f"-k {args.keyword!r}"] if args.keyword else [])
        + [f"--clause {g!r}" for g in args.clause]
        + [f"--page {p!r}" for p in args.page]
    )
    return " ".join(parts) or "this run"


def recheck_run(args: argparse.Namespace) -> int:
    """Replay the recordings through the current checks, then say where the verdicts differ."""
    recorded = load_results(args.results)
    report_dir: Path = args.report_dir or args.results.parent / "recheck"
    if report_dir.resolve() == args.results.parent.resolve():
        raise UsageError(f"--report-dir {report_dir}: would overwrite the results being rechecked")
    make_report_dir(report_dir)
    if args.waivers:
        load_waivers(args.waivers)
    # Generated requests cannot be judged again without a server: they are new each time.
    fuzzed = [c["id"] for c in recorded["checks"] if c["id"].startswith(FUZZ_MODULE)]
    checks = [c["id"] for c in recorded["checks"] if c["id"] not in fuzzed]
    level = recorded["manifest"]["options"].get("level") or "must"
    started = time.monotonic()
    console = Console(closing=False)
    code = int(
        pytest.main(
            [
                *SUITE_ARGUMENTS,
                "-p",
                "no:terminal",
                "--gws-level",
                level,
                "--gws-replay",
                str(args.results),
                *report_arguments(args, report_dir),
            ],
            plugins=[_Selection(checks), console],
        )
    )
    elapsed = time.monotonic() - started
    if console.judged_exit is not None:
        code = console.judged_exit
    rechecked = {c["id"]: c["verdict"] for c in load_results(report_dir / "results.json")["checks"]}
    changed = [
        (c["id"], c["verdict"], rechecked.get(c["id"], "not run"))
        for c in recorded["checks"]
        if c["id"] not in fuzzed and rechecked.get(c["id"], "not run") != c["verdict"]
    ]
    if fuzzed:
        console.line(f"not rechecked: {len(fuzzed)} fuzz checks (generated requests need a server)")
    for check_id, before, after in changed:
        console.line(f"CHANGED  {check_id}: recorded {before}, rechecked {after}")
    console.line(
        f"gws-conformance: rechecked {args.results}: {console.tally or f'{len(rechecked)} checks'}; "
        + (f"{len(changed)} verdicts changed" if changed else "the same verdicts as recorded")
        + f" in {elapsed:.1f} s; exit {code}"
    )
    return code


class _Selection:
    """A pytest plugin that keeps only the checks a recorded run ran, in the recorded set."""

    def __init__(self, check_ids: list[str]) -> None:
        self.check_ids = set(check_ids)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        kept = [item for item in items if item.nodeid in self.check_ids]
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in self.check_ids])
        items[:] = kept


class _Collector:
    """A pytest plugin that keeps the collected items instead of running them."""

    def __init__(self) -> None:
        self.items: list[pytest.Item] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = list(session.items)


def collected(arguments: list[str]) -> list[pytest.Item]:
    """The conformance checks pytest collects with ``arguments`` (nothing is run, nothing written)."""
    collector = _Collector()
    code = pytest.main([*arguments, "--collect-only", "-p", "no:terminal"], plugins=[collector])
    if code not in (0, 5):
        raise UsageError(f"could not collect the checks (pytest exit {code}): is an argument after -- wrong?")
    return [item for item in collector.items if clause_of(item) is not None]


def collected_checks(arguments: list[str]) -> list[str]:
    return [item.nodeid for item in collected(arguments)]


def list_checks(args: argparse.Namespace) -> int:
    check_page_names(args.page)
    items = collected([*SUITE_ARGUMENTS, *options.plugin_arguments(args, SELECTION)])
    if args.level:
        items = [item for item in items if (found := clause_of(item)) and found.level.value == args.level]
    if not items:
        raise UsageError(f"no check matches {describe_selection(args)} (see 'gws-conformance list')")
    # by the page whose check module holds it (a cross-cutting clause is listed where it is judged)
    by_page: dict[str, tuple[pages.Page, list[tuple[str, Clause]]]] = {}
    for item in items:
        clause, page = clause_of(item), page_of(item)
        if clause is not None:
            page = page or clause.page
            by_page.setdefault(page.url, (page, []))[1].append((item.nodeid, clause))
    width = max(len(check) for _, listed in by_page.values() for check, _ in listed)
    for page, listed in by_page.values():
        names = ", ".join(dict.fromkeys(n for n in (page.operation, page.doc_name, page.slug) if n))
        print(f"{page.title} ({names}): {len(listed)} checks  {page.url}")
        for check, clause in listed:
            print(f"  {check:<{width}}  {clause.id} [{clause.level.value}]")
    needed = sessions_a_run_takes(items)
    print(
        f"{len(items)} checks on {len(by_page)} page{'s' * (len(by_page) != 1)}; "
        "sessions a run of them takes from the source: "
        f"{needed[CHATTING]} {CHATTING} ({CALIBRATION_SESSIONS} for the calibration), {needed[INVITED]} {INVITED}"
    )
    return 0


@functools.cache
def sessions_a_full_run_takes() -> dict[str, int]:
    """:func:`sessions_a_run_takes` of every check, collected once per process (doctor asks twice)."""
    return sessions_a_run_takes()


def sessions_a_run_takes(items: list[pytest.Item] | None = None) -> dict[str, int]:
    """The sessions of each state a run of ``items`` (default: every check) takes from the source,
    the calibration's included."""
    needed = dict(sessions_needed(scenarios_of(items if items is not None else collected(list(SUITE_ARGUMENTS)))))
    needed[CHATTING] = needed.get(CHATTING, 0) + CALIBRATION_SESSIONS
    needed.setdefault(INVITED, 0)
    return needed
