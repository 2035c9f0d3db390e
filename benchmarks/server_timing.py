"""How fast the reference server starts, stops, answers and releases long polls.

    python benchmarks/server_timing.py [--runs N]

What tests/server/test_http.py asserts without a clock (a held long poll is answered by a stop, a
batched connect is not held, a held connect is released by a notification) is timed here, N times
each (default 20), min / median / max in milliseconds.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
from bayeux_peer import Client, provision

from conformance.server.app import ServerSettings
from conformance.server.runner import ReferenceServer

HOLD = ServerSettings(connect_timeout_ms=60_000)


def start_and_stop() -> tuple[float, float]:
    started = time.perf_counter()
    with ReferenceServer(settings=HOLD) as running:
        up = time.perf_counter() - started
        client = Client(running, "alice")
        holder = concurrent.futures.ThreadPoolExecutor(1).submit(client.connect, client.subscribe())
        stopping = time.perf_counter()
    holder.result(timeout=30)
    return up, time.perf_counter() - stopping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    timings: dict[str, list[float]] = {
        "start": [],
        "stop with a held long poll": [],
        "GET /api/v2/me": [],
        "batched connect answered": [],
        "held connect released by a notification": [],
    }
    for _ in range(runs):
        up, down = start_and_stop()
        timings["start"].append(up)
        timings["stop with a held long poll"].append(down)
    with ReferenceServer(settings=HOLD) as server:
        with httpx.Client(base_url=server.base_url, auth=("alice", "alice-pass")) as http:
            for _ in range(runs):
                started = time.perf_counter()
                http.get("/api/v2/me")
                timings["GET /api/v2/me"].append(time.perf_counter() - started)
        for _ in range(runs):
            client = Client(server, "carol")
            client_id = client.subscribe()
            started = time.perf_counter()
            client.bayeux(
                {"channel": "/meta/subscribe", "clientId": client_id, "subscription": "/v2/me/*"},
                {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"},
            )
            timings["batched connect answered"].append(time.perf_counter() - started)
            alice = Client(server, "alice")
            holder = concurrent.futures.ThreadPoolExecutor(1).submit(alice.connect, alice.subscribe())
            started = time.perf_counter()
            provision(server)
            holder.result(timeout=30)
            timings["held connect released by a notification"].append(time.perf_counter() - started)
    print(f"{'what':<42} {'min':>8} {'median':>8} {'max':>8}   ms, {runs} runs each")
    for what, seconds in timings.items():
        ms = [s * 1000 for s in seconds]
        print(f"{what:<42} {min(ms):8.1f} {statistics.median(ms):8.1f} {max(ms):8.1f}")


if __name__ == "__main__":
    main()
