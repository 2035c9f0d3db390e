"""``gws-conformance diff A B``: two runs compared, per check and per clause.

A vendor's build N against build N+1, two vendors, or today's run against the one a team
accepted: the console lists what changed (new failures first), ``diff.json``
(``schemas/reports/diff.json``) and ``diff.html`` hold every change. Exit 1 when B has a failure
A did not (a CI gate on regressions), 0 otherwise, 2 when a file is not a results document.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from conformance.commands.run import add_report_dir, make_report_dir
from conformance.errors import EXIT_FAILED, EXIT_OK
from conformance.report import html
from conformance.report.compare import compare_documents, lines
from conformance.report.results import load_results

SHOWN = 40  # changed checks printed; the files hold every one


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare two runs' results.json: new failures, fixes, new skips, checks on one side only",
        description="Compare run A (earlier, or accepted) with run B, per check and per clause. Writes diff.json "
        "and diff.html. Exit codes: 0 B has no failure A did not have; 1 it has; 2 a file is not a results "
        "document. To gate a run on regressions directly, use 'gws-conformance run --baseline A'.",
    )
    parser.add_argument("before", type=Path, metavar="A_RESULTS_JSON", help="the earlier (or accepted) run")
    parser.add_argument("after", type=Path, metavar="B_RESULTS_JSON", help="the later run")
    add_report_dir(parser, Path("reports") / "diff", "where diff.json and diff.html go (default: reports/diff)")
    parser.set_defaults(handler=diff_command)


def diff_command(args: argparse.Namespace) -> int:
    before, after = load_results(args.before), load_results(args.after)
    comparison = compare_documents(before, after)
    make_report_dir(args.report_dir)
    record = {"before": str(args.before), "after": str(args.after), **comparison.as_record()}
    (args.report_dir / "diff.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    (args.report_dir / "diff.html").write_text(html.diff_page(comparison, str(args.before), str(args.after)))
    for line in lines(comparison, SHOWN):
        print(line)
    new = len(comparison.new_failures)
    code = EXIT_FAILED if new else EXIT_OK
    print(
        f"gws-conformance: {args.before} -> {args.after}: {comparison.summary()}; "
        f"reports in {args.report_dir}; exit {code}"
    )
    return code
