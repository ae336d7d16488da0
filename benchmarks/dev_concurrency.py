"""How much ``linkcheck dev`` serves at once: process environments against in-process turns.

Run: ``.venv/bin/python benchmarks/dev_concurrency.py [--skip-in-process] [--duration 10]``.

Each stack runs in its own process (``--serve``, like ``linkcheck dev`` with private networks
allowed and the per-key rate limit off), so the load generated here never competes with it for
the GIL. Targets are local HTTP servers on 127.0.0.1: a slow page (answers after ``--slow``
seconds, 2 by default) and a fast one.

(a) ``--burst`` (20) concurrent ``GET /check`` of the slow page: wall time until the last
answer, and the verdicts; with process environments twice, as they start (cold) and once they
are warm (goal: under 4 s warm, no ``timeout``).

(b) A mixed API load (GET /me, GET /links, POST /links or DELETE of the client's oldest link,
GET /links/{id}, GET /check of the fast page, in equal parts) from 1, 2, 4, 8 and 16 clients
in a closed loop, ``--warm-up`` seconds then ``--duration`` seconds counted per level:
requests/s, 5xx count and latency (goal: at least 50 requests/s with no 5xx).

On a machine shared with other work, the figures are pessimistic; the load average is printed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

KEY = "lck_benchmark_key_0123456789"
OWN_LINKS = 5  # links each load client keeps at most


# ------------------------------------------------------------------------- the stack


def serve(mode: str, sweep_every: float | None = None, confirm_delay: int | None = None) -> None:
    """``--serve MODE``: run a stack until SIGTERM; prints ``READY <url>`` once started.

    Without ``sweep_every`` only the API runs; with it the pumps and sweeps run too, as in
    ``linkcheck dev --sweep-every`` (``benchmarks/load.py``)."""
    from linkcheck.local.stack import DevStack

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    stack = DevStack(
        port=0,
        api_key=KEY,
        allow_private_networks=True,
        sweep_every=sweep_every,
        confirm_delay=confirm_delay,
        # The API alone unless sweeps are asked for (the pumps' polling and checks are the worker's)
        background_pumps=sweep_every is not None,
        environments="in-process" if mode == "in-process" else "process",
        env={"RATE_LIMIT_PER_MINUTE": "0"},  # measure the stack, not the rate limit
        on_log=lambda *_: None,  # the functions' log lines are not the point here
    )
    stack.start()
    print(f"READY {stack.base_url}", flush=True)
    try:
        # Polled, as `linkcheck dev` does: a SIGTERM the kernel hands to another thread (the
        # pumps') runs its handler only once the main thread wakes up.
        while not stopping.wait(0.5):
            pass
    finally:
        stack.stop()


def tree_cpu(root: int) -> tuple[float, float]:
    """CPU seconds (user + system) of ``root`` and of all its descendants (Linux ``/proc``)."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / tick

    def below(pid: int) -> bool:
        for _ in range(64):
            pid = parents.get(pid, 1)
            if pid == root:
                return True
            if pid <= 1:
                return False
        return False

    return used.get(root, 0.0), sum(c for pid, c in used.items() if pid != root and below(pid))


@contextmanager
def stack_process(
    mode: str, sweep_every: float | None = None, confirm_delay: int | None = None
) -> Iterator[tuple[str, int]]:
    """A stack in a process of its own (see ``serve``); yields its URL and process id."""
    command = [sys.executable, __file__, "--serve", mode]
    if sweep_every is not None:
        command += ["--sweep-every", str(sweep_every)]
    if confirm_delay is not None:
        command += ["--confirm-delay", str(confirm_delay)]
    # Our own interpreter and script: nothing here comes from input.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = None
        for line in process.stdout:
            if line.startswith("READY "):
                url = line.split()[1]
                break
        if url is None:
            raise RuntimeError(f"the {mode} stack did not start")
        # Keep reading: in-process functions log to stdout, and a full pipe would block them.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


# ------------------------------------------------------------------------- targets


