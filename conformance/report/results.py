"""``results.json``: what a CI pipeline gates on and what ``recheck`` re-judges.

The format is versioned (:data:`RESULTS_FORMAT`) and published as a JSON Schema,
``schemas/reports/results.json``. A document holds:

- ``manifest``: suite version, git commit (when run from a checkout), the SHA-256 of every
  schema file, the target, the sanitized options, start and end time;
- ``checks``: per check its ID, clause, level, page, verdict, per-phase timings, messages,
  failure kinds, waiver, and ``transcript``: the keys of the recordings it judged;
- ``clauses``: the compliance matrix, every clause of the catalogue with the checks covering it;
- ``latency``: per operation, request -> first notification about the session (p50/p95/max ms);
- ``recordings``: every recorded call (:mod:`conformance.engine.recording`), redacted.

:class:`RunRecord` collects it from pytest's reports as they arrive (also from xdist workers,
whose reports carry the ``gws_*`` attributes the plugin attaches).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import platform
import subprocess
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import conformance
from conformance.engine.recording import Entry
from conformance.engine.verdicts import Verdict, combine, exit_code
from conformance.errors import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK, EXIT_UNREACHABLE, UsageError
from conformance.redaction import redact_secrets
from conformance.report.waivers import Gap
from conformance.spec.clauses import CLAUSES
from conformance.spec.schemas import SCHEMA_ROOT, validate

# The verdicts that say something about a check's clause; a skip or an error says nothing.
JUDGED = frozenset({Verdict.PASS, Verdict.FAIL, Verdict.WARN, Verdict.WAIVED, Verdict.STALE})

RESULTS_FORMAT = "gws-conformance-results/1"
# The run's clause coverage, as the plugin decided it, for the console to print.
COVERAGE = pytest.StashKey[dict[str, dict[str, Any]]]()
RESULTS_SHAPE = "reports/results"


@dataclass
class CheckRecord:
    id: str
    clause: str | None = None
    level: str | None = None
    page: str | None = None
    phases: dict[str, str] = field(default_factory=dict)  # when -> verdict
    durations: dict[str, float] = field(default_factory=dict)  # when -> seconds
    messages: list[str] = field(default_factory=list)
    failure_kinds: list[str] = field(default_factory=list)
    error_cause: str | None = None  # why the check could not judge (conformance.engine.verdicts.ErrorCause)
    skip_key: str | None = None  # the configuration key that would make a skipped check apply
    transcript: list[str] = field(default_factory=list)
    waiver: dict[str, str] | None = None

    @property
    def verdict(self) -> Verdict:
        return combine(Verdict(v) for v in self.phases.values())

    def first_message(self) -> str:
        return self.messages[0].splitlines()[0] if self.messages and self.messages[0] else ""

    def as_record(self) -> dict[str, Any]:
        record = {
            "id": self.id,
            "clause": self.clause,
            "level": self.level,
            "page": self.page,
            "verdict": self.verdict.value,
            "phases": self.phases,
            "durations": self.durations,
            "messages": self.messages,
            "failure_kinds": self.failure_kinds,
            "transcript": self.transcript,
            "waiver": self.waiver,
        }
        if self.error_cause is not None:
            record["error_cause"] = self.error_cause
        if self.skip_key is not None:
            record["skip_key"] = self.skip_key
        return record


class RunRecord:
    """Every check's record and every recording of one run, in the order they arrived."""

    def __init__(self) -> None:
        self.checks: dict[str, CheckRecord] = {}
        self.recordings: dict[str, Entry] = {}

    def add(self, report: pytest.TestReport) -> CheckRecord | None:
        """The check's record with this report phase added, from the fields the plugin set on it."""
        for key, entry in getattr(report, "gws_recordings", {}).items():
            self.recordings.setdefault(key, entry)  # xdist: the first worker's recording of a scenario
        verdict = getattr(report, "gws_verdict", None)
        properties = dict(report.user_properties)
        if verdict is None or "clause" not in properties:
            return None  # not a conformance check
        check = self.checks.setdefault(
            report.nodeid,
            CheckRecord(report.nodeid, str(properties["clause"]), str(properties["level"]), str(properties["page"])),
        )
        check.phases[report.when] = verdict
        check.durations[report.when] = round(report.duration, 6)
        message = getattr(report, "gws_message", "")
        if message and message not in check.messages:
            check.messages.append(message)
        check.failure_kinds = sorted(set(check.failure_kinds) | set(getattr(report, "gws_kinds", [])))
        check.error_cause = check.error_cause or getattr(report, "gws_cause", None)
        check.skip_key = check.skip_key or getattr(report, "gws_skip_key", None)
        check.transcript += [k for k in getattr(report, "gws_transcript", []) if k not in check.transcript]
        if getattr(report, "gws_waiver", None):
            check.waiver = report.gws_waiver
        return check

    def entries(self, keys: Iterable[str]) -> list[tuple[str, Entry]]:
        return [(key, self.recordings[key]) for key in keys if key in self.recordings]

    def evidence(self, check: CheckRecord) -> dict[str, list[str]]:
        """Per role, how "nothing else arrived" was established in the observations the check judged."""
        found: dict[str, list[str]] = {}
        for _, entry in self.entries(check.transcript):
            value = entry.get("value")
            for role, how in (value.get("evidence", {}) if isinstance(value, Mapping) else {}).items():
                found.setdefault(role, [])
                if how not in found[role]:
                    found[role].append(how)
        return found

    def exit_code(
        self,
        *,
        allow_stale: bool,
        gaps: Sequence[Gap] = (),
        known: Collection[str] = (),
        known_unjudged: Collection[str] = (),
    ) -> int:
        """The verdicts' exit code; a run that would pass but left a MUST clause unjudged that no
        gap accepts is incomplete (4), and one whose gap is stale fails as a stale waiver does.
        The ``known`` failures and ``known_unjudged`` clauses (those of an accepted baseline run)
        count as waived failures and accepted gaps; a run in which no check could run stays exit 3
        whatever the baseline (a baseline that judged nothing cannot make nothing green)."""
        if exit_code((c.verdict for c in self.checks.values()), allow_stale=allow_stale) == EXIT_UNREACHABLE:
            return EXIT_UNREACHABLE
        code = exit_code(
            (Verdict.WAIVED if c.id in known else c.verdict for c in self.checks.values()), allow_stale=allow_stale
        )
        if code != EXIT_OK:
            return code
        must = self.coverage(gaps).get("MUST")
        if must is None:
            return code
        if must["stale_gaps"] and not allow_stale:
            return EXIT_FAILED
        return EXIT_INCOMPLETE if set(must["unjudged"]) - set(must["accepted"]) - set(known_unjudged) else code

    def coverage(self, gaps: Sequence[Gap] = ()) -> dict[str, dict[str, Any]]:
        return clause_coverage(((c.clause, c.level, c.verdict) for c in self.checks.values()), gaps)

    def clause_matrix(self) -> list[dict[str, Any]]:
        """Every clause of the catalogue, covered or not, with its checks and one verdict."""
        rows = []
        for clause in CLAUSES:
            checks = [c for c in self.checks.values() if c.clause == clause.id]
            rows.append(
                {
                    "clause": clause.id,
                    "level": clause.level.value,
                    "text": clause.text,
                    "page": clause.page.url,
                    "page_title": clause.page.title,
                    "checks": [c.id for c in checks],
                    "verdict": combine(c.verdict for c in checks).value if checks else "uncovered",
                }
            )
        return rows

    def document(self, manifest: Mapping[str, Any], gaps: Sequence[Gap] = ()) -> dict[str, Any]:
        return {
            "format": RESULTS_FORMAT,
            "manifest": dict(manifest),
            "summary": _count(c.verdict.value for c in self.checks.values()),
            "coverage": self.coverage(gaps),
            "checks": [{**c.as_record(), "evidence": self.evidence(c)} for c in self.checks.values()],
            "clauses": self.clause_matrix(),
            "latency": latency_profile(self.recordings.values()),
            "recordings": self.recordings,
        }


