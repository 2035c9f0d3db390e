"""Fault switches: named, documented ways to break the reference server one clause at a time.

Any module of the server defines its faults at import time::

    SWAPPED = define("consult-notifications-swapped", "sms.consult.notify.order",
                     "NewMessages (join) is sent before ParticipantsUpdated")

and tests whether one is switched on for the running instance with ``SWAPPED in faults``,
where ``faults`` is the instance's :class:`FaultSet`. The catalogue (``CATALOGUE``) is what
``gws-conformance serve --list-faults`` prints and what the self-validation iterates over.
"""

from __future__ import annotations

from conformance.cli import UsageError

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    clause: str  # the clause ID of ../shared/spec it breaks, e.g. "sms.consult.notify.order"
    summary: str


CATALOGUE: dict[str, Fault] = {}


def define(name: str, clause: str, summary: str) -> Fault:
    if name in CATALOGUE:
        raise ValueError(f"fault {name!r} is defined twice")
    fault = Fault(name, clause, summary)
    CATALOGUE[name] = fault
    return fault


class UnknownFault(UsageError):
    pass


class FaultSet:
    """The faults switched on for one server instance (empty: a correct server)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        names = list(names)
        unknown = [n for n in names if n not in CATALOGUE]
        if unknown:
            raise UnknownFault(
                f"unknown fault(s): {', '.join(unknown)}; see 'gws-conformance serve --list-faults'"
            )
        self._names = frozenset(names)

    def __contains__(self, fault: Fault) -> bool:
        return fault.name in self._names

    def __iter__(self):
        return iter(sorted(self._names))

    def __bool__(self) -> bool:
        return bool(self._names)
