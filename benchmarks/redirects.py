"""Smart link redirects: ``GET /r/{slug}`` through ``linkcheck dev``, and what a million cost.

Run: ``.venv/bin/python benchmarks/redirects.py [--duration 10] [--clients 1,4,8]``.

(a) Through the local stack (its own process, as ``linkcheck dev`` runs, the redirect function in
process environments): one smart link, then ``--clients`` visitors in a closed loop for
``--duration`` seconds per level after ``--warm-up`` seconds: redirects/s, p50 and p99, every
answer checked (302 to the target).

(b) The redirect handler alone, warm, in this process against the same moto table: its time per
hit (wall and CPU) with the slug cached (the usual case: the cache holds a slug for
``REDIRECT_CACHE_SECONDS``) and uncached (a read on every hit), and the DynamoDB calls it made.

(c) The import of the redirect handler against the api's, each in fresh interpreters (median
CPU ms): what its cold start pays.

(d) The projected AWS cost per million redirects: Lambda arm64 at the template's memory and the
measured duration (billed per started ms), Lambda and HTTP API requests, the reads, the click
write, the HTTP API access log line. Two columns: the worst case (a read on every hit, the
duration measured against local moto, many times slower than DynamoDB: an upper bound) and the
expected case (the slug cached, the handler's measured CPU plus ``DYNAMODB_CALL_MS`` per call).

On a machine shared with other work the latencies are pessimistic; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

KEY = "lck_benchmark_key_0123456789"
SLUG = "bench-bio"
TARGET = "https://example.com/video/1"
FALLBACK = "https://example.com/"
REPO = Path(__file__).resolve().parents[1]

# us-east-1 list prices assumed in docs/capacity.md (November 2026), arm64.
LAMBDA_GB_SECOND = 0.0000133334
LAMBDA_REQUEST = 0.20 / 1e6
HTTP_API_REQUEST = 1.00 / 1e6  # first 300 million a month
WRITE_UNIT = 0.625 / 1e6
READ_UNIT = 0.125 / 1e6  # strongly consistent 4 KB; the redirect reads eventually: half
LOG_GB = 0.50
ACCESS_LOG_BYTES = 420  # one JSON line of the HTTP API's access log (template Format), typical
# In-region DynamoDB answers a small GetItem or UpdateItem in single-digit milliseconds; this is
# the assumption for the expected duration (local moto is many times slower).
DYNAMODB_CALL_MS = 5.0


# ------------------------------------------------------------------------- the stack


def serve() -> None:
    """``--serve``: run a stack until SIGTERM; prints ``READY <url> <env json>`` once started."""
    from linkcheck.local.stack import DevStack

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    stack = DevStack(
        port=0,
        api_key=KEY,
        allow_private_networks=True,
        sweep_every=None,
        background_pumps=False,
        env={"RATE_LIMIT_PER_MINUTE": "0"},
        on_log=lambda *_: None,
    )
    stack.start()
    env = {k: stack.env[k] for k in ("TABLE_NAME", "AWS_ENDPOINT_URL") if k in stack.env}
    print(f"READY {stack.base_url} {json.dumps(env)}", flush=True)
    try:
        stopping.wait()
    finally:
        stack.stop()


@contextmanager
def stack_process() -> Iterator[tuple[str, dict[str, str]]]:
    # Our own interpreter and script: nothing here comes from input.
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        ready = None
        for line in process.stdout:
            if line.startswith("READY "):
                ready = line.split(maxsplit=2)
                break
        if ready is None:
            raise RuntimeError("the stack did not start")
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield ready[1], json.loads(ready[2])
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


# ------------------------------------------------------------------------- (a) load


def load(base_url: str, clients: int, warm_up: float, duration: float) -> dict[str, Any]:
    """``clients`` visitors in a closed loop; latencies of the counted window."""
    latencies: list[float] = []
    wrong = 0
    lock = threading.Lock()
    start = time.monotonic()
    counting_from = start + warm_up
    end = counting_from + duration

    def visitor() -> None:
        nonlocal wrong
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while True:
                sent = time.monotonic()
                if sent >= end:
                    return
                answer = client.get(f"/r/{SLUG}")
                took = time.monotonic() - sent
                ok = answer.status_code == 302 and answer.headers.get("location") == TARGET
                if sent >= counting_from:
                    with lock:
                        latencies.append(took)
                        wrong += not ok

    with ThreadPoolExecutor(max_workers=clients) as pool:
        for _ in range(clients):
            pool.submit(visitor)
    latencies.sort()
    return {
        "clients": clients,
        "rate": len(latencies) / duration,
        "p50": 1000 * latencies[len(latencies) // 2] if latencies else math.nan,
        "p99": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        if latencies
        else math.nan,
        "count": len(latencies),
        "wrong": wrong,
    }


# ------------------------------------------------------------------------- (b) the handler


def handler_time(env: dict[str, str], hits: int) -> dict[str, dict[str, float]]:
    """The warm handler's time per hit, cached and uncached, and its DynamoDB calls."""
    os.environ.update(env)
    os.environ.update({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"})
    os.environ.setdefault("AWS_REGION", "us-east-1")
    from linkcheck.handlers import redirect

    calls = {"GetItem": 0, "UpdateItem": 0}
    original = redirect._client.call

    def counted(action: str, params: dict[str, Any]) -> dict[str, Any]:
        calls[action] = calls.get(action, 0) + 1
        return original(action, params)

    redirect._client.call = counted  # type: ignore[method-assign]
    event = {"pathParameters": {"slug": SLUG}}
    results: dict[str, dict[str, float]] = {}
    for mode, cache in (("cached", "30"), ("uncached", "0")):
        os.environ["REDIRECT_CACHE_SECONDS"] = cache
        redirect._cache.clear()
        redirect.handler(event, None)  # warm: connection open, slug cached when it may be
        calls.update(GetItem=0, UpdateItem=0)
        walls, cpus = [], []
        for _ in range(hits):
            wall, cpu = time.perf_counter(), time.process_time()
            answer = redirect.handler(event, None)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            assert answer["statusCode"] == 302, answer
        results[mode] = {
            "wall_ms": 1000 * statistics.median(walls),
            "cpu_ms": 1000 * statistics.median(cpus),
            "reads": calls["GetItem"] / hits,
            "writes": calls["UpdateItem"] / hits,
        }
    return results


# ------------------------------------------------------------------------- (c) cold start


def import_cpu_ms(module: str, runs: int) -> float:
    code = (
        "import time, resource\n"
        f"import {module}\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print((u.ru_utime + u.ru_stime) * 1000)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "functions")}
    samples = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        samples.append(float(done.stdout.strip()))
    return statistics.median(samples)


# ------------------------------------------------------------------------- (d) cost


def memory_mb() -> int:
    from linkcheck.local.resources import load_template

    template = load_template()
    props = template["Resources"]["RedirectFunction"]["Properties"]
    return int(props.get("MemorySize", template["Globals"]["Function"]["MemorySize"]))


def cost_per_million(duration_ms: float, reads: float, memory: int) -> dict[str, float]:
    billed_ms = math.ceil(duration_ms)  # Lambda bills each invocation per started millisecond
    return {
        "Lambda duration": 1e6 * memory / 1024 * billed_ms / 1000 * LAMBDA_GB_SECOND,
        "Lambda requests": 1e6 * LAMBDA_REQUEST,
        "HTTP API requests": 1e6 * HTTP_API_REQUEST,
        "DynamoDB reads": 1e6 * reads * 0.5 * READ_UNIT,  # eventually consistent: half a unit
        "DynamoDB click write": 1e6 * WRITE_UNIT,
        "HTTP API access log": 1e6 * ACCESS_LOG_BYTES / 1e9 * LOG_GB,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warm-up", type=float, default=2.0)
    parser.add_argument("--clients", default="1,4,8")
    parser.add_argument("--hits", type=int, default=300, help="handler hits per mode in (b)")
    parser.add_argument("--runs", type=int, default=5, help="fresh imports per module in (c)")
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    with stack_process() as (base_url, env):
        api = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"})
        created = api.post(
            "/smartlinks", json={"slug": SLUG, "target_url": TARGET, "fallback_url": FALLBACK}
        )
        assert created.status_code == 201, created.text
        print("(a) GET /r/{slug} through linkcheck dev (HTTP API emulator, process environments)")
        print(f"{'clients':>8} {'redirects/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'wrong':>6}")
        levels = [
            load(base_url, int(n), args.warm_up, args.duration) for n in args.clients.split(",")
        ]
        for level in levels:
            print(
                f"{level['clients']:>8} {level['rate']:>12.1f} {level['p50']:>8.1f} "
                f"{level['p99']:>8.1f} {level['wrong']:>6}"
            )
        clicks = api.get(f"/smartlinks/{SLUG}").json()["clicks_today"]
        counted = sum(level["count"] for level in levels)
        print(
            f"clicks counted: {clicks} (at least the {counted} timed redirects: warm-ups count too)"
        )

        print("\n(b) the redirect handler alone, warm, against the stack's moto table")
        measured = handler_time(env, args.hits)
        print(f"{'slug':>10} {'wall ms':>8} {'CPU ms':>7} {'reads/hit':>10} {'writes/hit':>11}")
        for mode, row in measured.items():
            print(
                f"{mode:>10} {row['wall_ms']:>8.2f} {row['cpu_ms']:>7.2f} "
                f"{row['reads']:>10.2f} {row['writes']:>11.2f}"
            )

    print(f"\n(c) cold start: import in a fresh interpreter (median CPU ms of {args.runs})")
    redirect_ms = import_cpu_ms("linkcheck.handlers.redirect", args.runs)
    api_ms = import_cpu_ms("linkcheck.handlers.api", args.runs)
    print(f"  redirect handler {redirect_ms:7.0f}\n  api handler      {api_ms:7.0f}")
    print(f"  the redirect's import costs {redirect_ms / api_ms:.0%} of the api's")

    memory = memory_mb()
    print(f"\n(d) projected AWS cost per million redirects (arm64, {memory} MB, us-east-1)")
    duration = measured["uncached"]["wall_ms"]  # an upper bound: local moto is slow
    cached = measured["cached"]
    expected = cached["cpu_ms"] + (cached["reads"] + cached["writes"]) * DYNAMODB_CALL_MS
    rows = {
        "worst: uncached, moto time": cost_per_million(duration, 1.0, memory),
        "expected: cached, AWS time": cost_per_million(expected, cached["reads"], memory),
    }
    names = list(next(iter(rows.values())))
    print(f"{'':24}" + "".join(f"{title[:30]:>32}" for title in rows))
    for name in names:
        print(
            f"{name:24}" + "".join(f"{'$' + format(row[name], '.3f'):>32}" for row in rows.values())
        )
    print(
        f"{'total':24}"
        + "".join(f"{'$' + format(sum(r.values()), '.2f'):>32}" for r in rows.values())
    )
    print(
        f"\n(durations billed: {math.ceil(duration)} ms worst, as measured against local moto; "
        f"{math.ceil(expected)} ms expected: {cached['cpu_ms']:.1f} ms CPU + "
        f"{DYNAMODB_CALL_MS:.0f} ms per DynamoDB call)"
    )
    return 0 if all(level["wrong"] == 0 for level in levels) else 1


if __name__ == "__main__":
    sys.exit(main())
