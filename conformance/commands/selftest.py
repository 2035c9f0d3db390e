"""``gws-conformance selftest``: the suite proven against the reference server's switches.

The suite runs against the correct server, against each benign variation (which it must pass:
no fail, warn or error), and against each fault (which the checks of the fault's clause must
catch: fail for a MUST clause, warn for a SHOULD clause, each with a message citing the clause;
only a fault declared unobservable by nature, one that hides the notifications themselves, is
caught by the checks of its clause erroring as unobservable). The result is a fault x clause
matrix, the **mutation score** (faults caught / faults), the collateral verdicts of each fault
(checks of other clauses it also made fail), and the checks that caught nothing (a check that
never fails is suspect). Exit 0 only when every fault is caught and no benign variation failed.

Each run is a separate process (a fresh server, no state shared), ``--jobs`` at a time, forked
from this one once it has imported pytest, the plugin, the server and the checks: a run then
spends its time judging, not importing (about a second of each of some 150 runs).
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import multiprocessing.connection
import os
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.commands.run import ISOLATED_PYTEST, SUITES, make_report_dir
from conformance.engine.verdicts import ErrorCause
from conformance.errors import EXIT_FAILED, EXIT_OK, UsageError
from conformance.options import positive_number
from conformance.report.results import load_results
from conformance.server.faults import CATALOGUE, Fault
from conformance.spec.clauses import CLAUSES

CORRECT = "(correct server)"
NOT_PASSING = {"fail", "warn", "error", "stale"}


@dataclass
class SwitchRun:
    """One suite run against the reference server with one switch (or none) on."""

    switch: str
    clause: str | None  # the clause a fault breaks; None for the correct server and benign variations
    unobservable: bool = False  # the fault hides the notifications: errors of its clause's checks catch it
    seconds: float = 0.0
    verdicts: dict[str, str] = field(default_factory=dict)  # check id -> verdict
    clauses: dict[str, str] = field(default_factory=dict)  # check id -> clause
    messages: dict[str, list[str]] = field(default_factory=dict)
    causes: dict[str, str | None] = field(default_factory=dict)  # check id -> the error cause of an erroring check
    problem: str = ""  # the run itself went wrong (no results written)

    @property
    def benign(self) -> bool:
        return self.clause is None

    def hit_clauses(self) -> set[str]:
        return {self.clauses[c] for c, v in self.verdicts.items() if v in NOT_PASSING}

    def caught_by(self) -> list[str]:
        """The checks of the fault's clause that caught it, citing the clause."""
        if self.clause is None:
            return []
        caught = [c for c, v in self.verdicts.items() if self.clauses[c] == self.clause and v in ("fail", "warn")]
        if caught or not self.unobservable:
            return caught
        # A fault that hides the stream itself: every check of its clause errors as unobservable.
        of_clause = [c for c in self.verdicts if self.clauses[c] == self.clause]
        if of_clause and all(
            self.verdicts[c] == "error" and self.causes.get(c) == ErrorCause.UNOBSERVABLE.value for c in of_clause
        ):
            return of_clause
        return []

    def collateral(self) -> list[str]:
        """Checks of other clauses that the fault also made fail, warn or error."""
        return sorted(c for c, v in self.verdicts.items() if v in NOT_PASSING and self.clauses[c] != self.clause)

    def benign_failures(self) -> list[str]:
        return [f"{c}: {v}" for c, v in self.verdicts.items() if v in NOT_PASSING] if self.benign else []


def pages_judging(fault: Fault | None) -> list[str]:
    """The pages a fault is judged on: those it declares it acts on, else its clause's own page
    (sms.<page>.*), else (a cross-cutting clause, sms.common.*) every page; every page for the
    correct server (None) and the benign variations, which must pass everything. A fault's
    collateral is then reported within those pages."""
    if fault is None or fault.clause is None:  # the correct server, a benign variation
        return []
    if fault.pages:
        return list(fault.pages)
    page = fault.clause.split(".")[1]
    return [] if page == "common" else [page]


def _suite_arguments(switch: str, fault: Fault | None, results: Path, deadline: float) -> list[str]:
    arguments = [
        "--pyargs",
        SUITES,
        *ISOLATED_PYTEST,
        "-p",
        "conformance.plugin",
        "-p",
        "no:terminal",
        "--gws-deadline",
        str(deadline),
        f"--gws-results={results}",
    ]
    if switch != CORRECT:
        arguments += ["--gws-fault", switch]
    return arguments + [f"--gws-page={page}" for page in pages_judging(fault)]


def _judge_in_child(arguments: list[str], deadline: float, log: Path) -> None:
    """The forked child: one suite run, its output in ``log``, its exit code as the process's."""
    with log.open("wb") as output:
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
    # A fault that hides the stream would make each barrier wait 30 s before erroring.
    # Only this plugin: no other installed pytest plugin is loaded (a tenth of a switch's run).
    os.environ["GWS_CONFORMANCE_BARRIER_TIMEOUT"] = str(max(5.0, deadline * 2))
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os._exit(int(pytest.main(arguments)))


