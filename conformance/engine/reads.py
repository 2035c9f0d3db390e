"""Scenarios that need no notification barrier: one request on a fresh session with the session
and its log read before and after (parameter validation, capabilities), and the reads of the
resource itself (the session list, the message log paged). A mixin of
:class:`conformance.engine.context.Conformance`, kept apart so that each module reads in one sitting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from conformance.client.agent import Agent
from conformance.client.rest import Exchange
from conformance.engine.observation import Observation
from conformance.engine.sessions import CHATTING, SessionHandle

# The GET .../messages parameters to ask, made from the whole log.
Queries = Callable[[list[Mapping[str, Any]]], Sequence[Mapping[str, str]]]


class Reads:
    """Needs from its host: ``agents``, ``new_session``, ``_session`` and ``_observed``."""

    agents: dict[str, Agent]
    new_session: Callable[..., SessionHandle]
    _session: Callable[[str], tuple[Mapping[str, Any], list[Mapping[str, Any]]]]
    _observed: Callable[[str, Callable[[], Observation]], Observation]

    def attempt(self, body: object, *, state: str = CHATTING) -> Observation:
        """One request on a fresh session in ``state``, with the session and its log before and
        after; no notification is watched (a refused request causes none)."""
        handle = self.new_session(state)
        return self._observed("attempt", lambda: self._attempt(handle.id, body))

    def _attempt(self, session_id: str, body: object) -> Observation:
        before, log_before = self._session(session_id)
        exchange = self.agents["originator"].operate(session_id, body)
        after, log_after = self._session(session_id)
        return Observation(session_id, exchange, before, after, log_before, log_after)

    def list_held_session(self) -> Observation:
        """A fresh session, then the originator's session list as the resource page asks for it
        (GET /api/v2/me/smssessions?fields=*)."""
        handle = self.new_session()
        return self._observed(
            "list_held_session",
            lambda: Observation(
                handle.id, self.agents["originator"].rest.get("/api/v2/me/smssessions", {"fields": "*"})
            ),
        )

    def page_through_log(self, texts: Sequence[str], queries: Queries) -> Observation:
        """A fresh session whose originator sends ``texts`` (SendMessage), then reads its log
        whole, once per query that ``queries`` makes of the whole log (GET .../messages with
        those parameters), and whole again: ``log_before`` and ``log_after`` are the two whole
        reads, ``more`` the answers in order (each exchange's URL says what it asked). Pages are
        judged only where the two whole reads agree."""
        handle = self.new_session()
        return self._observed("page_through_log", lambda: self._page_through_log(handle.id, texts, queries))

    def _page_through_log(self, session_id: str, texts: Sequence[str], queries: Queries) -> Observation:
        originator = self.agents["originator"]
        sent = [originator.operate(session_id, {"operationName": "SendMessage", "text": text}) for text in texts]
        _, whole = self._session(session_id)
        pages: list[Exchange] = [
            originator.messages(session_id, q.get("startIndex"), q.get("count")) for q in queries(whole)
        ]
        _, again = self._session(session_id)
        return Observation(session_id, sent[-1], log_before=whole, log_after=again, more=pages)
