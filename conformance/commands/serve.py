"""``gws-conformance serve``: run the reference GWS server standalone."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from conformance.errors import UsageError
from conformance.server.faults import CATALOGUE, UnknownFault


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the built-in reference GWS server",
        description="Run the reference GWS server (SMS Session API over REST and CometD) until Ctrl-C. "
        "It prints its base URL and the agents it knows. It is a test server: its "
        "/conformance/v1 API provisions SMS sessions and is not part of GWS.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8080, help="port (default 8080; 0 picks a free one)")
    serve.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML file with the server's agents, queues and settings (see conformance/server/config.py)",
    )
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a named fault or benign variation (repeatable); see --list-faults",
    )
    serve.add_argument(
        "--tls-cert", type=Path, metavar="PEM", help="serve HTTPS with this certificate (with --tls-key)"
    )
    serve.add_argument("--tls-key", type=Path, metavar="PEM", help="the private key of --tls-cert")
    serve.add_argument(
        "--tls-client-ca", type=Path, metavar="PEM", help="require a client certificate issued by this CA"
    )
    serve.add_argument(
        "--hostile",
        metavar="NAME",
        help="put a misbehaving front before the server (a hang, a slow drip, a huge body, a gzip "
        "bomb, broken CometD...; see --list-faults): the suite must end against it cleanly",
    )
    serve.add_argument(
        "--hide-test-api",
        metavar="KEY",
        help="answer /conformance/v1 with 404 unless the request carries the header "
        "X-Conformance-Test-Api-Key: KEY: a GWS without the test-only API, whose sessions a command source "
        "given the key still makes arrive",
    )
    serve.add_argument(
        "--list-faults", action="store_true", help="list the fault switches (and the benign variations) and exit"
    )
    serve.set_defaults(handler=serve_command)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def list_faults() -> None:
    width = max(map(len, CATALOGUE))
    for fault in sorted(CATALOGUE.values(), key=lambda f: (f.benign, f.clause or "", f.name)):
        summary = f"{fault.summary} (caught by gws-conformance load)" if fault.under_load else fault.summary
        print(f"{fault.name:<{width}}  {fault.clause or '(benign: must pass)':<34}  {summary}")
    from conformance.server.hostile import CATALOGUE as HOSTILE

    for misbehaviour in HOSTILE.values():
        print(f"{misbehaviour.name:<{width}}  {'(hostile: --hostile NAME)':<34}  {misbehaviour.summary}")


BANNER = "GWS reference server at "  # the first line serve prints, its base URL after it


def start_serve_process(
    faults: Sequence[str] = (), hide_test_api: str | None = None
) -> tuple[subprocess.Popen[str], str]:
    """``gws-conformance serve --port 0`` in a process of its own (a load run's server, which must
    not share the load generator's gevent-patched process), and the base URL its first line gives;
    with ``hide_test_api``, a GWS without the test-only API but for whoever holds that key."""
    hidden = ["--hide-test-api", hide_test_api] if hide_test_api else []
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance",
            "serve",
            "--port",
            "0",
            *hidden,
            *(f"--fault={fault}" for fault in faults),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    first = server.stdout.readline() if server.stdout else ""
    if not first.startswith(BANNER):
        server.kill()
        raise UsageError(f"the reference server did not start: {first.strip() or server.wait()}")
    return server, first.removeprefix(BANNER).split()[0]


def serve_command(args: argparse.Namespace) -> int:
    from conformance.server.config import load_server_config
    from conformance.server.runner import ReferenceServer, ServerStartError, ServerTls

    if args.list_faults:
        list_faults()
        return 0
    directory, settings = load_server_config(args.config) if args.config else (None, None)
    try:
        if bool(args.tls_cert) != bool(args.tls_key) or (args.tls_client_ca and not args.tls_cert):
            raise UsageError("--tls-cert and --tls-key go together (and --tls-client-ca needs them)")
        for given in (args.tls_cert, args.tls_key, args.tls_client_ca):
            if given is not None and not given.is_file():
                raise UsageError(f"{given}: no such file")
        tls = ServerTls(args.tls_cert, args.tls_key, args.tls_client_ca) if args.tls_cert else None
        server = ReferenceServer(
            directory,
            faults=args.fault,
            host=args.host,
            port=args.port,
            settings=settings,
            hostile=args.hostile,
            tls=tls,
            test_api_key=args.hide_test_api,
        )
        base_url = server.start()
    except (UnknownFault, ServerStartError) as exc:
        raise UsageError(str(exc)) from None
    listing = server.app.agents_listing()
    hidden = " (hidden: header X-Conformance-Test-Api-Key)" if args.hide_test_api else ""
    print(f"{BANNER}{base_url}  (test-only API: {base_url}/conformance/v1{hidden})")
    if args.fault:
        print(f"faults switched on: {', '.join(args.fault)}")
    if args.hostile:
        print(f"hostile front: {args.hostile}")
    for agent in listing["agents"]:
        print(
            f"  agent {agent['username']:<8} password {agent['password']:<12} {agent['nickname']:<8} "
            f"{agent['userPath']}  features={','.join(agent['features']) or '-'}  "
            f"queues={','.join(agent['queues']) or '-'}"
        )
    for queue in listing["queues"]:
        print(f"  queue {queue['name']!r} {queue['queuePath']} members={','.join(queue['members'])}")
    print("Ctrl-C stops it.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