def preloaded_modules() -> list[str]:
    """What every run imports (the plugin, the reference server, the checks), for a process that
    imports it once and forks runs: the selftest, and the project's own tests (tests/forked_cli.py)."""
    import conformance.suites as suites

    checks = [f"{SUITES}.{m.name}" for m in pkgutil.iter_modules(suites.__path__) if m.name.startswith("test_")]
    return ["conformance.plugin", "conformance.server.runner", *checks]


def _collect(
    switch: str, clause: str | None, unobservable: bool, results: Path, log: Path, seconds: float
) -> SwitchRun:
    run = SwitchRun(switch, clause, unobservable, round(seconds, 2))
    if not results.exists():
        output = log.read_text(errors="replace").strip() if log.exists() else ""
        run.problem = f"no results: {output[-500:] or '(no output)'}"
        return run
    for check in load_results(results)["checks"]:
        run.verdicts[check["id"]] = check["verdict"]
        run.clauses[check["id"]] = check["clause"]
        run.messages[check["id"]] = check["messages"]
        run.causes[check["id"]] = check.get("error_cause")
    return run


RUN_TIMEOUT = 600.0  # a guard only: a run that hangs this long is stopped and reported


def selftest(
    switches: list[tuple[str, str | None, bool]],
    workdir: Path,
    jobs: int,
    deadline: float,
    done: Callable[[SwitchRun], None] = lambda run: None,
) -> list[SwitchRun]:
    """Every switch judged in a child forked from this (single-threaded) process, ``jobs`` at a
    time; ``done`` is told of each run as it ends."""
    for name in preloaded_modules():
        importlib.import_module(name)
    fork = multiprocessing.get_context("fork")
    waiting = list(enumerate(switches))
    running: dict[int, tuple[multiprocessing.process.BaseProcess, int, float]] = {}
    runs: dict[int, SwitchRun] = {}

    def files(index: int) -> tuple[Path, Path]:
        name = switches[index][0].strip("()").replace(" ", "-")
        return workdir / f"{name}.json", workdir / f"{name}.log"

    while waiting or running:
        while waiting and len(running) < jobs:
            index, (switch, _, _) = waiting.pop(0)
            results, log = files(index)
            results.unlink(missing_ok=True)
            arguments = _suite_arguments(switch, CATALOGUE.get(switch), results, deadline)
            process = fork.Process(target=_judge_in_child, args=(arguments, deadline, log))
            process.start()
            running[process.sentinel] = (process, index, time.monotonic())
        ready = multiprocessing.connection.wait(list(running), timeout=5.0)
        now = time.monotonic()
        for sentinel in list(running):
            child, index, started = running[sentinel]
            if sentinel not in ready and now - started < RUN_TIMEOUT:
                continue
            if sentinel not in ready:
                child.kill()
            child.join()
            del running[sentinel]
            switch, clause, unobservable = switches[index]
            runs[index] = _collect(switch, clause, unobservable, *files(index), now - started)
            if sentinel not in ready:
                runs[index].problem = f"stopped after {RUN_TIMEOUT:.0f} s"
            done(runs[index])
    return [runs[index] for index in range(len(switches))]


def matrix_lines(runs: list[SwitchRun]) -> list[str]:
    """Fault x clause: '#' the fault's own clause caught, 'M' missed; '+' another clause's checks
    also failed; '.' nothing. Clauses are numbered in catalogue order (legend below the table)."""
    width = max(len(r.switch) for r in runs)
    header = " " * width + "  " + "".join(f"{n % 100:>3}" for n in range(1, len(CLAUSES) + 1))
    lines = [header]
    for run in runs:
        hit = run.hit_clauses()
        marks = []
        for clause in CLAUSES:
            if clause.id == run.clause:
                marks.append("#" if run.caught_by() else "M")
            else:
                marks.append("+" if clause.id in hit else ".")
        lines.append(f"{run.switch:<{width}}  " + "".join(f"{m:>3}" for m in marks))
    lines.append("clauses: " + "; ".join(f"{n} {c.id}" for n, c in enumerate(CLAUSES, 1)))
    return lines


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "selftest",
        help="prove the suite: every fault caught, every benign variation passed (mutation score)",
        description="Run the suite against the built-in reference server: correct, with each benign variation "
        "(must pass) and with each fault (must be caught by the checks of the clause it breaks). "
        "Prints the fault x clause matrix, the mutation score and the checks that caught nothing. "
        "Exit 0 only when every fault is caught and no benign variation fails.",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 2,
        metavar="N",
        help="suite runs at a time (default: the number of CPUs)",
    )
    parser.add_argument(
        "--deadline",
        type=positive_number,
        default=1.0,
        metavar="SECONDS",
        help="notification deadline of each run (default 1: faults that lose notifications "
        "wait it out; the correct server never does)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        metavar="NAME",
        default=[],
        help="only this fault or benign variation (repeatable; see 'gws-conformance serve --list-faults'); "
        "the correct server always runs",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports") / "selftest",
        metavar="DIR",
        help="where each run's results and selftest.json go (default: reports/selftest)",
    )
    parser.set_defaults(handler=selftest_command)


