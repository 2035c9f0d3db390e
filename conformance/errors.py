"""Usage errors and exit codes: a leaf every layer may import (nothing here imports the rest).

A :class:`UsageError` is a mistake of the user (a bad flag, an unreadable file, a configuration
key with a wrong value): the command line prints it on one line and exits :data:`EXIT_USAGE`, never
with a traceback. The exit codes are the suite's contract with a CI pipeline (README: exit codes).
"""

from __future__ import annotations

EXIT_OK = 0  # every MUST check passed
EXIT_FAILED = 1  # a MUST check failed, a check could not judge, or a waiver is stale
EXIT_USAGE = 2  # usage or configuration error, one line
EXIT_UNREACHABLE = 3  # the target cannot be reached, or not one check could run
EXIT_INCOMPLETE = 4  # judged less than asked: a MUST clause judged by no check, or the source ran short


class UsageError(Exception):
    """A mistake of the user (bad argument, unreadable file): one line, exit 2, no traceback."""


class ConfigError(UsageError):
    """A configuration mistake; its message starts with the key at fault."""
