"""What gws-conformance adds to the pytest-html report: the compliance matrix, the latency
profile, the run manifest, and per check its requirement and transcript.

pytest-html inserts these strings as HTML without escaping them (pytest-html 4), and much
of what they show comes from the server, so every value goes through :func:`html.escape` here:
nothing a server sends can become markup.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any

from conformance.client.rest import Exchange
from conformance.engine.notation import describe
from conformance.engine.recording import Entry
from conformance.report.compare import ChangeKind, Comparison
from conformance.spec.clauses import Clause

STYLE = """<style>
.gws table {border-collapse: collapse; margin: 0.5em 0 1em; font-size: 13px; max-width: 100%}
.gws th, .gws td {border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top}
.v-pass {background: #dff0d8} .v-fail, .v-error, .v-stale {background: #f2dede}
.v-warn, .v-waived {background: #fcf8e3} .v-skip, .v-uncovered {background: #eee}
.gws pre {white-space: pre; overflow-x: auto; max-width: 100%; margin: 2px 0; font-size: 12px}
.gws details {margin: 4px 0}
.gws .verdicts label {margin-right: 1em; padding: 2px 6px; border-radius: 3px}
/* pytest-html's own counters speak of xfail and reruns and count report phases, not checks; its
   Result cell keeps its outcome for its own scripts, and shows our verdict instead */
.summary .controls .filters, .summary .run-count, .summary p.filter {display: none}
td.col-result[data-verdict] {font-size: 0} td.col-result[data-verdict]::before {content: attr(data-verdict); font-size: 13px}
/* The page fits 1280 px whatever it holds: the results table keeps its width and a long line
   (a curl block, a body) scrolls inside its own box. What did not pass comes right after the
   title; pytest-html's environment table and the results move below our summary. */
body {display: flex; flex-direction: column; max-width: 1280px; box-sizing: border-box}
#environment-header, #environment {order: 1} #results-table {order: 2} footer {order: 3}
#results-table {table-layout: fixed; width: 100%}
#results-table th.sortable[data-column-type="result"] {width: 6em} #results-table th:nth-child(3) {width: 16em}
#results-table th[data-column-type="duration"] {width: 6em} #results-table th[data-column-type="links"] {width: 4em}
#results-table td {overflow-wrap: anywhere}
.gws {min-width: 0; max-width: 100%}
.failures .failure {border-left: 4px solid #d9534f; padding: 2px 8px; margin: 6px 0}
.failures .failure.v-warn-box {border-left-color: #f0ad4e}
.failures p {margin: 2px 0}
</style>"""
VERDICTS = ("pass", "fail", "warn", "error", "skip", "waived", "stale")
# Our filters hide the results table's rows by their Verdict cell, and the matrix's rows by their
# verdict; pytest-html builds the results table after the page loads (and again when sorting),
# hence the load event and the observer.
FILTER_SCRIPT = """<script>
window.addEventListener('load', () => {
  const apply = () => {
    const hidden = new Set([...document.querySelectorAll('.gws .verdicts input')].filter(i => !i.checked)
      .map(i => i.dataset.verdict));
    document.querySelectorAll('#results-table tbody.results-table-row').forEach(row => {
      const cell = row.querySelector('td.col-result[data-verdict]');
      row.style.display = cell && hidden.has(cell.dataset.verdict) ? 'none' : '';
    });
    document.querySelectorAll('.gws tr[data-verdict]').forEach(row => {
      row.style.display = hidden.has(row.dataset.verdict) ? 'none' : '';
    });
  };
  document.querySelectorAll('.gws .verdicts input').forEach(i => i.addEventListener('change', apply));
  // a link to a check's transcript opens the check's row (pytest-html collapses passed ones)
  document.addEventListener('click', event => {
    const link = event.target.closest('a[href^="#check-"]');
    const target = link && document.getElementById(link.getAttribute('href').slice(1));
    if (!target) return;
    const extras = target.closest('.extras-row');
    if (extras) extras.classList.remove('hidden');
    target.scrollIntoView();
    event.preventDefault();
  });
  const table = document.getElementById('results-table');
  if (table) new MutationObserver(apply).observe(table, {childList: true, subtree: true});
  apply();
});
</script>"""


def anchor(check_id: str) -> str:
    """The id of a check's requirement block in the results table, the target of its links."""
    return "check-" + hashlib.sha256(check_id.encode()).hexdigest()[:12]


def check_link(check_id: str) -> str:
    return f'<a href="#{anchor(check_id)}">{breakable(check_id)}</a>'


def breakable(check_id: str) -> str:
    """A check ID, escaped, that may wrap only between its parts (after :: and _), never inside a word."""
    return escape(check_id).replace("::", "::<wbr>").replace("_", "_<wbr>")


def verdict_counters(
    counts: Mapping[str, int], checks: int, seconds: float, coverage: Mapping[str, Mapping[str, Any]]
) -> str:
    """The run's counts in this suite's verdicts, each a filter of the results table, and how many
    clauses of each level at least one check judged (the MUST clauses none did, by name)."""
    boxes = "".join(
        f'<label class="v-{v}"><input type="checkbox" checked data-verdict="{v}"> {counts.get(v, 0)} {v}</label>'
        for v in VERDICTS
    )
    judged = "; ".join(f"{level} clauses judged: {c['judged']}/{c['clauses']}" for level, c in coverage.items())
    unjudged = coverage.get("MUST", {}).get("unjudged", [])
    gaps = f" Judged by no check: {escape(', '.join(unjudged))}." if unjudged else ""
    return (
        f'{STYLE}<div class="gws"><p>{checks} checks in {seconds:.1f} s. {judged}.{gaps} Untick a verdict to '
        f'hide its checks below.</p><p class="verdicts">{boxes}</p></div>{FILTER_SCRIPT}'
    )


def _json(value: Any) -> str:
    return escape(json.dumps(value, indent=1, ensure_ascii=False))


def _verdict_cell(verdict: str) -> str:
    return f'<td class="v-{escape(verdict)}">{escape(verdict)}</td>'


def matrix(rows: Iterable[Mapping[str, Any]], verdicts: Mapping[str, str]) -> str:
    """One row per documented clause: level, requirement, covering checks (each with its verdict,
    so the failing check of a clause is named), verdict, page."""

    def checks(ids: list[str]) -> str:
        return (
            "<br>".join(
                f'{check_link(c)} <span class="v-{escape(verdicts.get(c, "skip"))}">'
                f"{escape(verdicts.get(c, '?'))}</span>"
                for c in ids
            )
            or "<em>no check</em>"
        )

    body = "".join(
        f'<tr data-verdict="{escape(r["verdict"])}"><td><code>{breakable(r["clause"])}</code></td>'
        f"<td>{escape(r['level'])}</td><td>{escape(r['text'])}</td>"
        f"<td>{checks(r['checks'])}</td>{_verdict_cell(r['verdict'])}"
        f'<td><a href="{escape(r["page"])}">{escape(r["page_title"])}</a></td></tr>'
        for r in rows
    )
    return (
        f'{STYLE}<div class="gws"><h2>Compliance matrix</h2><table><tr><th>Clause</th><th>Level</th>'
        f"<th>Requirement</th><th>Checks</th><th>Verdict</th><th>Documentation</th></tr>{body}</table></div>"
    )


def latency(profile: Mapping[str, Mapping[str, Any]]) -> str:
    if not profile:
        return ""
    body = "".join(
        f"<tr><td>{escape(op)}</td><td>{p['samples']}</td><td>{p['p50_ms']}</td><td>{p['p95_ms']}</td>"
        f"<td>{p['max_ms']}</td></tr>"
        for op, p in profile.items()
    )
    return (
        '<div class="gws"><h2>Latency: request to first notification</h2><table><tr><th>Operation</th>'
        f"<th>Samples</th><th>p50 ms</th><th>p95 ms</th><th>max ms</th></tr>{body}</table></div>"
    )


def manifest(document: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in document.items() if k != "schemas"}
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{_json(v) if isinstance(v, Mapping) else escape(str(v))}</td></tr>"
        for k, v in shown.items()
    )
    return f'<div class="gws"><h2>Run manifest</h2><table>{rows}</table></div>'


def requirement(check_id: str, clause: Clause, verdict: str, failure_kinds: Iterable[str]) -> str:
    """The clause a check judges, its verdict, what kind of failure it found (if any), and the
    command that reproduces it live."""
    kinds = ", ".join(failure_kinds)
    return (
        f'<div class="gws" id="{anchor(check_id)}"><p><strong>{escape(clause.id)}</strong> [{escape(clause.level.value)}] '
        f'{escape(clause.text)} (<a href="{escape(clause.page.url)}">{escape(clause.page.title)}</a>)</p>'
        f'<p>verdict: <span class="v-{escape(verdict)}">{escape(verdict)}</span>'
        f"{f' (failure kind: {escape(kinds)})' if kinds else ''}</p>"
        f"<p>reproduce live: <code>{escape(repro_command(check_id))}</code></p></div>"
    )


def repro_command(check_id: str) -> str:
    return f"gws-conformance repro {shlex.quote(check_id)}"


MESSAGE_LINES = 6  # of a failure's message on the first screen; its transcript has the rest
NOT_PASSED = ("fail", "error", "stale", "warn")


def failures(checks: Iterable[Mapping[str, Any]], entries: Callable[[list[str]], list[tuple[str, Entry]]]) -> str:
    """What did not pass, first: per failed, errored, stale or warned check its verdict, clause and
    level, its message, the command that reproduces it live, the request it judged as a shell
    block, and a link to its full transcript."""
    shown = sorted((c for c in checks if c["verdict"] in NOT_PASSED), key=lambda c: NOT_PASSED.index(c["verdict"]))
    if not shown:
        return f'{STYLE}<div class="gws failures"><h2>Every check passed or was skipped</h2></div>'
    blocks = []
    for check in shown:
        verdict = escape(check["verdict"])
        message = "\n".join((check["messages"][0] if check["messages"] else "").splitlines()[:MESSAGE_LINES])
        exchanges = [e["value"]["exchange"] for _, e in entries(check["transcript"]) if _has_exchange(e)]
        request = f"<pre>{escape(Exchange(**exchanges[-1]).curl())}</pre>" if exchanges else ""
        blocks.append(
            f'<div class="failure{" v-warn-box" if verdict == "warn" else ""}"><p><span class="v-{verdict}">'
            f"{verdict.upper()}</span> {check_link(check['id'])} <code>{escape(check['clause'] or '')}</code> "
            f"[{escape(check['level'] or '')}]</p><pre>{escape(message)}</pre>"
            f"<p>reproduce live: <code>{escape(repro_command(check['id']))}</code>; the request it judged:</p>"
            f"{request}</div>"
        )
    return f'{STYLE}<div class="gws failures"><h2>What did not pass ({len(shown)})</h2>{"".join(blocks)}</div>'


def _has_exchange(entry: Entry) -> bool:
    value = entry.get("value")
    return isinstance(value, Mapping) and "exchange" in value


def transcript(entries: Iterable[tuple[str, Entry]]) -> str:
    """Every recorded call a check judged: requests with a curl line, responses, and each
    notification with its arrival time after the request."""
    parts = [_entry(key, entry) for key, entry in entries]
    return f'{STYLE}<div class="gws"><h3>Transcript</h3>{"".join(parts) or "<p>nothing recorded</p>"}</div>'


def _entry(key: str, entry: Entry) -> str:
    head = f"<p><code>{escape(key)}</code> {escape(entry['method'])}"
    if "skip" in entry:
        return f"{head}: skipped: {escape(entry['skip'])}</p>"
    if "error" in entry:
        return f"{head}: error: {escape(entry['error'])}</p>"
    value = entry["value"]
    if not (isinstance(value, Mapping) and "exchange" in value):
        return f"{head}: <code>{escape(json.dumps(value, ensure_ascii=False))}</code></p>"
    exchange = Exchange(**value["exchange"])
    lines = [
        f"{head}: {escape(exchange.method)} {escape(exchange.url)} &rarr; HTTP {exchange.status} "
        f"in {(exchange.ended - exchange.started) * 1000:.1f} ms</p>",
        f"<pre>{escape(exchange.curl())}</pre>",
        f"<details><summary>response</summary><pre>{_json(exchange.body)}</pre></details>",
    ]
    for role, names in value.get("expected", {}).items():
        lines.append(f"<p>expected by the {escape(role)}: {escape(' -> '.join(names) or 'nothing')}</p>")
    evidence = value.get("evidence", {})
    for role, arrivals in value.get("received", {}).items():
        observed = " -> ".join(f"{describe(a['data'])}@+{a['after'] * 1000:.1f}ms" for a in arrivals) or "nothing"
        proof = f" ({evidence[role]})" if role in evidence else ""
        lines.append(f"<p>received by the {escape(role)}: {escape(observed)}{escape(proof)}</p>")
        lines += [
            f"<details><summary>+{a['after'] * 1000:.1f} ms {escape(describe(a['data']))}</summary>"
            f"<pre>{_json(a['data'])}</pre></details>"
            for a in arrivals
        ]
    return "".join(lines)


def diff_page(comparison: Comparison, before: str, after: str) -> str:
    """``gws-conformance diff``'s page, in the report's style: changed checks (new failures first),
    changed clauses, and the failures both runs share."""
    order = list(ChangeKind)
    changes = sorted(comparison.changes, key=lambda c: order.index(c.kind))

    def verdict(value: str | None) -> str:
        return _verdict_cell(value) if value else "<td><em>absent</em></td>"

    rows = "".join(
        f"<tr><td>{escape(c.kind.value)}</td><td>{breakable(c.check)}</td><td><code>{escape(c.clause or '')}</code>"
        f"</td>{verdict(c.before)}{verdict(c.after)}</tr>"
        for c in changes
    )
    clauses = "".join(
        f"<tr><td><code>{breakable(c.clause)}</code></td><td>{escape(c.level)}</td>{verdict(c.before)}"
        f"{verdict(c.after)}</tr>"
        for c in comparison.clause_changes
    )
    known = "".join(f"<li>{breakable(c)}</li>" for c in comparison.known_failures)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>gws-conformance diff</title>{STYLE}</head>'
        f'<body class="gws"><h1>gws-conformance diff</h1><p>A: <code>{escape(before)}</code><br>B: '
        f"<code>{escape(after)}</code></p><p>{escape(comparison.summary())}</p>"
        "<h2>Checks whose verdict changed</h2><table><tr><th>Change</th><th>Check</th><th>Clause</th>"
        f"<th>A</th><th>B</th></tr>{rows or '<tr><td colspan=5>none</td></tr>'}</table>"
        "<h2>Clauses whose verdict changed</h2><table><tr><th>Clause</th><th>Level</th><th>A</th><th>B</th></tr>"
        f"{clauses or '<tr><td colspan=4>none</td></tr>'}</table>"
        f"<h2>Failing in both runs</h2><ul>{known or '<li>none</li>'}</ul></body></html>\n"
    )