def selftest_command(args: argparse.Namespace) -> int:
    import conformance.server.runner  # noqa: F401  (defines every switch of the server)
    from conformance.server.faults import benign, breaking

    if args.jobs < 1:
        raise UsageError("--jobs: expected at least 1")
    unknown = sorted(set(args.fault) - set(CATALOGUE))
    if unknown:
        raise UsageError(
            f"--fault: unknown switch(es): {', '.join(unknown)}; see 'gws-conformance serve --list-faults'"
        )
    make_report_dir(args.report_dir)
    chosen = set(args.fault) or set(CATALOGUE)
    switches = (
        [(CORRECT, None, False)]
        + [(n, None, False) for n in sorted(benign()) if n in chosen]
        + [
            (n, f.clause, f.unobservable)
            for n, f in sorted(breaking().items(), key=lambda i: (i[1].clause, i[0]))
            if n in chosen
        ]
    )
    print(f"gws-conformance selftest: {len(switches)} runs, {args.jobs} at a time; each run's log in {args.report_dir}")
    finished: list[SwitchRun] = []

    def done(run: SwitchRun) -> None:
        finished.append(run)
        print(f"[{len(finished)}/{len(switches)}] {run_line(run)}", flush=True)

    started = time.monotonic()
    runs = selftest(switches, args.report_dir, args.jobs, args.deadline, done)
    elapsed = time.monotonic() - started
    summary = summarize(runs, elapsed)
    (args.report_dir / "selftest.json").write_text(json.dumps(summary, indent=1) + "\n")
    matrix = args.report_dir / "matrix.txt"
    matrix.write_text("\n".join(matrix_lines(runs)) + "\n")
    print(f"fault x clause matrix: {matrix}")
    suspects = summary["checks_that_caught_nothing"]
    if not suspects or not args.fault:
        print(f"never failed against any fault (suspect): {'none' if not suspects else len(suspects)}")
        for check in suspects:
            print(f"SUSPECT       {check}")
    else:  # with a few faults most checks meet none that breaks them: no news
        print(f"never failed against the faults chosen: {len(suspects)} checks (listed in selftest.json)")
    ok = summary["caught"] == summary["faults"] and summary["benign_failures"] == 0 and not summary["run_failures"]
    code = EXIT_OK if ok else EXIT_FAILED
    print(
        f"gws-conformance selftest: mutation score: {summary['caught']}/{summary['faults']} faults caught "
        f"({summary['mutation_score']:.0%}); benign failures: {summary['benign_failures']} "
        f"(correct server + {len(benign_runs(runs)) - 1} variations); {len(runs)} runs in {elapsed:.1f}s; exit {code}"
    )
    return code


def run_line(run: SwitchRun) -> str:
    """One run, as it ends: what it proved, in a line that fits 120 columns."""
    took = f"({run.seconds:.1f} s)"
    if run.problem:
        return f"RUN FAILED    {run.switch}: {run.problem[:80]}"
    if run.benign:
        failures = run.benign_failures()
        if failures:
            return f"BENIGN FAILED {run.switch}: {len(failures)} check(s), first {failures[0][:70]}"
        return f"passed        {run.switch} {took}"
    caught = run.caught_by()
    if not caught:
        return f"MISSED        {run.switch} ({run.clause}) {took}"
    return f"caught        {run.switch} by {len(caught)} check(s) of {run.clause} {took}"


def benign_runs(runs: list[SwitchRun]) -> list[SwitchRun]:
    return [r for r in runs if r.benign]


def summarize(runs: list[SwitchRun], elapsed: float) -> dict[str, Any]:
    faults = [r for r in runs if not r.benign]
    caught = [r for r in faults if r.caught_by()]
    ever_failed = {c for r in faults for c, v in r.verdicts.items() if v in NOT_PASSING}
    all_checks = {c for r in runs for c in r.verdicts}
    return {
        "faults": len(faults),
        "caught": len(caught),
        "mutation_score": len(caught) / len(faults) if faults else 1.0,
        "benign_failures": sum(len(r.benign_failures()) for r in benign_runs(runs)),
        "run_failures": [r.switch for r in runs if r.problem],
        "checks_that_caught_nothing": sorted(all_checks - ever_failed) if faults else [],
        "seconds": round(elapsed, 2),
        "runs": [
            {
                "switch": r.switch,
                "clause": r.clause,
                "seconds": r.seconds,
                "caught_by": r.caught_by(),
                "collateral": r.collateral(),
                "clauses_hit": sorted(r.hit_clauses()),
                "benign_failures": r.benign_failures(),
                "problem": r.problem,
            }
            for r in runs
        ],
    }
