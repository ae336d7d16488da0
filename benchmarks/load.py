"""Many API clients on ``linkcheck dev`` while sweeps run: rate, latency, errors, consistency.

Run: ``.venv/bin/python benchmarks/load.py [--clients 16] [--duration 60] [--links 300]``.

The stack runs in a process of its own (``dev_concurrency.py``'s ``--serve``: process
environments, private networks allowed, the per-key rate limit off) with its pumps and a sweep
every ``--sweep-every`` seconds (3). ``--links`` links (300) are registered first, each
re-checked every ``--interval`` seconds (15), pointing at a local server on 127.0.0.1 whose
pages answer 200; from a fifth of the run to its end a tenth of them answer 404 (200 again
while the stack settles), so sweeps confirm transitions (``link.broken`` while the clients run,
then ``link.recovered``). ``--clients`` clients (16), each in a closed loop, send in equal parts
``GET /check`` of a local page, ``POST /links`` of a new URL, ``GET /links`` (first page),
``GET /links/{id}`` and ``GET /events`` (first page).

Reported: requests/s, p50 and p99 per route, 4xx and 5xx (goal: no 5xx, no failed request).
Then, after ``--settle`` seconds (sweeps keep running, the clients stopped), the data:

- every link created with 201 is listed exactly once and reads back with its URL, and the
  listing's total is the registered links plus the created ones; the totals per
  ``status`` filter add up to it;
- events: unique ids; each link's events, oldest first, form a chain (each ``previous`` is the
  state the one before left, the type matches its ``state``, the last ``state`` is the link's
  status now); no event on a link whose target never changed; the flipped links' events.

Writes ``benchmarks/results/load.json`` (``--no-write``: print only). Exit 1 when a goal is
missed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

import httpx

from dev_concurrency import KEY, _Page, page, stack_process, tree_cpu
from result_file import write_result

ROUTES = ("GET /check", "POST /links", "GET /links", "GET /links/{id}", "GET /events")
STATE_OF_EVENT = {
    "link.broken": "broken",
    "link.restricted": "restricted",
    "link.down": "down",
    "link.recovered": "ok",
}
STATUSES = ("unchecked", "ok", "broken", "restricted", "down")


# ------------------------------------------------------------------------- targets


class _Targets(_Page):
    """``/t/<n>``: 200, or 404 while ``n`` is in the server's ``broken`` set."""

    server: _TargetServer

    def do_GET(self) -> None:
        number = self.path.rsplit("/", 1)[-1]
        status = 404 if number in self.server.broken else 200
        body = b"<html><body><h1>page %s</h1><p>content</p></body></html>" % number.encode()
        if status == 404:
            body = b"<html><body><h1>Not found</h1></body></html>"
        self.send_response(status)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except BrokenPipeError:
                self.close_connection = True

    do_HEAD = do_GET


class _TargetServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    broken: frozenset[str] = frozenset()


@contextmanager
def targets() -> Iterator[_TargetServer]:
    server = _TargetServer(("127.0.0.1", 0), _Targets)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------------- the load


