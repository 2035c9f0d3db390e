"""Recording every call a check makes on the target, and replaying it without the target.

Checks and scenarios reach the target only through :class:`conformance.engine.context.Conformance`,
whose every public call goes through :meth:`Recorder.call`. Each call gets a key that does not
depend on run order or on which xdist worker ran it: who made it (a fixture of a module, or a
check), and its number among that requester's calls, e.g.
``test_consult.py::consult_by_uri#0`` or ``test_consult.py::test_malformed_json_is_refused_not_crashed_on#0``.
The plugin says who the requester is (:attr:`Recorder.requester`). Scenarios that run at the same
time in other threads (:meth:`conformance.engine.context.Conformance.launch`) each act as their fixture
(:meth:`Recorder.acting_as`), so keys stay the same whatever runs concurrently; their entries
join the report of the fixture that collects them (:meth:`Recorder.adopt`).

Recorded outcomes are JSON-ready: a value, a skip with its reason, or an error with its message.
They land in ``results.json`` and are the transcripts of the reports. A recorder built with
``replaying=`` the recorded table answers each call from it instead of computing it, so
``gws-conformance recheck`` re-judges a run with the current checks and no server.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from conformance.engine.verdicts import ErrorCause, NotApplicable, Unjudgeable, cause_of
from conformance.redaction import redact_secrets

T = TypeVar("T")
Entry = dict[str, Any]  # {"method": ..., and one of "value" / "skip" / "error" (with its "cause")}


class RecordedError(Unjudgeable):
    """A call that failed when it was recorded (replayed as this error, with its cause), or was
    never recorded."""


def _encoded(value: Any) -> Any:
    return value


def _decoded(value: Any, key: str) -> Any:
    return value


class Recorder:
    def __init__(self, replaying: Mapping[str, Entry] | None = None) -> None:
        self.table: dict[str, Entry] = dict(replaying or {})
        self.replaying = replaying is not None
        self._counts: Counter[str] = Counter()
        self._fresh: list[str] = []
        self._held: dict[str, list[str]] = {}  # requester acting in the background -> its keys, until adopted
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def requester(self) -> str:
        """Who is calling, in this thread: a check, a module's fixture, or "run"."""
        return getattr(self._local, "requester", "run")

    @requester.setter
    def requester(self, name: str) -> None:
        self._local.requester = name

    @contextmanager
    def acting_as(self, requester: str) -> Iterator[None]:
        """This thread's calls are ``requester``'s, held apart until :meth:`adopt` (a background scenario)."""
        self.requester, self._local.background = requester, True
        with self._lock:
            self._held.setdefault(requester, [])
        try:
            yield
        finally:
            self._local.background = False

    def adopt(self, requester: str) -> None:
        """The entries ``requester`` recorded in the background join the current report phase."""
        with self._lock:
            self._fresh.extend(self._held.pop(requester, []))

    def call(
        self,
        method: str,
        compute: Callable[[], Any],
        *,
        encode: Callable[[Any], Any] = _encoded,
        decode: Callable[[Any, str], T] = _decoded,
    ) -> T:
        """``compute()``, recorded under the next key, or its recorded outcome when replaying.

        Either way the caller gets ``decode(encoded, key)``: a check sees exactly what a recheck
        of the recording will see, so the two cannot judge different data."""
        requester = self.requester
        with self._lock:
            key = f"{requester}#{self._counts[requester]}"
            self._counts[requester] += 1
        if self.replaying:
            return decode(self._replay(key, method), key)
        try:
            encoded = encode(compute())
        except NotApplicable as exc:
            skipped = {"skip": exc.reason, **({"skip_key": exc.key} if exc.key else {})}
            self._keep(key, {"method": method, **skipped})
            raise
        except Exception as exc:
            error = redact_secrets(f"{type(exc).__name__}: {exc}")
            self._keep(key, {"method": method, "error": error, "cause": cause_of(exc).value})
            raise
        self._keep(key, {"method": method, "value": encoded})
        return decode(encoded, key)

    def _keep(self, key: str, entry: Entry) -> None:
        with self._lock:
            self.table[key] = entry
            background = getattr(self._local, "background", False)
            (self._held[self.requester] if background else self._fresh).append(key)

    def _replay(self, key: str, method: str) -> Any:
        entry = self.table.get(key)
        if entry is None or entry.get("method") != method:
            raise RecordedError(
                f"{key} ({method}) is not in the recording: it was made by another version or selection of the checks",
                ErrorCause.NOT_RECORDED,
            )
        if "skip" in entry:
            raise NotApplicable(entry["skip"], entry.get("skip_key"))
        if "error" in entry:
            raise RecordedError(f"when recorded: {entry['error']}", ErrorCause(entry.get("cause", "crash")))
        return entry["value"]

    def drain(self) -> dict[str, Entry]:
        """The entries recorded since the last drain (what one report phase adds to the run)."""
        with self._lock:
            fresh, self._fresh = self._fresh, []
            return {key: self.table[key] for key in fresh}
