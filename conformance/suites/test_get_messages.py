"""Checks of the documentation page "SMS Session API: GetMessages", one clause each.

Page: https://docs.genesys.com/Documentation/HTCC/latest/API/SMSGetMessages
Clauses: conformance/spec/user_data_clauses.py.

One session's log is read whole, then page by page with startIndex and count chosen from the
indexes it holds (a middle page, the first, 0, past the end, count 0), then whole again; a page
is judged against the whole log, and only if the two whole reads agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conformance.client.rest import Exchange
from conformance.engine.notation import names
from conformance.engine.observation import Observation
from conformance.engine.scheduling import REFUSED_WHEN_CHATTING, Scenario, scenario_fixture
from conformance.engine.verdicts import ErrorCause, Unjudgeable, expect, requirement
from conformance.redaction import register_own_content
from conformance.suites.judging import assert_refusal, schema_problems

TEXTS = tuple(register_own_content(f"gws-conformance: page {n}") for n in (1, 2))
INVALID = ({"startIndex": "-1"}, {"count": "-2"}, {"startIndex": "first"}, {"count": "1.5"})


def _queries(whole: list[Mapping[str, Any]]) -> list[Mapping[str, str]]:
    indexes = sorted(m["index"] for m in whole if isinstance(m.get("index"), int))
    if len(indexes) < 3:
        return list(INVALID)  # too short a log to page through: the valid pages are judged unjudgeable
    first, second, last = indexes[0], indexes[1], indexes[-1]
    return [
        {"startIndex": str(second), "count": "2"},
        {"startIndex": str(first), "count": "1"},
        {"startIndex": "0"},
        {"startIndex": str(last + 1)},
        {"count": "0"},
        {"count": "2"},
        *INVALID,
    ]


# Paging reads what it posted and leaves the session Chatting: it takes its turn on a shared session.
SCENARIOS = {"paged": Scenario(lambda gws, s: gws.page_through_log(s, TEXTS, _queries), shares=REFUSED_WHEN_CHATTING)}


paged = scenario_fixture("paged")


def _asked(page: Exchange) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(page.url).query).items()}


def _pages(seen: Observation, parameter: str) -> list[tuple[dict[str, str], Exchange]]:
    """The valid queries naming ``parameter``, with their answers; the whole log must be stable."""
    if seen.log_before != seen.log_after:
        raise Unjudgeable("the log changed while it was being paged through: nothing to judge against")
    pages = [(_asked(page), page) for page in seen.more]
    valid = [(asked, page) for asked, page in pages if asked not in INVALID and parameter in asked]
    if not valid:
        raise Unjudgeable(f"the session's log is too short to page through ({len(seen.log_before)} messages)")
    return valid


def _assert_pages(seen: Observation, parameter: str) -> None:
    for asked, page in _pages(seen, parameter):
        start, count = max(int(asked.get("startIndex", "1")), 1), int(asked.get("count", "0"))
        expected = [m.get("index") for m in seen.log_before if m.get("index", -1) >= start][: count or None]
        problems = schema_problems("responses/message-log", page.body)
        expect(not problems, f"GET .../messages?{urlsplit(page.url).query}: {problems}")
        answered = [m.get("index") for m in page.body["messages"]]
        expect(
            answered == expected,
            f"GET .../messages?{urlsplit(page.url).query} answered "
            f"indexes {names(answered)}, the log from {start} on gives {names(expected)}",
        )


@requirement("sms.get-messages.start-index")
def test_start_index_is_the_index_of_the_first_message_returned(paged: Observation) -> None:
    _assert_pages(paged, "startIndex")


@requirement("sms.get-messages.count")
def test_count_bounds_the_page_and_zero_means_all(paged: Observation) -> None:
    _assert_pages(paged, "count")


@requirement("sms.get-messages.param.invalid")
def test_a_negative_or_non_integer_start_index_or_count_is_refused(paged: Observation) -> None:
    refused: Sequence[tuple[dict[str, str], Exchange]] = [(_asked(p), p) for p in paged.more if _asked(p) in INVALID]
    if len(refused) != len(INVALID):
        raise Unjudgeable(
            f"precondition: {len(refused)} of the {len(INVALID)} invalid reads were made", ErrorCause.PRECONDITION
        )
    for _, page in refused:
        assert_refusal(Observation(paged.session_id, page))