@dataclass
class Record:
    """What the clients saw: latencies and statuses per route, and what they created."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    failures: Counter[str] = field(default_factory=Counter)  # no HTTP answer at all
    created: dict[str, str] = field(default_factory=dict)  # id -> url (201)
    uncertain: list[str] = field(default_factory=list)  # POST /links without a clear answer
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(
    base_url: str,
    check_url: str,
    make_url: Any,
    ids: list[str],
    seed: int,
    stop_at: float,
    record: Record,
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60, trust_env=False) as c:
        step = 0
        while time.monotonic() < stop_at:
            route = ROUTES[(seed + step) % len(ROUTES)]
            url = make_url(seed, step)
            step += 1
            began = time.monotonic()
            try:
                if route == "GET /check":
                    response = c.get("/check", params={"url": check_url})
                elif route == "POST /links":
                    response = c.post("/links", json={"url": url})
                elif route == "GET /links":
                    response = c.get("/links", params={"limit": 50})
                elif route == "GET /links/{id}":
                    response = c.get(f"/links/{rng.choice(ids)}")
                else:
                    response = c.get("/events", params={"limit": 50})
            except httpx.HTTPError as exc:
                with record.lock:
                    record.failures[f"{route}: {type(exc).__name__}"] += 1
                    if route == "POST /links":
                        record.uncertain.append(url)
                continue
            elapsed = time.monotonic() - began
            with record.lock:
                record.latencies[route].append(elapsed)
                record.statuses[route][response.status_code] += 1
                if route == "POST /links" and response.status_code == 201:
                    record.created[response.json()["id"]] = url
                elif route == "POST /links" and response.status_code >= 500:
                    record.uncertain.append(url)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


# ------------------------------------------------------------------------- reading back


def read_all(c: httpx.Client, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated listing (bounded: 1,000 pages)."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        query = {"limit": 100, **params, **({"cursor": cursor} if cursor else {})}
        response = c.get(path, params=query)
        response.raise_for_status()
        body = response.json()
        items += body[key]
        cursor = body["cursor"]
        if not cursor:
            return items
    raise RuntimeError(f"{path}: more than 1,000 pages")


def event_problems(
    events: list[dict[str, Any]], status_of: dict[str, str]
) -> tuple[list[str], dict[str, list[dict[str, Any]]]]:
    """Broken chains, duplicate ids and events of unknown links; the events per link."""
    problems: list[str] = []
    ids = Counter(event["id"] for event in events)
    problems += [f"event id {i} listed {n} times" for i, n in ids.items() if n > 1]
    by_link: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        if event["type"] in STATE_OF_EVENT:
            by_link[event["link_id"]].append(event)
    for link_id, chain in by_link.items():
        chain.sort(key=lambda event: event["id"])  # ids are time-ordered
        if link_id not in status_of:
            problems.append(f"{len(chain)} events of a link that is not listed: {link_id}")
            continue
        before = chain[0]["previous"]
        if before not in ("unchecked", "ok"):
            problems.append(f"{link_id}: the first event starts from {before}")
        for event in chain:
            if event["previous"] != before:
                problems.append(
                    f"{link_id}: {event['id']} follows {before}, says {event['previous']}"
                )
            if STATE_OF_EVENT[event["type"]] != event["state"]:
                problems.append(f"{link_id}: {event['type']} with state {event['state']}")
            before = event["state"]
        if before != status_of[link_id]:
            problems.append(f"{link_id}: last event says {before}, the link {status_of[link_id]}")
    return problems, by_link


def read_back(base_url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """Links, events and per-status totals, read again until one reading is still: the events
    unchanged from before to after, and the per-status totals those of the listing (sweeps
    still run; a first check turns an ``unchecked`` link ``ok`` between two requests)."""
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60, trust_env=False) as c:
        for _ in range(10):
            events = read_all(c, "/events", "events")
            links = read_all(c, "/links", "links")
            totals = {s: len(read_all(c, "/links", "links", status=s)) for s in STATUSES}
            listed = Counter(link["status"] for link in links)
            still = all(totals[s] == listed.get(s, 0) for s in STATUSES)
            if still and read_all(c, "/events", "events") == events:
                return links, events, totals
            time.sleep(5)
    raise RuntimeError("the links or events kept changing while they were read")


# ------------------------------------------------------------------------- report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--links", type=int, default=300, help="links registered for sweeps")
    parser.add_argument("--interval", type=int, default=15, help="their interval, seconds")
    parser.add_argument("--sweep-every", type=float, default=3.0)
    parser.add_argument("--confirm-delay", type=int, default=2)
    parser.add_argument("--flip", type=float, default=0.1, help="share of links that turn 404")
    parser.add_argument("--settle", type=float, default=45.0, help="seconds before reading back")
    parser.add_argument("--note", action="append", default=[], help="a note for the result file")
    parser.add_argument("--no-write", action="store_true", help="do not write the result file")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    print(f"load average before: {load_before:.2f} ({os.cpu_count()} cores)")
    record = Record()
    with (
        targets() as target,
        page(0.0) as check_url,
        stack_process("process", args.sweep_every, args.confirm_delay) as (base_url, pid),
    ):
        origin = f"http://127.0.0.1:{target.server_address[1]}"
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=120, trust_env=False) as c:
            items = [
                {"url": f"{origin}/t/{n}", "interval_seconds": args.interval}
                for n in range(args.links)
            ]
            answer = c.post("/links/batch", json={"links": items})
            answer.raise_for_status()
            registered = {r["link"]["id"]: r["link"]["url"] for r in answer.json()["results"]}
        flipped = {str(n) for n in range(0, args.links, round(1 / args.flip))}
        flipped_ids = {i for i, url in registered.items() if url.rsplit("/", 1)[-1] in flipped}
        ids = list(registered)
        print(
            f"{len(registered)} links registered, every {args.interval} s; "
            f"{len(flipped)} answer 404 from {args.duration * 0.2:.0f} s to the end of the load"
        )

        cpu_before = tree_cpu(pid)
        started = time.monotonic()
        stop_at = started + args.duration

        def make_url(seed: int, step: int) -> str:
            return f"{check_url}?client={seed}&step={step}"

        threads = [
            threading.Thread(
                target=client,
                args=(base_url, check_url, make_url, ids, seed, stop_at, record),
                daemon=True,
            )
            for seed in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.duration * 0.2)
        target.broken = frozenset(flipped)
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        cpu_after = tree_cpu(pid)
        target.broken = frozenset()  # they recover while the stack settles
        print(f"load done in {wall:.1f} s; settling {args.settle:g} s")
        time.sleep(args.settle)
        links, events, totals = read_back(base_url)

    # -- requests
    total = sum(len(v) for v in record.latencies.values())
    server_errors = sum(n for s in record.statuses.values() for st, n in s.items() if st >= 500)
    failures = sum(record.failures.values())
    rate = total / wall
    print(
        f"\n{args.clients} clients, {wall:.0f} s: {total} requests, {rate:.1f} requests/s, "
        f"{server_errors} 5xx, {failures} without an answer"
    )
    print(f"{'route':<18}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}  statuses")
    rows: list[tuple[str, object]] = [
        ("Concurrent API clients (closed loop)", args.clients),
        (
            "Links swept",
            f"{args.links}, each every {args.interval} s, a sweep every "
            f"{args.sweep_every:g} s; {len(flipped)} answer 404 from 20% of the run to its end",
        ),
        ("Requests", f"{total} in {wall:.0f} s: {rate:.1f} requests/s"),
    ]
    for route in ROUTES:
        values = record.latencies[route]
        shown = ", ".join(f"{n}x {s}" for s, n in sorted(record.statuses[route].items()))
        p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
        print(
            f"{route:<18}{len(values):>9}{len(values) / wall:>8.1f}{p50:>8.0f}{p99:>8.0f}  {shown}"
        )
        rows.append(
            (f"`{route}`", f"{len(values)} requests, p50 {p50:.0f} ms, p99 {p99:.0f} ms ({shown})")
        )
    error_rate = (server_errors + failures) / max(1, total + failures)
    rows += [
        ("5xx answers", server_errors),
        ("Requests without an answer", failures),
        ("Error rate", f"{error_rate:.2%}"),
    ]
    for what, n in record.failures.items():
        print(f"  no answer: {n}x {what}")
    stack_cpu = (cpu_after[0] - cpu_before[0]) + (cpu_after[1] - cpu_before[1])
    print(f"stack CPU during the load: {stack_cpu:.1f} s ({stack_cpu / wall:.2f} cores)")

    # -- links
    listed = Counter(link["id"] for link in links)
    url_of = {link["id"]: link["url"] for link in links}
    lost = [i for i in record.created if i not in listed]
    duplicates = [i for i, n in listed.items() if n > 1]
    wrong_url = [i for i, url in record.created.items() if i in url_of and url_of[i] != url]
    expected_total = len(registered) + len(record.created)
    listing_total = len(links)
    # A POST that got no clear answer may or may not have created its link: counted apart.
    extra = listing_total - expected_total
    status_sum = sum(totals.values())
    print(
        f"\nlinks: {listing_total} listed, expected {expected_total} "
        f"({len(registered)} registered + {len(record.created)} created); "
        f"{len(record.uncertain)} creations without a clear answer; lost {len(lost)}, "
        f"listed twice {len(duplicates)}, wrong URL {len(wrong_url)}; "
        f"per-status totals {totals} sum to {status_sum}"
    )

    # -- events
    status_of = {link["id"]: link["status"] for link in links}
    problems, by_link = event_problems(events, status_of)
    invented = [i for i in by_link if i not in flipped_ids]
    types = Counter(event["type"] for event in events)
    broken_seen = sum(
        1 for i in flipped_ids if any(e["type"] == "link.broken" for e in by_link.get(i, []))
    )
    back_ok = sum(1 for i in flipped_ids if status_of.get(i) == "ok")
    checks = sum(link.get("checks", 0) for link in links)
    print(
        f"events: {len(events)} ({dict(types)}); chain problems {len(problems)}; events on "
        f"links that never changed {len(invented)}; flipped links with link.broken "
        f"{broken_seen} of {len(flipped_ids)}, ok at the end {back_ok}; checks recorded {checks}"
    )
    for problem in problems[:10]:
        print(f"  {problem}")

    rows += [
        (
            "Links created with 201, listed exactly once",
            f"{len(record.created) - len(lost) - len(duplicates)} of {len(record.created)}",
        ),
        (
            "Listing total",
            f"{listing_total} (expected {expected_total}: {len(registered)} registered "
            f"+ {len(record.created)} created)",
        ),
        (
            "Per-status totals add up to the listing",
            f"{status_sum} = " + " + ".join(f"{n} {s}" for s, n in totals.items()),
        ),
        ("Checks recorded by sweeps (links' `checks`)", checks),
        ("Events", f"{len(events)}: " + ", ".join(f"{n} {t}" for t, n in sorted(types.items()))),
        ("Event chains broken (previous/state/last state vs link)", len(problems)),
        ("Events on links whose target never changed", len(invented)),
        ("Flipped links with a confirmed `link.broken`", f"{broken_seen} of {len(flipped_ids)}"),
        ("Flipped links `ok` again at the end", f"{back_ok} of {len(flipped_ids)}"),
    ]
    goals = {
        "no 5xx": server_errors == 0,
        "every request answered": failures == 0,
        "every created link listed once, with its URL": not lost
        and not duplicates
        and not wrong_url,
        "listing total as expected": extra == 0 or 0 < extra <= len(record.uncertain),
        "per-status totals add up": status_sum == listing_total,
        "event chains consistent": not problems,
        "no event on an unchanged link": not invented,
    }
    for goal, met in goals.items():
        print(f"{'PASS' if met else 'FAIL'}  {goal}")
    if not args.no_write:
        path = write_result(
            "load",
            title="API load on the local stack while sweeps run",
            summary=(
                f"{args.clients} clients on /check, /links and /events for {wall:.0f} s against "
                f"linkcheck dev while it swept {args.links} links: {rate:.1f} requests/s, "
                f"{server_errors} 5xx, {len(lost)} created links lost, {len(duplicates)} listed "
                f"twice, {len(problems)} inconsistent event chains."
            ),
            rows=rows,
            invariants={
                "requests": total,
                "server_errors": server_errors,
                "unanswered": failures,
                "lost": len(lost),
                "duplicates_with_different_ids": 0,  # ids are deterministic per URL
                "listed_twice": len(duplicates),
                "event_chain_problems": len(problems),
                "invented": len(invented),
            },
            notes=[
                "The stack in a process of its own with process environments (up to 20 per "
                "function), the rate limit off; targets on 127.0.0.1. Read back after "
                f"{args.settle:g} s with the clients stopped and sweeps still running.",
                f"Load average {load_before:.1f} before the run on {os.cpu_count()} cores; stack "
                f"CPU during the load {stack_cpu:.0f} s ({stack_cpu / wall:.2f} cores). goals: "
                + ", ".join(f"{g}: {'PASS' if m else 'FAIL'}" for g, m in goals.items()),
                *args.note,
            ],
        )
        print(f"wrote {path}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