def clause_coverage(
    checks: Iterable[tuple[str | None, str | None, Verdict]], gaps: Sequence[Gap] = ()
) -> dict[str, dict[str, Any]]:
    """Per level, the clauses the run's checks (clause, level, verdict) are about and how many of
    them at least one check judged (a verdict on the clause: pass, fail, warn, waived or stale;
    checks that all skipped or errored judged nothing); the MUST clauses left unjudged, those a
    gap accepts, and the gaps that are stale (their clauses were judged after all)."""
    verdicts: dict[str, list[Verdict]] = defaultdict(list)
    levels: dict[str, str] = {}
    for clause, level, verdict in checks:
        if clause is not None and level is not None:
            verdicts[clause].append(verdict)
            levels[clause] = level
    judged = {clause for clause, found in verdicts.items() if any(v in JUDGED for v in found)}
    coverage: dict[str, dict[str, Any]] = {}
    for level in sorted(set(levels.values())):
        clauses = sorted(c for c, lvl in levels.items() if lvl == level)
        unjudged = [c for c in clauses if c not in judged]
        coverage[level] = {"clauses": len(clauses), "judged": len(clauses) - len(unjudged), "unjudged": unjudged}
    if "MUST" in coverage:
        must = coverage["MUST"]
        must["accepted"] = [c for c in must["unjudged"] if any(g.covers(c) for g in gaps)]
        must["stale_gaps"] = [g.clause for g in gaps if any(g.covers(c) for c in judged)]
    return coverage


