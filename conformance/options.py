"""Every option of a conformance run, declared once: its flag, help, type and the configuration key
it overrides.

``gws-conformance run`` (and the commands that take the same options) adds each as ``--NAME``;
the pytest plugin adds the same as ``--gws-NAME``; the CLI hands its values to the plugin with
:func:`plugin_arguments`, and the plugin reads them back with :func:`flag_values`, which is what
outranks the environment and the configuration file (conformance.config).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

FAULTS_HELP = "see 'gws-conformance serve --list-faults'"


@dataclass(frozen=True)
class Option:
    name: str  # the argparse dest; --NAME on the CLI (underscores as dashes), --gws-NAME in the plugin
    help: str
    metavar: str | None = None
    type: Callable[[str], Any] | None = None
    action: str | None = None  # "store_true" or "append"
    choices: tuple[str, ...] | None = None
    default: Any = None
    config_key: str | None = None  # the configuration key a given value overrides
    negates: bool = False  # a store_true flag that sets its configuration key to false (--no-redact-content)
    in_cli: bool = True  # `run` offers it; False: plugin only (its CLI form is another command's)

    @property
    def cli_flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def plugin_flag(self) -> str:
        return "--gws-" + self.name.replace("_", "-")

    def _keywords(self) -> dict[str, Any]:
        keywords: dict[str, Any] = {"help": self.help}
        if self.action is not None:
            keywords["action"] = self.action
        if self.action != "store_true":
            keywords["metavar"] = self.metavar
            if self.type is not None:
                keywords["type"] = self.type
            if self.choices is not None:
                keywords["choices"] = self.choices
        if self.action == "append":
            keywords["default"] = []
        elif self.default is not None:
            keywords["default"] = self.default
        return keywords

    def add_to_cli(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(self.cli_flag, dest=self.name, **self._keywords())

    def add_to_plugin(self, group: Any) -> None:
        group.addoption(self.plugin_flag, dest=f"gws_{self.name}", **self._keywords())


def positive_number(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return number


TARGET = Option(
    "target",
    "base URL of the GWS server (e.g. https://gws.example:8443); none: start the built-in reference server",
    "URL",
    config_key="target",
)
CONFIG = Option("config", "TOML configuration (default: ./gws-conformance.toml if present)", "FILE", Path)
DEADLINE = Option(
    "deadline",
    "seconds an expected notification may take (default from the configuration: 10)",
    "SECONDS",
    positive_number,
    config_key="deadline",
)
MAX_TIME = Option(
    "max_time",
    "seconds for the whole run (default from the configuration: 600); then it stops with partial reports",
    "SECONDS",
    positive_number,
    config_key="max_time",
)
LEVEL = Option(
    "level",
    "must (default): SHOULD violations are warnings; should: they fail the run too",
    "LEVEL",
    choices=("must", "should"),
    default="must",
)
CLAUSE = Option(
    "clause",
    "only checks of clauses matching this glob, e.g. 'sms.common.reference-id.*' (repeatable)",
    "GLOB",
    action="append",
)
PAGE = Option(
    "page",
    "only checks of this documentation page: its operation (SendMessage), title, documentation page name "
    "(SMSConsult) or slug (send-message), any case (repeatable; 'gws-conformance list' names them)",
    "PAGE",
    action="append",
)
WAIVERS = Option("waivers", "TOML file of known failures: [[waiver]] check, reason, owner, expires", "FILE", Path)
ALLOW_STALE = Option(
    "allow_stale_waivers", "a waiver whose check passes, or that expired, does not fail the run", action="store_true"
)
NO_REDACT = Option(
    "no_redact_content",
    "show customer content (SMS text, nicknames, phone numbers) in the reports, for debugging; credentials are "
    "redacted whatever this says",
    action="store_true",
    config_key="redact_content",
    negates=True,
)
FAULT = Option(
    "fault",
    f"switch on a fault or benign variation of the built-in reference server (repeatable; {FAULTS_HELP})",
    "NAME",
    action="append",
)
BASELINE = Option(
    "baseline",
    "results.json of a run the team accepted: its failures are reported but do not fail this run; "
    "a failure it did not have does (see also 'gws-conformance diff')",
    "RESULTS_JSON",
    Path,
)
RESULTS = Option("results", "write the run's results.json there", "FILE", in_cli=False)
REPLAY = Option(
    "replay",
    "judge the recordings of an earlier run instead of reaching a server (gws-conformance recheck)",
    "RESULTS_JSON",
    in_cli=False,
)

# In the order --help shows them.
RUN_OPTIONS: tuple[Option, ...] = (
    TARGET,
    CONFIG,
    CLAUSE,
    PAGE,
    LEVEL,
    DEADLINE,
    MAX_TIME,
    WAIVERS,
    ALLOW_STALE,
    BASELINE,
    NO_REDACT,
    FAULT,
    RESULTS,
    REPLAY,
)
BY_NAME: dict[str, Option] = {option.name: option for option in RUN_OPTIONS}


class _Options(Protocol):
    def getoption(self, name: str, default: Any = ...) -> Any: ...


def add_cli_options(parser: argparse.ArgumentParser, names: Iterable[str]) -> None:
    """Add the options named (in table order) to a subcommand's parser."""
    wanted = set(names)
    for option in RUN_OPTIONS:
        if option.name in wanted:
            option.add_to_cli(parser)


def add_plugin_options(group: Any) -> None:
    for option in RUN_OPTIONS:
        option.add_to_plugin(group)


def plugin_arguments(args: argparse.Namespace, names: Sequence[str] | None = None) -> list[str]:
    """The plugin's command line for the CLI options given in ``args`` (all those it has, or ``names``)."""
    arguments: list[str] = []
    for option in RUN_OPTIONS:
        if (names is not None and option.name not in names) or not hasattr(args, option.name):
            continue
        value = getattr(args, option.name)
        if option.action == "store_true":
            arguments += [option.plugin_flag] if value else []
        elif option.action == "append":
            arguments += [f"{option.plugin_flag}={v}" for v in value or []]
        elif value is not None and value != option.default:
            arguments.append(f"{option.plugin_flag}={value}")
    return arguments


def plugin_value(config: _Options, option: Option) -> Any:
    return config.getoption(f"gws_{option.name}", None)


def config_flags(value_of: Callable[[Option], Any]) -> dict[str, Any]:
    """The configuration keys that given options set (flags outrank the environment and the file);
    ``value_of`` reads an option's value, from the CLI's arguments or the plugin's options."""
    values: dict[str, Any] = {}
    for option in RUN_OPTIONS:
        value = value_of(option)
        if option.config_key is None or value in (None, False):
            continue
        values[option.config_key] = (not value) if option.negates else value
    return values


def plugin_flags(config: _Options) -> dict[str, Any]:
    return config_flags(lambda option: plugin_value(config, option))


def cli_flags(args: argparse.Namespace) -> dict[str, Any]:
    return config_flags(lambda option: getattr(args, option.name, None))
