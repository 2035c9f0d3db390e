"""``gws-conformance repro CHECK_ID``: one check's scenario again, live, against the target.

The check runs as in a run (same options, same preflight, same judge), alone. While it runs, each
request and its response, and each notification of each agent, are printed as they happen, with
their time since the start; then the check's verdict and the run's exit code, in the suite's
console. What the suite does before the check (log the agents in, calibrate, open sessions) is
printed under the name of the fixture that does it, so the check's own steps stand out.
"""

from __future__ import annotations

import argparse
import difflib
import json
import threading
import time
from collections.abc import Mapping
from typing import Any, TextIO

import pytest

from conformance import options
from conformance.client import tap
from conformance.commands.run import SUITE_ARGUMENTS, _Selection, collected_checks, preflight_run
from conformance.engine.notation import describe
from conformance.errors import EXIT_USAGE, UsageError
from conformance.redaction import redact_content, redact_secrets
from conformance.report.console import Console

REPRO_OPTIONS = ("target", "config", "level", "deadline", "no_redact_content", "fault")
BODY_CHARS = 400  # of a body on its line; the run's reports hold them whole


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "repro",
        help="run one check again, live: its requests, responses and notifications as they happen",
        description="Run one check alone against the target (the built-in reference server by default) and "
        "print each request, response and notification as it happens, then the check's verdict. Exit codes "
        "as for run.",
    )
    parser.add_argument("check", metavar="CHECK_ID", help="a check as 'list' or the report names it")
    options.add_cli_options(parser, REPRO_OPTIONS)
    parser.set_defaults(handler=repro_command)


def repro_command(args: argparse.Namespace) -> int:
    known = collected_checks(list(SUITE_ARGUMENTS))
    if args.check not in known:
        close = difflib.get_close_matches(args.check, known, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else " (see 'gws-conformance list')"
        raise UsageError(f"no check is named {args.check!r}{hint}")
    stop = preflight_run(args)
    if stop is not None:
        return stop
    console = Console()
    live = LivePrinter(console.out, redact=not args.no_redact_content)
    with tap.listening(live.show):
        code = int(
            pytest.main(
                [
                    *SUITE_ARGUMENTS,
                    "-p",
                    "no:terminal",
                    *options.plugin_arguments(args, REPRO_OPTIONS),
                ],
                plugins=[_Selection([args.check]), console, live],
            )
        )
    if console.judged_exit is not None:
        return console.judged_exit
    return EXIT_USAGE if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED) else code


class LivePrinter:
    """Prints what the clients see as it happens (a tap listener), and which fixture or check is
    acting (a pytest plugin)."""

    def __init__(self, out: TextIO, *, redact: bool) -> None:
        self.out = out
        self.redact = redact
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def _print(self, text: str) -> None:
        with self._lock:
            self.out.write(redact_secrets(text) + "\n")
            self.out.flush()

    def _shown(self, value: Any) -> str:
        text = json.dumps(redact_content(value) if self.redact else value, ensure_ascii=False)
        return text if len(text) <= BODY_CHARS else text[:BODY_CHARS] + "…"

    @staticmethod
    def _who(role: str | None, user: str | None) -> str:
        return f"{role or 'agent'} ({user})"

    def _at(self, moment: float) -> str:
        return f"+{moment - self.started:7.3f}s"

    def show(self, event: tap.Event) -> None:
        if isinstance(event, tap.Sending):
            body = f" {self._shown(event.body)}" if event.body is not None else ""
            self._print(
                f"{self._at(event.at)}  {self._who(event.role, event.user)} -> {event.method} {event.url}{body}"
            )
        elif isinstance(event, tap.Sent):
            exchange = event.exchange
            who = self._who(exchange.role, exchange.user)
            self._print(f"{self._at(exchange.ended)}  {who} <- HTTP {exchange.status} {self._shown(exchange.body)}")
        else:
            data: Mapping[str, Any] = event.data
            self._print(f"{self._at(event.at)}  {event.receiver} notified: {describe(data)} {self._shown(data)}")

    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> None:
        if getattr(fixturedef.func, "__module__", "").startswith("conformance."):  # not pytest's own
            self._print(f"--- setting up {fixturedef.argname}")

    def pytest_runtest_call(self, item: pytest.Item) -> None:
        self._print(f"--- the check: {item.nodeid}")
