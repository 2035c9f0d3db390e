"""The ``gws-conformance`` command line.

Each subcommand lives beside the code it drives and contributes itself through a small
``register(subparsers)`` function, so this module only dispatches:

    schema   inspect and apply the JSON Schemas                      (conformance.commands.schema)
    openapi  the OpenAPI document derived from them                  (conformance.commands.schema)
    serve    run the reference GWS server                            (conformance.commands.serve)
    run      run the conformance suite                               (conformance.commands.run)
    recheck  judge the recordings of an earlier run again            (conformance.commands.run)
    list     list the checks, their clauses and sessions needed      (conformance.commands.run)
    diff     compare two runs                                        (conformance.commands.diff)
    repro    one check again, live                                   (conformance.commands.repro)
    selftest prove the suite against every fault                     (conformance.commands.selftest)
    doctor   try a new server step by step                           (conformance.commands.doctor)
    init     write a starter configuration                           (conformance.commands.init)
    load     conformance under load                                  (conformance.commands.load)

Exit codes (conformance.errors) shared by every subcommand: 0 success, 1 a check or validation
failed, 2 usage or configuration error, 3 target unreachable / nothing could run, 4 incomplete (a
MUST clause judged by no check). README.md says which command gives which.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from conformance import __version__
from conformance.errors import EXIT_OK, EXIT_USAGE, UsageError

# Modules that provide ``register(subparsers)``; each registered parser sets ``handler``.
COMMAND_MODULES = (
    "conformance.commands.schema",
    "conformance.commands.serve",
    "conformance.commands.run",
    "conformance.commands.diff",
    "conformance.commands.repro",
    "conformance.commands.selftest",
    "conformance.commands.doctor",
    "conformance.commands.init",
    "conformance.commands.load",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's default exit code is already 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gws-conformance",
        description="Conformance suite for the GWS API v2 SMS Session API.",
        epilog=(
            "Exit codes: 0 ok, 1 failed, 2 usage/configuration error, 3 target unreachable or nothing could run, "
            "4 incomplete (a MUST clause judged by no check)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside the module: show it
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(handler(args) or EXIT_OK)
    except UsageError as exc:
        print(f"gws-conformance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (| head): not an error
        sys.stderr.close()
        return EXIT_OK
