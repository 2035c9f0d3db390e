"""``gws-conformance init``: a commented starter ``gws-conformance.toml``.

It takes the target and the agents' user names as flags; passwords never enter the file, only
the names of the environment variables that hold them. Every key ``run`` knows is in the file,
commented where it has a default, so the file is also the reference of the configuration.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance.config import DEFAULT_FILE, parse_target
from conformance.errors import EXIT_OK, ConfigError, UsageError

TEMPLATE = """# gws-conformance configuration: `gws-conformance doctor` checks it step by step,
# `gws-conformance run` uses it. Flags > GWS_CONFORMANCE_* environment > this file > defaults.

target = "{target}"             # the GWS base URL, without /api/v2
# deadline = 10                 # seconds an expected notification may take
# barrier_timeout = 30          # seconds a marker may take before a session counts as unobservable
# quiet_window = 1.0            # seconds of silence that end a stream where the server gives no marker
# observation = "auto"          # auto (measured at the start of each run), markers or quiet
# concurrency = 8               # scenarios at the same time, each on its own session; 1 if an agent
#                               # cannot hold several sessions at once
# http_timeout = 30             # seconds for one HTTP exchange, body included
# max_body_bytes = 8388608      # a response body over it (as decoded) is refused, not read further
# max_time = 600                # seconds for the whole run; then it stops with partial reports
# notification_path = "/api/v2/notifications"   # CometD endpoint
# sms_topic = "/v2/me/smssessions"              # assumed: no page names it (doctor finds the real one)
# media = "sms"                 # the channel made Ready when an agent logs in
# redact_content = true         # false shows customer text in reports (debugging); credentials never show

# [tls]
# verify = true
# ca_bundle = "gws-ca.pem"      # paths are relative to this file
# client_cert = "client.pem"
# client_key = "client.key"

[agents.originator]             # the agent the SMS sessions are routed to
username = "{originator}"
password_env = "{originator_env}"   # export {originator_env}=...  (or password = "...", not advised)
# uri = "https://.../api/v2/users/<id>"   # optional: taken from the server (GET /api/v2/me) when left out
# path = "/users/<id>"

[agents.consultant]             # the agent consulted
username = "{consultant}"
password_env = "{consultant_env}"
# uri = "https://.../api/v2/users/<id>"
# path = "/users/<id>"

# [agents.third]                # optional: consulted while logged out (the unavailable target)
# username = "..."
# password_env = "..."
# uri = "..."

# [agents.no_feature]           # optional: a user without api-multimedia
# username = "..."
# password_env = "..."
# uri = "..."

# [agents.supervisor]           # optional: a supervisor that monitors the originator (the Intrude checks)
# username = "..."
# password_env = "..."
# uri = "..."

# [queue]                       # optional: a queue to consult, invite and transfer through
# uri = "https://.../api/v2/queues/<id>"
# path = "/queues/<id>"
# name = "SMS Consult"          # its name, for Transfer's and Complete's queueName
# members = ["consultant"]      # roles of its agents: the one that joins must be one of them

[source]                        # where SMS sessions come from (each check takes a fresh one)
kind = "existing"               # existing | command | reference (our reference server only)
session_ids = []                # existing: ids of Chatting sessions of the originator, one per scenario
# invited_session_ids = []      # existing: sessions offered to it, not yet accepted (Accept, Reject)
# command = "sms-inject --to +15551234"      # command: makes an inbound SMS arrive
# probe_command = "sms-inbox {{session_id}}"  # command: prints the customer's phone as a JSON list
"""


# What a configuration of the originator and consultant alone (what init writes) leaves unjudged,
# by the key that would judge it: written as accepted gaps (waivers.toml). tests/test_init.py runs
# that configuration and proves the list exact: green with these gaps, none of them stale.
GAPS = (
    ("sms.intrude.*", "agents.supervisor", "no supervisor that monitors the originator"),
    ("sms.transfer.param.queue-name", "queue.name", "no queue to transfer into"),
    ("sms.complete.param.queue-name", "queue.name", "no queue to complete into"),
    ("sms.consult.feature", "agents.no_feature", "no user without api-multimedia"),
)
GAPS_FILE = "waivers.toml"
GAPS_TEMPLATE = """# Known gaps: MUST clauses this configuration cannot judge, each with the key that would close it.
# `gws-conformance run --waivers {file}` accepts them; configure the key and remove the gap (a gap
# whose clauses are judged after all is stale, and fails the run). Known failures go here too,
# as [[waiver]] tables (check, reason, owner, expires).
"""


def gaps_text() -> str:
    entries = "".join(
        f'\n[[gap]]\nclause = "{clause}"\nreason = "{why} (configure {key} to judge it)"\n' for clause, key, why in GAPS
    )
    return GAPS_TEMPLATE.format(file=GAPS_FILE) + entries


CI_JOBS = {
    "github": Path(__file__).parent / "ci" / "github-actions.yml",
    "gitlab": Path(__file__).parent / "ci" / "gitlab-ci.yml",
}


def _variable(role: str) -> str:
    return f"GWS_{role.upper()}_PASSWORD"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write a commented starter gws-conformance.toml",
        description="Write a starter configuration with every key run knows, commented where it has a default. "
        "Passwords are only named as environment variables. Refuses to overwrite a file unless --force.",
    )
    parser.add_argument(
        "--target",
        metavar="URL",
        default="https://gws.example.com:8443",
        help="the GWS base URL (default: a placeholder)",
    )
    parser.add_argument("--originator", metavar="USER", default="agent1", help="user name of the originating agent")
    parser.add_argument("--consultant", metavar="USER", default="agent2", help="user name of the consulted agent")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        default=Path(DEFAULT_FILE),
        help=f"where to write it (default: ./{DEFAULT_FILE})",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.add_argument(
        "--ci",
        choices=sorted(CI_JOBS),
        help="print a CI job that runs the suite and keeps its reports (GitHub Actions or GitLab CI) instead",
    )
    parser.set_defaults(handler=init_command)


def init_command(args: argparse.Namespace) -> int:
    if args.ci:
        print(CI_JOBS[args.ci].read_text(encoding="utf-8"), end="")
        return EXIT_OK
    try:
        target = parse_target(args.target, "--target")
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.output.exists() and not args.force:
        raise UsageError(f"{args.output} exists; --force overwrites it")
    for flag, name in (("--originator", args.originator), ("--consultant", args.consultant)):
        if not name or '"' in name or "\n" in name:
            raise UsageError(f"{flag}: expected a user name, got {name!r}")
    text = TEMPLATE.format(
        target=target,
        originator=args.originator,
        consultant=args.consultant,
        originator_env=_variable("originator"),
        consultant_env=_variable("consultant"),
    )
    gaps = args.output.parent / GAPS_FILE
    try:
        args.output.write_text(text, encoding="utf-8")
        if not gaps.exists() or args.force:
            gaps.write_text(gaps_text(), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {args.output}: {exc.strerror}") from None
    print(
        f"wrote {args.output}: export {_variable('originator')} and "
        f"{_variable('consultant')}, list session ids under [source], then run 'gws-conformance doctor'; "
        f"{gaps} accepts what this configuration cannot judge (run --waivers {gaps})"
    )
    return EXIT_OK
