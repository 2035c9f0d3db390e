"""The results of a load run: what the simulated users measured and violated, merged across
Locust's processes, written as ``load.json`` (``schemas/reports/load.json``) and ``load.html``
(operations, a latency-over-time plot, the violations with their first transcripts).

Requests per second and the latency percentiles are Locust's own statistics (already merged
across workers by Locust); the timeline and the violations are this module's, merged through
Locust's worker reports.
"""

from __future__ import annotations

import html
import json
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.load.cycle import CYCLES, Sample, Violation

REPORT_DIR = "GWS_CONFORMANCE_LOAD_REPORT_DIR"  # where the Locust process writes them (set by the command)
# The fewest completed cycles of each kind a load must judge to exit 0, and the count of each kind
# after which it stops early (0: only the run time stops it); set by the command.
MIN_CYCLES = "GWS_CONFORMANCE_LOAD_MIN_CYCLES"
UNTIL_CYCLES = "GWS_CONFORMANCE_LOAD_UNTIL_CYCLES"
# Set (to the configuration file, or "" for the default one) when the users are configured agent
# pairs with sessions from the configured source, not agents of a reference server's test-only API.
LOAD_CONFIG = "GWS_CONFORMANCE_LOAD_CONFIG"
FIRST_KEPT = 3  # transcripts kept per clause and kind
SCHEMA = "https://gws-conformance.invalid/schemas/reports/load.json"


class Collector:
    """Per process: the per-second latency timeline, the violations (counted; the first few
    kept whole), cycles run and the most sessions held at once."""

    def __init__(self) -> None:
        self.started = time.time()
        self._reset()
        self.peak_sessions = 0
        self._holding = 0
        self._worker_peaks: dict[str, int] = {}  # on the master: each worker's peak

    def _reset(self) -> None:
        self.timeline: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])  # count, sum, max
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self.first: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.cycles = 0
        self.by_kind: dict[str, int] = defaultdict(int)  # completed cycles per kind (consult, transfer)
        self.errors: list[str] = []  # cycles that raised (the target dropped a connection, ...): the first few
        self.error_count = 0
        self.unfinished: dict[tuple[str, str], int] = defaultdict(int)  # (kind, step under way) -> cycles stopped

    def unfinish(self, kind: str, step: str) -> None:
        """A cycle the end of the run stopped during ``step``: never judged, never dropped silently."""
        self.unfinished[(kind, step)] += 1

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < FIRST_KEPT:
            self.errors.append(message)

    def holding(self, delta: int) -> None:
        """A session taken (+1) or done with (-1): the peak of sessions held at once."""
        self._holding += delta
        self.peak_sessions = max(self.peak_sessions, self._holding)

    def add(self, kind: str, samples: Sequence[Sample], violations: Sequence[Violation]) -> None:
        self.cycles += 1
        self.by_kind[kind] += 1
        for sample in samples:
            bucket = self.timeline[(sample.operation, int(sample.started))]
            bucket[0] += 1
            bucket[1] += sample.latency_ms
            bucket[2] = max(bucket[2], sample.latency_ms)
        for violation in violations:
            self._count(violation.clause, violation.kind, 1, [violation.as_record()])

    def _count(self, clause: str, kind: str, count: int, records: list[dict[str, Any]]) -> None:
        self.counts[(clause, kind)] += count
        kept = self.first[(clause, kind)]
        kept.extend(records[: FIRST_KEPT - len(kept)])

    def drain(self) -> dict[str, Any]:
        """What was collected since the last drain (a worker's report), as JSON-able data."""
        data = {
            "timeline": [[op, second, *values] for (op, second), values in self.timeline.items()],
            "violations": [[clause, kind, n, self.first[(clause, kind)]] for (clause, kind), n in self.counts.items()],
            "cycles": self.cycles,
            "by_kind": dict(self.by_kind),
            "peak_sessions": self.peak_sessions,
            "started": self.started,
            "errors": [self.error_count, self.errors],
            "unfinished": [[kind, step, n] for (kind, step), n in self.unfinished.items()],
        }
        self._reset()
        return data

    def merge(self, data: Mapping[str, Any] | None, worker: str) -> None:
        """A worker's report into the master's collector."""
        if not data:
            return
        for op, second, count, total, most in data["timeline"]:
            bucket = self.timeline[(op, second)]
            bucket[0] += count
            bucket[1] += total
            bucket[2] = max(bucket[2], most)
        for clause, kind, count, records in data["violations"]:
            self._count(clause, kind, count, records)
        self.cycles += data["cycles"]
        for kind, count in data["by_kind"].items():
            self.by_kind[kind] += count
        for kind, step, count in data.get("unfinished", []):
            self.unfinished[(kind, step)] += count
        count, messages = data["errors"]
        self.error_count += count
        self.errors = (self.errors + messages)[:FIRST_KEPT]
        self._worker_peaks[worker] = max(self._worker_peaks.get(worker, 0), data["peak_sessions"])
        self.started = min(self.started, data["started"])

    def results(self, environment: Any) -> dict[str, Any]:
        stats = environment.stats
        ended = time.time()
        operations = []
        for (name, _kind), entry in sorted(stats.entries.items()):
            operations.append(
                {
                    "operation": name,
                    "requests": entry.num_requests,
                    "failures": entry.num_failures,
                    "requests_per_second": round(entry.num_requests / max(ended - self.started, 1e-9), 2),
                    "latency_ms": {
                        "p50": entry.get_response_time_percentile(0.5),
                        "p95": entry.get_response_time_percentile(0.95),
                        "p99": entry.get_response_time_percentile(0.99),
                        "max": round(entry.max_response_time or 0, 1),
                    },
                }
            )
        timeline = [
            {
                "second": second - int(self.started),
                "operation": op,
                "count": int(count),
                "mean_ms": round(total / count, 1),
                "max_ms": round(most, 1),
            }
            for (op, second), (count, total, most) in sorted(self.timeline.items(), key=lambda i: i[0][1])
        ]
        by_clause = [
            {"clause": clause, "kind": kind, "count": n, "first": self.first[(clause, kind)]}
            for (clause, kind), n in sorted(self.counts.items())
        ]
        peak = self.peak_sessions + sum(self._worker_peaks.values())
        return {
            "$schema": SCHEMA,
            "tool": {"name": "gws-conformance", "version": __version__},
            "target": environment.host,
            "users": environment.runner.target_user_count if environment.runner else 0,
            "started": self.started,
            "duration_s": round(ended - self.started, 2),
            "cycles": self.cycles,
            "cycles_by_kind": {kind: self.by_kind.get(kind, 0) for kind in CYCLES},
            "peak_sessions": peak,
            "errors": {"total": self.error_count, "first": self.errors},
            "unfinished": {
                "total": sum(self.unfinished.values()),
                "by_step": [
                    {"kind": kind, "step": step, "count": n} for (kind, step), n in sorted(self.unfinished.items())
                ],
            },
            "operations": operations,
            "timeline": timeline,
            "violations": {"total": sum(self.counts.values()), "by_clause": by_clause},
        }

    def short_of(self, minimum: int) -> list[str]:
        """The cycle kinds completed fewer than ``minimum`` times (a load that judged too little)."""
        return [
            f"{kind} {self.by_kind.get(kind, 0)}/{minimum}" for kind in CYCLES if self.by_kind.get(kind, 0) < minimum
        ]

    def reached(self, count: int) -> bool:
        """Every cycle kind completed at least ``count`` times (in this process; on a master, over what
        its workers reported)."""
        return count > 0 and all(self.by_kind.get(kind, 0) >= count for kind in CYCLES)

    def write(self, results: Mapping[str, Any], report_dir: Path) -> None:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "load.json").write_text(json.dumps(results, indent=2) + "\n")
        (report_dir / "load.html").write_text(render_html(results))


