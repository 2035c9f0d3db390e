"""``gws-conformance schema list|validate`` and ``gws-conformance openapi``: the derived schemas on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from conformance.errors import EXIT_FAILED, EXIT_OK, UsageError
from conformance.spec.schemas import load_schema, shape_names, validate


def register(subparsers: argparse._SubParsersAction) -> None:
    schema = subparsers.add_parser(
        "schema",
        help="list the JSON Schemas or validate a document against one",
        description="The JSON Schemas (2020-12) derived from the documentation.",
    )
    commands = schema.add_subparsers(dest="schema_command", metavar="SUBCOMMAND", required=True)

    listing = commands.add_parser(
        "list",
        help="shape names and titles",
        description="Print every shape name (the path under schemas/ without .json) and its title.",
    )
    listing.set_defaults(handler=_list)

    check = commands.add_parser(
        "validate",
        help="validate a JSON file against a shape",
        description="Validate FILE against SHAPE. Exit 0 when valid; 1 when invalid, with each violation's JSON "
        "path and failing keyword; 2 for an unknown shape or a file that cannot be read as JSON.",
    )
    check.add_argument("shape", metavar="SHAPE", help="e.g. notifications/participants-updated (see 'schema list')")
    check.add_argument("file", metavar="FILE", help="the JSON document, or - for standard input")
    check.set_defaults(handler=_validate)

    openapi = subparsers.add_parser(
        "openapi",
        help="write the OpenAPI 3.1 document derived from the schemas",
        description="Write the OpenAPI 3.1 document of the SMS session resource (operations, bodies by "
        "operationName, responses, Basic/cookie/CSRF security) derived from schemas/, as JSON.",
    )
    openapi.add_argument("--base-url", metavar="URL", help="a server to list under servers")
    openapi.add_argument("-o", "--output", metavar="FILE", type=Path, help="write there instead of standard output")
    openapi.set_defaults(handler=_openapi)


def _openapi(args: argparse.Namespace) -> int:
    from conformance.spec.openapi import openapi_document

    text = json.dumps(openapi_document(args.base_url), indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {args.output}: {exc.strerror}") from None
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    names = shape_names()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {load_schema(name)['title']}")
    return EXIT_OK


def _read_json(path: str) -> object:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def _validate(args: argparse.Namespace) -> int:
    load_schema(args.shape)  # an unknown shape is a usage error before the file is read
    violations = validate(args.shape, _read_json(args.file))
    for violation in violations:
        print(f"{violation.path}: [{violation.keyword}] {violation.message}")
    if violations:
        print(f"{args.file}: {len(violations)} violation(s) of {args.shape}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{args.file}: valid {args.shape}")
    return EXIT_OK