class _Page(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.0

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms stalls

    def do_GET(self) -> None:
        time.sleep(self.delay)
        body = b"<html><body><h1>page</h1></body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except BrokenPipeError:  # the checker read enough and hung up: expected
                self.close_connection = True

    do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def page(delay: float) -> Iterator[str]:
    handler = type("Page", (_Page,), {"delay": delay})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/page"
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------------- (a) a burst


def burst(base_url: str, target: str, count: int) -> tuple[float, Counter[str]]:
    """``count`` concurrent checks of ``target``; the wall time and the verdicts."""
    headers = {"Authorization": f"Bearer {KEY}"}
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    # One client made beforehand: making one costs tens of ms of this process's CPU.
    with httpx.Client(
        base_url=base_url, headers=headers, timeout=120, trust_env=False, limits=limits
    ) as client:

        def one(_: int) -> str:
            response = client.get("/check", params={"url": target})
            if response.status_code != 200:
                return f"HTTP {response.status_code}"
            body = response.json()
            return f"{body['status']}/{body['reason']}"

        with ThreadPoolExecutor(count) as executor:
            started = time.monotonic()
            verdicts = Counter(executor.map(one, range(count)))
            return time.monotonic() - started, verdicts


# ------------------------------------------------------------------------- (b) a mixed load


def mixed(
    base_url: str, target: str, clients: int, duration: float, warm_up: float
) -> dict[str, Any]:
    """Requests/s from ``clients`` in a closed loop, counting only after ``warm_up`` seconds
    (new environments start at each level). Each client keeps at most ``OWN_LINKS`` links
    (the write slot deletes its oldest one then), so the table does not grow during the run."""
    headers = {"Authorization": f"Bearer {KEY}"}
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    measure_from = time.monotonic() + warm_up
    stop_at = measure_from + duration

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        links: list[str] = []
        with httpx.Client(base_url=base_url, headers=headers, timeout=60, trust_env=False) as c:
            for step in itertools.count():
                if time.monotonic() >= stop_at:
                    return
                kind = (step + seed) % 5
                began = time.monotonic()
                if kind == 0:
                    response = c.get("/me")
                elif kind == 1:
                    response = c.get("/links")
                elif kind == 2 and len(links) >= OWN_LINKS:
                    response = c.delete(f"/links/{links.pop(0)}")
                elif kind == 2:
                    url = f"{target}?n={seed}-{step}"
                    response = c.post("/links", json={"url": url})
                    if response.status_code == 201:
                        links.append(response.json()["id"])
                elif kind == 3 and links:
                    response = c.get(f"/links/{rng.choice(links)}")
                else:
                    response = c.get("/check", params={"url": target})
                if began < measure_from:
                    continue
                elapsed = time.monotonic() - began
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status_code] += 1
            for link in links:  # leave the table as it was
                c.delete(f"/links/{link}")

    with ThreadPoolExecutor(clients) as executor:
        list(executor.map(worker, range(clients)))
    wall = duration
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "rate": len(latencies) / wall,
        "errors": sum(n for status, n in statuses.items() if status >= 500),
        "other": {s: n for s, n in statuses.items() if s >= 400 and s < 500},
        "p50": statistics.median(ordered) * 1000 if ordered else 0.0,
        "p95": ordered[int(len(ordered) * 0.95)] * 1000 if ordered else 0.0,
    }


# ------------------------------------------------------------------------- report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--sweep-every", type=float, help=argparse.SUPPRESS)  # with --serve
    parser.add_argument("--confirm-delay", type=int, help=argparse.SUPPRESS)  # with --serve
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--slow", type=float, default=2.0, help="seconds the slow page takes")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load level")
    parser.add_argument("--warm-up", type=float, default=3.0, help="seconds not counted")
    parser.add_argument("--clients", default="1,2,4,8,16", help="load levels, comma-separated")
    parser.add_argument("--skip-in-process", action="store_true")
    parser.add_argument("--skip-burst", action="store_true", help="only the mixed load (b)")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.sweep_every, args.confirm_delay)
        return 0

    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    modes = ["process"] if args.skip_in_process else ["process", "in-process"]
    goals: list[bool] = []
    with page(args.slow) as slow, page(0.0) as fast:
        if not args.skip_burst:
            print(f"\n(a) {args.burst} concurrent GET /check of a page taking {args.slow:g} s")
            print(f"{'mode':<16}{'wall s':>8}  verdicts")
        for mode in [] if args.skip_burst else modes:
            with stack_process(mode) as (base_url, _):
                # First with every environment to start (cold), then again with them warm.
                for label in ("cold", "warm") if mode == "process" else ("",):
                    wall, verdicts = burst(base_url, slow, args.burst)
                    shown = ", ".join(f"{n} {v}" for v, n in verdicts.most_common())
                    print(f"{f'{mode} {label}':<16}{wall:>8.1f}  {shown}")
                    if label == "warm":
                        ok = verdicts == Counter({"ok/http_2xx": args.burst})
                        goals.append(wall < 4.0 and ok)

        print(f"\n(b) mixed API load, closed loop, {args.duration:g} s per level (process mode)")
        print(
            f"{'clients':>7}{'req/s':>8}{'5xx':>6}{'p50 ms':>8}{'p95 ms':>8}"
            f"{'CPU ms/req: stack':>19}{'envs':>6}  4xx"
        )
        best = 0.0
        ceilings: list[float] = []
        with stack_process("process") as (base_url, pid):
            for clients in [int(c) for c in args.clients.split(",")]:
                before = tree_cpu(pid)
                row = mixed(base_url, fast, clients, args.duration, args.warm_up)
                after = tree_cpu(pid)
                # CPU of the whole level (warm-up included) per counted request: an upper bound.
                count = max(1.0, row["rate"] * (args.duration + args.warm_up))
                stack_ms = (after[0] - before[0]) * 1000 / count
                envs_ms = (after[1] - before[1]) * 1000 / count
                print(
                    f"{row['clients']:>7}{row['rate']:>8.1f}{row['errors']:>6}"
                    f"{row['p50']:>8.0f}{row['p95']:>8.0f}{stack_ms:>19.1f}{envs_ms:>6.1f}"
                    f"  {row['other'] or '-'}"
                )
                if row["errors"] == 0:
                    best = max(best, row["rate"])
                # The stack's own process is one GIL; everything shares the cores.
                cores = os.cpu_count() or 1
                ceilings.append(min(1000 / stack_ms, 1000 * cores / (stack_ms + envs_ms)))
        print(f"\nbest sustained rate with no 5xx: {best:.1f} requests/s")
        print(
            f"CPU-bound ceiling on {os.cpu_count()} idle cores (from the CPU per request): "
            f"{max(ceilings):.0f} requests/s"
        )
        goals.append(best >= 50)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print("goals:", "PASS" if all(goals) else "FAIL", f"(burst < 4 s, >= 50 req/s: {goals})")
    return 0 if all(goals) else 1


if __name__ == "__main__":
    sys.exit(main())