def _plot(timeline: Sequence[Mapping[str, Any]], width: int = 720, height: int = 240) -> str:
    """An inline SVG: mean latency per second, one line per operation."""
    if not timeline:
        return "<p>No request completed.</p>"
    last = max(t["second"] for t in timeline) or 1
    top = max(t["mean_ms"] for t in timeline) or 1
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    lines, legend = [], []
    for n, operation in enumerate(sorted({t["operation"] for t in timeline})):
        points = " ".join(
            f"{40 + t['second'] / last * (width - 60):.1f},{height - 20 - t['mean_ms'] / top * (height - 40):.1f}"
            for t in timeline
            if t["operation"] == operation
        )
        colour = colours[n % len(colours)]
        lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>')
        legend.append(f'<span style="color:{colour}">&#9632; {html.escape(operation)}</span>')
    axes = (
        f'<line x1="40" y1="{height - 20}" x2="{width - 20}" y2="{height - 20}" stroke="#999"/>'
        f'<line x1="40" y1="20" x2="40" y2="{height - 20}" stroke="#999"/>'
        f'<text x="2" y="24" font-size="11">{top:.0f} ms</text><text x="2" y="{height - 22}" font-size="11">0</text>'
        f'<text x="{width - 60}" y="{height - 4}" font-size="11">{last} s</text>'
    )
    return (
        f'<svg role="img" aria-label="mean latency per second" width="{width}" height="{height}">{axes}'
        f"{''.join(lines)}</svg><p>{' '.join(legend)}</p>"
    )


def render_html(results: Mapping[str, Any]) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(o['operation'])}</td><td>{o['requests']}</td><td>{o['failures']}</td>"
        f"<td>{o['requests_per_second']}</td><td>{o['latency_ms']['p50']}</td><td>{o['latency_ms']['p95']}</td>"
        f"<td>{o['latency_ms']['p99']}</td><td>{o['latency_ms']['max']}</td></tr>"
        for o in results["operations"]
    )
    violations = "".join(
        f"<tr><td>{esc(v['clause'])}</td><td>{esc(v['kind'])}</td><td>{v['count']}</td><td>"
        + "".join(
            f"<details><summary>{esc(f['operation'])} on {esc(f['session_id'])}: {esc(f['detail'])}</summary>"
            f"<pre>{esc(chr(10).join(f['transcript']))}</pre></details>"
            for f in v["first"]
        )
        + "</td></tr>"
        for v in results["violations"]["by_clause"]
    )
    total = results["violations"]["total"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gws-conformance load: {esc(str(results["target"]))}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}</style>
</head><body>
<h1>Conformance under load</h1>
<p>Target {esc(str(results["target"]))}; {results["users"]} users; {results["cycles"]} cycles in {results["duration_s"]} s;
at most {results["peak_sessions"]} sessions held at once. <strong>{total} violation(s).</strong>
{results["errors"]["total"]} cycle(s) ended by an error{": " + esc("; ".join(results["errors"]["first"])) if results["errors"]["first"] else ""}.</p>
<h2>Operations (POST to its last documented notification, ms)</h2>
<table><tr><th>operation</th><th>requests</th><th>failures</th><th>req/s</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>{rows}</table>
<h2>Latency over time</h2>{_plot(results["timeline"])}
<h2>Violations</h2>
{"<p>None.</p>" if not total else f"<table><tr><th>clause</th><th>kind</th><th>count</th><th>first transcripts</th></tr>{violations}</table>"}
</body></html>
"""
