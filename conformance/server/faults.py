"""Fault switches: named, documented ways to break the reference server one clause at a time.

Any module of the server defines its faults at import time::

    SWAPPED = define("consult-notifications-swapped", "sms.consult.notify.order",
                     "NewMessages (join) is sent before ParticipantsUpdated")

and tests whether one is switched on for the running instance with ``SWAPPED in faults``,
where ``faults`` is the instance's :class:`FaultSet`. The catalogue (``CATALOGUE``) is what
``gws-conformance serve --list-faults`` prints and what the self-validation iterates over.

The same switches carry **benign variations** (:func:`define_benign`, no clause): ways a correct
server may legitimately differ (extra fields, key order, split connects, jitter, ...). The suite
must pass against each of them; ``gws-conformance selftest`` proves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conformance.errors import UsageError


@dataclass(frozen=True)
class Fault:
    name: str
    clause: str | None  # the clause ID (conformance.spec) it breaks, e.g. "sms.consult.notify.order"; None: benign
    summary: str
    unobservable: bool = False  # hides the notifications themselves: caught by checks erroring, not failing
    under_load: bool = False  # appears only under concurrency: caught by ``gws-conformance load``, not by a run
    implies: tuple[str, ...] = ()  # other switches it turns on with it (a mode made of several)
    # Where a fault of a cross-cutting clause (sms.common.*) acts, when that is one or a few pages
    # (page slugs): the selftest judges it there only. Empty: its clause's page, every page for sms.common.*.
    pages: tuple[str, ...] = ()

    @property
    def benign(self) -> bool:
        return self.clause is None


CATALOGUE: dict[str, Fault] = {}


def define(
    name: str,
    clause: str | None,
    summary: str,
    *,
    unobservable: bool = False,
    under_load: bool = False,
    pages: tuple[str, ...] = (),
) -> Fault:
    if name in CATALOGUE:
        raise ValueError(f"fault {name!r} is defined twice")
    fault = Fault(name, clause, summary, unobservable, under_load, pages=pages)
    CATALOGUE[name] = fault
    return fault


def define_benign(name: str, summary: str, *, implies: tuple[str, ...] = ()) -> Fault:
    """A variation a correct server may show: checks must not fail because of it. One that
    ``implies`` others is a mode: all of them at once (each must already be defined)."""
    unknown = [n for n in implies if n not in CATALOGUE]
    if unknown:
        raise ValueError(f"variation {name!r} implies undefined switches: {unknown}")
    if name in CATALOGUE:
        raise ValueError(f"fault {name!r} is defined twice")
    CATALOGUE[name] = Fault(name, None, summary, implies=implies)
    return CATALOGUE[name]


def breaking() -> dict[str, Fault]:
    """The faults a conformance run must catch (the selftest's); those that appear only under load
    are :func:`under_load`'s, caught by ``gws-conformance load``."""
    return {name: fault for name, fault in CATALOGUE.items() if not fault.benign and not fault.under_load}


def under_load() -> dict[str, Fault]:
    return {name: fault for name, fault in CATALOGUE.items() if fault.under_load}


def benign() -> dict[str, Fault]:
    return {name: fault for name, fault in CATALOGUE.items() if fault.benign}


class UnknownFault(UsageError):
    pass


class FaultSet:
    """The faults switched on for one server instance (empty: a correct server)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        names = list(names)
        unknown = [n for n in names if n not in CATALOGUE]
        if unknown:
            raise UnknownFault(f"unknown fault(s): {', '.join(unknown)}; see 'gws-conformance serve --list-faults'")
        self._names = frozenset(names) | {implied for n in names for implied in CATALOGUE[n].implies}

    def __contains__(self, fault: Fault) -> bool:
        return fault.name in self._names

    def __iter__(self):
        return iter(sorted(self._names))

    def __bool__(self) -> bool:
        return bool(self._names)
