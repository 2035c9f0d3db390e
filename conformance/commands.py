"""``gws-conformance run`` and ``gws-conformance list``: the conformance run from the command line.

``run`` is a thin front of ``pytest --pyargs conformance.suites`` with the plugin's options, so a
run from the CLI and a run as a plain pytest plugin (``pytest --pyargs conformance.suites
--gws-target URL``) are the same run. Reports go to ``--report-dir`` (default ``reports/``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx
import pytest

from conformance.cli import EXIT_UNREACHABLE, EXIT_USAGE, UsageError
from conformance.config import load_config
from conformance.verdicts import clause_of

SUITES = "conformance.suites"
SUITES_INI = Path(__file__).parent / "suites" / "pytest.ini"
# Isolated from the cwd's pytest settings (-c), no cache written there; and since the CLI imported
# the package before pytest could rewrite its asserts (the checks' messages are explicit anyway),
# that rewrite warning is noise. The hypothesis and schemathesis plugins are not used by the
# hand-written checks and cost ~2.3 s of start-up (3.6 s -> 1.3 s for a one-check run).
ISOLATED_PYTEST = ("-c", str(SUITES_INI), "--rootdir", str(SUITES_INI.parent), "-p", "no:cacheprovider",
                   "-W", "ignore::pytest.PytestAssertRewriteWarning",
                   "-p", "no:schemathesis", "-p", "no:hypothesispytest")


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run", help="run the conformance suite (against the built-in reference server by default)",
        description="Run the SMS Session API conformance checks. With no --target, the built-in reference "
                    "server is started in-process and checked. Exit codes: 0 every MUST check passed; "
                    "1 a MUST check failed or could not run; 2 usage or configuration error; "
                    "3 the target cannot be reached or no check could run.",
    )
    run.add_argument("--target", metavar="URL", help="base URL of the GWS server (e.g. https://gws.example:8443)")
    run.add_argument("--config", metavar="FILE", type=Path,
                     help="TOML configuration (default: ./gws-conformance.toml if present)")
    run.add_argument("-k", dest="keyword", metavar="EXPR", help="only checks matching this pytest -k expression")
    run.add_argument("--level", choices=("must", "should"), default="must",
                     help="must (default): SHOULD violations are warnings; should: they fail the run too")
    run.add_argument("--deadline", metavar="SECONDS", type=float,
                     help="how long to wait for each expected notification (default from config: 10)")
    run.add_argument("--report-dir", metavar="DIR", type=Path, default=Path("reports"),
                     help="where report.html and junit.xml go (default: reports/)")
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, metavar="-- PYTEST ARGS",
                     help="anything after -- goes to pytest unchanged (e.g. -- -n 2 -x)")
    run.set_defaults(handler=run_suite)

    listing = subparsers.add_parser("list", help="list every check with its clause, level and documentation page",
                                    description="List the checks without running anything.")
    listing.set_defaults(handler=list_checks)


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    extra = list(args.pytest_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    report_dir: Path = args.report_dir
    arguments = ["--pyargs", SUITES, *ISOLATED_PYTEST, "--gws-level", args.level,
                 # xunit1 keeps per-check <properties> (clause, level, page) that xunit2 drops
                 f"--junitxml={report_dir / 'junit.xml'}", "-o", "junit_family=xunit1",
                 f"--html={report_dir / 'report.html'}",
                 "--self-contained-html"]
    if args.target:
        arguments += ["--gws-target", args.target]
    if args.config:
        arguments += ["--gws-config", str(args.config)]
    if args.deadline is not None:
        arguments += ["--gws-deadline", str(args.deadline)]
    if args.keyword:
        arguments += ["-k", args.keyword]
    return arguments + extra


def preflight(args: argparse.Namespace) -> int | None:
    """Check what can be checked before pytest starts: the configuration (exit 2) and that the
    target answers at all (exit 3), each with one line instead of 37 identical errors."""
    config = load_config(flags={"target": args.target, "deadline": args.deadline}, config_file=args.config)
    if config.target is None:
        return None
    probe = f"{config.base_url}/api/v2/diagnostics/version"
    try:
        httpx.get(probe, timeout=config.http_timeout,
                  verify=str(config.tls.ca_bundle) if config.tls.ca_bundle else config.tls.verify)
    except httpx.TransportError as exc:
        print(f"gws-conformance: cannot reach {config.base_url}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    return None


def run_suite(args: argparse.Namespace) -> int:
    try:
        args.report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--report-dir {args.report_dir}: {exc.strerror}") from None
    stop = preflight(args)
    if stop is not None:
        return stop
    return int(pytest.main(pytest_arguments(args)))


class _Collector:
    """A pytest plugin that keeps the collected items instead of running them."""

    def __init__(self) -> None:
        self.items: list[pytest.Item] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = list(session.items)


def list_checks(args: argparse.Namespace) -> int:
    collector = _Collector()
    code = pytest.main(["--pyargs", SUITES, "--collect-only", *ISOLATED_PYTEST, "-p", "no:terminal"],
                       plugins=[collector])
    if code not in (0, 5):
        print("gws-conformance: could not collect the checks", file=sys.stderr)
        return EXIT_USAGE
    for item in collector.items:
        clause = clause_of(item)
        if clause is None:
            continue
        print(f"{item.nodeid}\t{clause.id}\t{clause.level.value}\t{clause.page.url}")
    return 0
