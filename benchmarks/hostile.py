"""1,000 hostile checks at once through the engine: every one ends, in time, for the right reason.

Run: ``.venv/bin/python benchmarks/hostile.py [--checks 1000] [--timeout 15] [--drip 2]``.

The targets are ``tests/e2e/hostile_server.py`` in a process of its own, on 127.0.0.1:
hosts that accept and never answer, heads and bodies dripped a byte every ``--drip`` seconds,
endless bodies (without a length, and chunked), gzip and deflate bombs (``--bomb-mib`` MiB
inflated from about 1/1000 of that), 100-hop redirect chains, a malformed status line, a
header line without a colon, a 128 KiB head, connections reset by the server and a TLS
handshake that never starts. Checks are spread round-robin over the kinds and all start at
once (``concurrency`` and ``per_host`` = ``--checks``), with the deployed settings otherwise:
deep checks (GET, the HTML body read), a ``--timeout`` deadline (15 s), connect 5 s, read
10 s, 2 retries.

Reported and checked (exit 1 when a goal is missed):
- every check ends exactly once, each kind with the reason it must give (the distribution of
  reasons and details per kind is printed);
- none ends later than its deadline plus ``--slack`` (1 s): the largest overrun, both as the
  engine counts it (``elapsed_ms``) and from outside (from the batch's start);
- the process's peak RSS (``ru_maxrss``) stays under ``--max-rss-mib`` (512);
- what the servers managed to send: the most body bytes on one connection, requests per
  redirect chain and per reset check.

Writes ``benchmarks/results/hostile.json`` (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.* when run as a script

from tests.e2e.hostile_server import EXPECTED, KINDS, HostileTargets, hostile_process

from linkcheck.engine import Checker, CheckOptions, CheckResult
from result_file import write_result

DESCRIBED = {
    "silent": "accepts, never answers",
    "drip_head": "a header byte every {drip:g} s",
    "drip_body": "a body byte every {drip:g} s",
    "endless": "an endless body without a length",
    "endless_chunked": "endless chunks",
    "gzip_bomb": "gzip bomb, {bomb} MiB inflated",
    "deflate_bomb": "deflate bomb, {bomb} MiB inflated",
    "redirects": "a chain of 100 redirects",
    "bad_status": "a malformed status line",
    "bad_header": "a header line without a colon",
    "huge_head": "a 128 KiB head",
    "reset": "reset by the server",
    "tls_stall": "TLS handshake never starts",
}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def watch_lag(lags: list[float], every: float = 0.05) -> None:
    """How late the event loop runs a timer: a late deadline is late by at least that much."""
    while True:
        due = time.monotonic() + every
        await asyncio.sleep(every)
        lags.append(time.monotonic() - due)


async def run_batch(
    targets: HostileTargets, urls: list[str], options: CheckOptions
) -> tuple[dict[int, list[tuple[CheckResult, float]]], float, float]:
    """Every URL at once; each index's results with when they came (s since the start), the
    batch's wall time and the event loop's largest lag."""
    got: dict[int, list[tuple[CheckResult, float]]] = {}
    lags: list[float] = [0.0]
    async with Checker(options) as checker:
        await checker.check(targets.url("bad_status", -1))  # warm: detectors, TLS context
        started = time.monotonic()

        def on_result(index: int, result: CheckResult) -> None:
            got.setdefault(index, []).append((result, time.monotonic() - started))

        watcher = asyncio.create_task(watch_lag(lags))
        await checker.run_checks(urls, on_result)
        watcher.cancel()
        return got, time.monotonic() - started, max(lags)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=15.0, help="each check's deadline, s")
    parser.add_argument("--drip", type=float, default=2.0, help="seconds between dripped bytes")
    parser.add_argument("--bomb-mib", type=int, default=256, help="inflated size of the bombs")
    parser.add_argument("--slack", type=float, default=1.0, help="allowed overrun, s")
    parser.add_argument("--max-rss-mib", type=float, default=512.0)
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    parser.add_argument("--note", action="append", default=[], help="a note for the result file")
    parser.add_argument("--no-write", action="store_true", help="do not write the result file")
    args = parser.parse_args()
    kinds = args.kinds.split(",")

    load_before = os.getloadavg()[0]
    print(f"load average before: {load_before:.2f} ({os.cpu_count()} cores)")
    options = CheckOptions(
        allow_private_networks=True,  # the targets are on 127.0.0.1
        timeout=args.timeout,
        concurrency=args.checks,
        per_host=args.checks,
        always_get=True,  # deep checks, as deployed
    )
    with hostile_process(drip=args.drip, bomb_mib=args.bomb_mib) as targets:
        urls = [targets.url(kinds[i % len(kinds)], i) for i in range(args.checks)]
        rss_before = peak_rss_mib()
        cpu_before = time.process_time()
        server_before = targets.cpu_seconds()
        got, wall, lag = asyncio.run(run_batch(targets, urls, options))
        cpu = time.process_time() - cpu_before
        server_cpu = targets.cpu_seconds() - server_before
        rss_peak = peak_rss_mib()
        stats = targets.stats()

    per_kind: dict[str, Counter[str]] = {kind: Counter() for kind in kinds}
    details: dict[str, Counter[str]] = {kind: Counter() for kind in kinds}
    slowest: Counter[str] = Counter()
    wrong = 0
    engine_overrun = outside_overrun = -args.timeout
    for index, url in enumerate(urls):
        kind = url.split("/")[3]
        for result, ended in got.get(index, []):
            per_kind[kind][f"{result.status.value}/{result.reason.value}"] += 1
            details[kind][result.detail[:70]] += 1
            wrong += (result.status, result.reason) != EXPECTED[kind]
            engine_overrun = max(engine_overrun, result.elapsed_ms / 1000 - args.timeout)
            outside_overrun = max(outside_overrun, ended - args.timeout)
            slowest[kind] = max(slowest[kind], round(ended * 1000))
    ended_once = sum(len(got.get(i, [])) == 1 for i in range(len(urls)))
    # By the engine's clock: a check's deadline runs from when it starts, which can be a moment
    # after the batch's start when a thousand connections open at once (the outside figure).
    late = sum(
        result.elapsed_ms / 1000 - args.timeout > args.slack
        for results in got.values()
        for result, _ in results
    )

    print(f"\n{args.checks} checks at once, {args.timeout:g} s deadline, wall {wall:.1f} s")
    print(f"{'kind':<16}{'checks':>7}  expected              got")
    rows: list[tuple[str, object]] = [
        ("Checks started at once", args.checks),
        ("Checks that ended exactly once", ended_once),
    ]
    for kind in kinds:
        status, reason = EXPECTED[kind]
        expected = f"{status.value}/{reason.value}"
        count = sum(per_kind[kind].values())
        shown = ", ".join(f"{n} {r}" for r, n in per_kind[kind].most_common())
        print(f"{kind:<16}{count:>7}  {expected:<25}{shown} (last at {slowest[kind] / 1000:.1f} s)")
        for detail, n in details[kind].most_common(2):
            print(f"{'':<25}{n:>4} x {detail}")
        label = DESCRIBED[kind].format(drip=args.drip, bomb=args.bomb_mib)
        others = ", ".join(f"{n} `{r}`" for r, n in per_kind[kind].most_common() if r != expected)
        rows.append(
            (
                f"`{kind}` ({label}): `{expected}`",
                f"{per_kind[kind][expected]} of {count}" + (f" (else {others})" if others else ""),
            )
        )

    max_sent = max(stats["max_sent"].get(k, 0) for k in ("endless", "endless_chunked"))
    chains = sum(1 for url in urls if "/redirects/" in url)
    resets = sum(1 for url in urls if "/reset/" in url)
    per_chain = stats["requests"].get("redirects", 0) / max(1, chains)
    per_reset = stats["requests"].get("reset", 0) / max(1, resets)
    print(
        f"\nlargest overrun past the deadline: {engine_overrun:+.3f} s (engine's elapsed_ms), "
        f"{outside_overrun:+.3f} s (from the batch's start); ended past deadline + "
        f"{args.slack:g} s: {late}; largest event-loop lag {lag:.3f} s"
    )
    print(
        f"peak RSS {rss_peak:.0f} MiB (before the batch {rss_before:.0f} MiB); "
        f"CPU {cpu:.1f} s (the servers' {server_cpu:.1f} s); "
        f"load average after {os.getloadavg()[0]:.2f}"
    )
    print(
        f"most body bytes a server sent on one connection: {max_sent / 2**20:.1f} MiB; "
        f"requests per redirect chain {per_chain:.1f}, per reset check {per_reset:.1f}"
    )

    rows += [
        (
            f"Largest overrun past the {args.timeout:g} s deadline (engine)",
            f"{engine_overrun:+.3f} s",
        ),
        ("Largest overrun, from the batch's start", f"{outside_overrun:+.3f} s"),
        (f"Checks ended later than deadline + {args.slack:g} s", late),
        ("Largest event-loop lag (a timer's lateness)", f"{lag:.3f} s"),
        ("Wall time of the batch", f"{wall:.1f} s"),
        ("Peak RSS of the checking process", f"{rss_peak:.0f} MiB (before: {rss_before:.0f} MiB)"),
        ("CPU time of the checking process", f"{cpu:.1f} s"),
        ("CPU time of the hostile servers' process", f"{server_cpu:.1f} s"),
        ("Most body bytes a server sent on one connection", f"{max_sent / 2**20:.1f} MiB"),
        ("Requests per 100-hop redirect chain", f"{per_chain:.1f}"),
        ("Requests per reset check (2 retries)", f"{per_reset:.1f}"),
    ]
    goals = {
        "every check ended exactly once": ended_once == args.checks,
        "every kind ended with its reason": wrong == 0,
        f"none later than deadline + {args.slack:g} s": late == 0,
        f"peak RSS under {args.max_rss_mib:g} MiB": rss_peak < args.max_rss_mib,
    }
    for goal, met in goals.items():
        print(f"{'PASS' if met else 'FAIL'}  {goal}")
    passed = all(goals.values())
    if not args.no_write:
        path = write_result(
            "hostile",
            title="Hostile targets: 1,000 checks at once",
            summary=(
                f"{args.checks} checks of {len(KINDS)} kinds of hostile server at once through "
                f"the engine: {ended_once} ended exactly once, {wrong} with a reason other than "
                f"their kind's, the largest overrun past the {args.timeout:g} s deadline "
                f"{max(engine_overrun, outside_overrun):+.2f} s, peak RSS {rss_peak:.0f} MiB."
            ),
            rows=rows,
            invariants={
                "checks": args.checks,
                "ended_once": ended_once,
                "wrong_reason": wrong,
                "late": late,
                "max_overrun_ms": round(max(engine_overrun, outside_overrun) * 1000),
                "peak_rss_mib": round(rss_peak),
            },
            notes=[
                "Servers in their own process on 127.0.0.1; the engine with the deployed "
                f"settings (deep checks, connect 5 s, read 10 s, 2 retries), concurrency and "
                f"per-host limit {args.checks}. Overruns are measured two ways: the engine's "
                "elapsed_ms, and the time from the batch's start to each result.",
                "Body bytes sent are counted by the server: the checker reads at most 256 KiB "
                "(inflated, for the bombs); the rest is what loopback socket buffers took "
                "before the checker closed the connection.",
                f"Load average {load_before:.1f} before the run on {os.cpu_count()} cores; "
                "goals: " + ", ".join(f"{g}: {'PASS' if m else 'FAIL'}" for g, m in goals.items()),
                *args.note,
            ],
        )
        print(f"wrote {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