def unaccepted_unjudged(coverage: Mapping[str, dict[str, Any]], known: Sequence[str] = ()) -> list[str]:
    """The MUST clauses of ``coverage`` judged by no check that no gap accepts and that a baseline
    did not already leave unjudged (``known``): what makes a run incomplete (exit 4)."""
    must = coverage.get("MUST", {})
    accepted = {*must.get("accepted", []), *known}
    return [c for c in must.get("unjudged", []) if c not in accepted]


def _count(values: Iterable[str]) -> dict[str, int]:
    counts = {v.value: 0 for v in Verdict}
    for value in values:
        counts[value] += 1
    return counts


# --- latency -------------------------------------------------------------------------------------------


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def latency_profile(recordings: Iterable[Entry]) -> dict[str, dict[str, float | int]]:
    """Per operation: seconds from its request to the first notification about the session that
    any agent received, as p50 / p95 / max milliseconds over the recorded observations."""
    samples: dict[str, list[float]] = {}
    for entry in recordings:
        value = entry.get("value")
        if not isinstance(value, Mapping) or "received" not in value:
            continue
        body = value["exchange"].get("request_body")
        operation = body.get("operationName") if isinstance(body, Mapping) else None
        firsts = [a["after"] for arrivals in value["received"].values() for a in arrivals if a["after"] >= 0]
        if isinstance(operation, str) and firsts:
            samples.setdefault(operation, []).append(min(firsts))
    profile = {}
    for operation, seconds in sorted(samples.items()):
        ordered = sorted(seconds)
        profile[operation] = {
            "samples": len(ordered),
            "p50_ms": round(_percentile(ordered, 0.5) * 1000, 2),
            "p95_ms": round(_percentile(ordered, 0.95) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2),
        }
    return profile


# --- manifest -------------------------------------------------------------------------------------------


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def git_commit() -> str | None:
    """The commit of the checkout the suite runs from; None when installed from a wheel."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(conformance.__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def schema_hashes() -> dict[str, str]:
    return {
        path.relative_to(SCHEMA_ROOT).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(SCHEMA_ROOT.rglob("*.json"))
    }


def manifest(*, target: str, options: Mapping[str, Any], started: str) -> dict[str, Any]:
    return {
        "suite": "gws-conformance",
        "suite_version": conformance.__version__,
        "git_commit": git_commit(),
        "schemas": schema_hashes(),
        "target": target,
        "options": dict(options),
        "started": started,
        "ended": now(),
        "python": platform.python_version(),
        "pytest": pytest.__version__,
    }


# --- reading ------------------------------------------------------------------------------------------


def write_results(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # every secret the run knows, by value, wherever a server may have echoed it
    path.write_text(_one_item_per_line(redact_secrets(document)), encoding="utf-8")


def _one_item_per_line(document: Mapping[str, Any]) -> str:
    """JSON with each top-level key, and each item of a top-level list (a check), on a line of its
    own: a diff still shows which check changed, and each line is encoded by json's C encoder
    (an ``indent`` makes json encode in Python, a tenth of a run for a megabyte of transcripts)."""

    def encoded(value: Any) -> str:
        if isinstance(value, list) and value:
            return "[\n  " + ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in value) + "\n ]"
        return json.dumps(value, ensure_ascii=False)

    members = (f" {json.dumps(key, ensure_ascii=False)}: {encoded(value)}" for key, value in document.items())
    return "{\n" + ",\n".join(members) + "\n}\n"


def load_results(path: Path) -> dict[str, Any]:
    """A results document, checked against its schema; a UsageError (exit 2) says what is wrong."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a JSON document: {exc}") from None
    if isinstance(document, dict) and document.get("format") != RESULTS_FORMAT:
        raise UsageError(f"{path}: not a {RESULTS_FORMAT} document (format: {document.get('format')!r})")
    problems = validate(RESULTS_SHAPE, document)
    if problems:
        raise UsageError(f"{path}: not a valid results document: {problems[0]}")
    return document
