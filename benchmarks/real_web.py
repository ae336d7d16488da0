"""Scheduling on a real-shaped link list: `linkcheck check` against lychee, many hosts, skewed.

    .venv/bin/python benchmarks/real_web.py [--urls 10000] [--hosts 500] [--seed 1]
        [--repeat 3] [--quick] [--skip-lychee] [--skip-linkcheck]

What it does:
1. generates a seeded workload: N URLs over H loopback hosts (127.1.x.y, one address per host)
   with Zipf-like popularity (10,000 over 500: the busiest hosts get 250-300 URLs, ~180 get
   one or two), log-normal latencies (median 80 ms, clipped to 10 ms - 2 s) and the status mix
   85% 200 / 10% 404 / 3% 301 (a trailing-slash redirect to a 200 on the same host, which waits
   the latency again) / 2% hanging (read, never answered), each encoded in the URL's path.
2. starts ``real_web_server.py`` (one uvloop process, one listening socket per address).
3. runs both tools with the same limits (concurrency 128, 4 per host, timeout 5 s, no retries,
   GET) as child processes, in interleaved rounds.
4. prints per tool: wall time, the lower bound and the share of it reached, CPU (the child's
   rusage), connections and requests the server saw, the share of requests on a reused
   connection, the most connections open at once to one host, the status counts against the
   mix; for linkcheck how long checks queued (``elapsed_ms`` minus the URL's latency); the
   server's own CPU; then PASS/FAIL per goal.

Before the runs it prints what three scheduling policies alone allow on the same list, in
simulated time with free CPU (``schedule_sim.py``): the lower bound is a bound, these say how
close a policy can get.

The lower bound: no tool can finish before its busiest host's work is done at 4 connections
(the sum of that host's latencies, hanging URLs at the timeout, / 4), nor before all work is
done at 128 checks in flight (the sum of all latencies / 128); the larger of the two.

Only loopback addresses are used. The exit code is 0 when every goal passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from engine_throughput import (
    BIN,
    busy_machine_warning,
    compile_linkcheck,
    free_port,
    run_child,
)
from engine_throughput import linkcheck_command as engine_linkcheck_command
from schedule_sim import POLICIES

# Goals (docs/engine.md, "Scheduling on a real-shaped list").
GOAL_WALL_RATIO = 0.92  # linkcheck wall time / lychee's
GOAL_REUSED_SHARE = 0.85  # requests on a connection that had already served one
GOAL_MAX_QUEUED_S = 2.0  # no check waits longer than this for its request to start

OK, BROKEN, REDIRECTED, TIMEOUT = "ok", "404", "ok via 301", "timeout"
KINDS = (OK, BROKEN, REDIRECTED, TIMEOUT)
PATH_OF = {OK: "200", BROKEN: "404", REDIRECTED: "301", TIMEOUT: "hang"}
MIX = ((BROKEN, 10), (REDIRECTED, 3), (TIMEOUT, 2))  # percent; the rest is OK

# Popularity: host of rank r (1-based) weighs 1 / (r + q)^s with q = ZIPF_OFFSET * hosts.
# Fitted so that 10,000 URLs over 500 hosts give the busiest hosts 250-300 URLs and ~180 hosts
# one or two, the shape of link lists taken from real pages.
ZIPF_EXPONENT = 2.9
ZIPF_OFFSET = 0.124
LATENCY_MEDIAN_MS = 80.0
LATENCY_SIGMA = 1.0  # of the log: mean ~130 ms, 1 in ~30 above 500 ms
LATENCY_MIN_MS, LATENCY_MAX_MS = 10, 2000


# -- the workload (pure) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    host: int  # index into the host addresses
    kind: str
    latency_ms: int  # per request; a 301 costs it twice (the redirect and its target)
    ident: int

    def path(self) -> str:
        latency = 0 if self.kind == TIMEOUT else self.latency_ms
        return f"/{PATH_OF[self.kind]}/{latency}/{self.ident}"

    def service_s(self, timeout_s: float) -> float:
        """The least time the link holds a connection: its answers' latencies, or the timeout."""
        if self.kind == TIMEOUT:
            return timeout_s
        return self.latency_ms * (2 if self.kind == REDIRECTED else 1) / 1000


def host_counts(urls: int, hosts: int) -> list[int]:
    """URLs per host, busiest first: every host one, the rest by Zipf-Mandelbrot weight."""
    offset = ZIPF_OFFSET * hosts
    weights = [1 / (rank + offset) ** ZIPF_EXPONENT for rank in range(1, hosts + 1)]
    total = sum(weights)
    shares = [(urls - hosts) * weight / total for weight in weights]
    counts = [1 + int(share) for share in shares]
    by_remainder = sorted(range(hosts), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_remainder[: urls - sum(counts)]:  # largest remainders round up
        counts[index] += 1
    return counts


def generate(urls: int, hosts: int, seed: int) -> list[Link]:
    """The seeded workload, in the order the tools read it (shuffled, as pages mix sites)."""
    rng = random.Random(seed)
    counts = host_counts(urls, hosts)
    ranks = list(range(hosts))
    rng.shuffle(ranks)  # which address is popular is random, not the lowest ones
    owners = [ranks[rank] for rank, count in enumerate(counts) for _ in range(count)]
    kinds = [kind for kind, percent in MIX for _ in range(urls * percent // 100)]
    kinds += [OK] * (urls - len(kinds))
    rng.shuffle(kinds)
    rng.shuffle(owners)
    links = []
    for ident, (host, kind) in enumerate(zip(owners, kinds, strict=True)):
        drawn = rng.lognormvariate(math.log(LATENCY_MEDIAN_MS), LATENCY_SIGMA)
        latency = int(min(max(drawn, LATENCY_MIN_MS), LATENCY_MAX_MS))
        links.append(Link(host, kind, latency, ident))
    return links


@dataclass(frozen=True)
class Bound:
    busiest_host_s: float  # the busiest host's work / per-host limit
    all_work_s: float  # all the work / concurrency
    busiest_urls: int

    @property
    def seconds(self) -> float:
        return max(self.busiest_host_s, self.all_work_s)


def lower_bound(links: list[Link], per_host: int, concurrency: int, timeout_s: float) -> Bound:
    work: dict[int, float] = {}
    urls: Counter[int] = Counter()
    for link in links:
        work[link.host] = work.get(link.host, 0.0) + link.service_s(timeout_s)
        urls[link.host] += 1
    busiest, busiest_work = max(work.items(), key=lambda item: item[1])
    return Bound(busiest_work / per_host, sum(work.values()) / concurrency, urls[busiest])


def addresses(hosts: int) -> list[str]:
    """127.1.0.1 .. : 127.0.0.0/8 routes to ``lo`` on Linux, so each host gets an address."""
    return [f"127.1.{index // 250}.{1 + index % 250}" for index in range(hosts)]


# -- the server -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    connections: int
    requests: int
    answered: int
    peak_per_host: int
    cpu_s: float

    def minus(self, before: Seen) -> Seen:
        return Seen(
            self.connections - before.connections,
            self.requests - before.requests,
            self.answered - before.answered,
            self.peak_per_host,  # since the previous stats call: this run's
            self.cpu_s - before.cpu_s,
        )


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    control_port: int

    def seen(self) -> Seen:
        connection = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=5)
        try:
            connection.request("GET", "/stats")
            data = json.loads(connection.getresponse().read())
        finally:
            connection.close()
        return Seen(
            int(data["connections"]),
            int(data["requests"]),
            int(data["answered"]),
            int(data["peak_per_host"]),
            float(data["cpu_s"]),
        )


@contextmanager
def web_server(
    hosts: list[str],
    port: int,
    workdir: Path,
    script: str = "real_web_server.py",
    extra: tuple[str, ...] = (),
) -> Iterator[Server]:
    """Run a server script of this folder (``extra``: its own arguments) until the block ends."""
    host_file = workdir / "hosts.txt"
    host_file.write_text("\n".join(hosts) + "\n")
    control_port = free_port(["127.0.0.1"])
    process = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name(script)),
            "--hosts-file",
            str(host_file),
            "--port",
            str(port),
            "--control-port",
            str(control_port),
            *extra,
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"{script} did not start")
        yield Server(process, control_port)
    finally:
        process.terminate()  # only the process this script started
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the tools and their output ---------------------------------------------------------------


@dataclass
class Run:
    tool: str
    wall_s: float
    cpu_s: float
    seen: Seen
    counts: Counter[str] = field(default_factory=Counter)
    queued_s: list[float] = field(default_factory=list)  # linkcheck: per answered check
    exit_code: int = 0
    note: str = ""

    @property
    def reused(self) -> float:
        return 1 - self.seen.connections / max(self.seen.requests, 1)


def linkcheck_command(url_file: Path, args: argparse.Namespace) -> list[str]:
    extra = ["--timeout", f"{args.timeout:g}", "--retries", "0"]
    extra.append("--get")  # said explicitly: deep checks, one GET per URL like lychee
    return engine_linkcheck_command(url_file, args.concurrency, args.per_host, extra)


def lychee_command(url_file: Path, args: argparse.Namespace) -> list[str]:
    return [
        str(BIN / "lychee"),
        *(["-v"] if args.lychee_durations else []),  # -v: every URL's duration in the JSON
        "--no-progress",
        "--format",
        "json",
        "--max-concurrency",
        str(args.concurrency),
        "--host-concurrency",
        str(args.per_host),
        "--host-request-interval",
        "0",  # its default 50 ms between requests to one host would be a limit of its own
        "--max-retries",
        "0",
        "--timeout",
        f"{max(1, round(args.timeout))}",
        "--accept",
        "200..=299",
        str(url_file),
    ]


Parse = Callable[[Path, dict[str, Link], float], tuple[Counter[str], list[float]]]


def read_linkcheck(
    output: Path, links: dict[str, Link], timeout_s: float
) -> tuple[Counter[str], list[float]]:
    """Status counts (a result unlike its link's kind counted apart) and queueing per check.

    A check's ``elapsed_ms`` runs from the moment it takes one of the ``concurrency`` slots;
    minus the link's own latencies it is the time it waited for a connection to its host (the
    loopback connect and the client's work are a few ms). Unknowable for hanging links.
    """
    counts: Counter[str] = Counter()
    queued: list[float] = []
    for line in output.read_text().splitlines():
        if not line.startswith("{"):
            continue
        result = json.loads(line)
        link = links[result["url"]]
        status, hops = result.get("status"), [hop["status"] for hop in result["redirects"]]
        got = {
            ("ok", "http_2xx", ()): OK,
            ("broken", "http_404", ()): BROKEN,
            ("ok", "http_2xx", (301,)): REDIRECTED,
            ("error", "timeout", ()): TIMEOUT,
        }.get((status, result.get("reason"), tuple(hops)))
        wrong = f"{link.kind} as {status}/{result['reason']}"
        counts[link.kind if got == link.kind else wrong] += 1
        if link.kind != TIMEOUT:
            queued.append(result["elapsed_ms"] / 1000 - link.service_s(timeout_s))
    return counts, queued


def read_lychee(
    output: Path, links: dict[str, Link], timeout_s: float
) -> tuple[Counter[str], list[float]]:
    """Status counts (errors and timeouts per URL, successes from the totals); with ``-v``
    (``--lychee-durations``) the per-URL durations too, read like linkcheck's ``elapsed_ms``."""
    report = json.loads(output.read_text())
    counts: Counter[str] = Counter()
    queued: list[float] = []
    redirected = int(report.get("redirects", 0))
    counts[OK] = int(report.get("successful", 0)) - redirected
    counts[REDIRECTED] = redirected
    # Without -v only errors carry a duration: a sample skewed to 404s, so none is kept.
    timed = any(report.get("success_map") or {})
    for name, got in (("success_map", None), ("error_map", BROKEN), ("timeout_map", TIMEOUT)):
        for entries in (report.get(name) or {}).values():
            for entry in entries:
                link = links[entry["url"]]
                if got is not None:
                    code = (entry.get("status") or {}).get("code")
                    same = link.kind == got and (got != BROKEN or code == 404)
                    counts[link.kind if same else f"{link.kind} as {name}:{code}"] += 1
                duration = entry.get("duration")
                if timed and duration and link.kind != TIMEOUT:
                    took = duration["secs"] + duration["nanos"] / 1e9
                    queued.append(took - link.service_s(timeout_s))
    for key in ("unknown", "unsupported", "excludes"):
        if report.get(key):
            counts[f"other: {key}"] += int(report[key])
    return +counts, queued


def measure(
    tool: str,
    command: list[str],
    output: Path,
    server: Server,
    parse: Parse,
    links: dict[str, Link],
    timeout_s: float,
) -> Run:
    before = server.seen()
    wall, cpu, code = run_child(command, output)
    seen = server.seen().minus(before)
    run = Run(tool, wall, cpu, seen, exit_code=code)
    try:
        run.counts, run.queued_s = parse(output, links, timeout_s)
    except (ValueError, KeyError) as exc:
        run.note = f"output not understood: {exc!r}"
    return run


# -- report -----------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def print_rounds(rounds: list[list[Run]], bound: Bound, expected: Counter[str]) -> None:
    header = (
        f"{'':<15}{'wall s':>7}{'bound':>7}{'CPU s':>7}{'conns':>7}{'reqs':>7}{'reused':>8}"
        f"{'peak/h':>7}{'srv CPU':>8}  " + "".join(f"{k:>11}" for k in KINDS) + "  other"
    )
    print(header)
    print("-" * len(header))
    for index, runs in enumerate(rounds, 1):
        for run in runs:
            other = sum(v for k, v in run.counts.items() if k not in KINDS)
            seen = run.seen
            print(
                f"{run.tool + f' #{index}':<15}{run.wall_s:>7.2f}"
                f"{bound.seconds / run.wall_s:>7.1%}{run.cpu_s:>7.2f}{seen.connections:>7}"
                f"{seen.requests:>7}{run.reused:>8.1%}{seen.peak_per_host:>7}"
                f"{seen.cpu_s / run.wall_s:>8.1%}  "
                + "".join(f"{run.counts[k]:>11}" for k in KINDS)
                + f"  {other}"
            )
            others = [f"{v} {k}" for k, v in sorted(run.counts.items()) if k not in KINDS]
            for text in ([run.note] if run.note else []) + ([", ".join(others)] if others else []):
                print(f"{'':<15}{text}")
    print(f"{'expected':<15}{'':>62}  " + "".join(f"{expected[k]:>11}" for k in KINDS))
    print(
        "(bound: the lower bound / wall time; CPU s: the tool's user+sys, start-up included; "
        "conns, reqs: TCP connections accepted and requests received by the server; reused: "
        "1 - conns/reqs; peak/h: most connections open at once to one host; srv CPU: the "
        "server's CPU over the wall time, one core = 100%)"
    )


def print_queueing(run: Run) -> None:
    queued = run.queued_s
    late = [q for q in queued if q > GOAL_MAX_QUEUED_S]
    wrong = sum(v for k, v in run.counts.items() if k not in KINDS)
    print(
        f"{run.tool} queueing (took - latency, {len(queued)} checks of answering links): "
        f"median {median(queued) * 1000:.0f} ms, p90 {percentile(queued, 0.9):.2f} s, "
        f"p99 {percentile(queued, 0.99):.2f} s, max {max(queued, default=0):.2f} s; "
        f"{len(late)} over {GOAL_MAX_QUEUED_S:g} s; {wrong} result(s) unlike the link"
    )


def print_simulation(links: list[Link], bound: Bound, args: argparse.Namespace) -> None:
    """What each scheduling policy alone allows on this list (free CPU, no network cost)."""
    jobs = [(link.host, link.service_s(args.timeout), link.kind == TIMEOUT) for link in links]
    print("simulated, CPU free (benchmarks/schedule_sim.py):")
    for name, policy in POLICIES.items():
        outcome = policy(jobs, args.concurrency, args.per_host, args.timeout)
        late = sum(1 for q in outcome.queued if q > GOAL_MAX_QUEUED_S)
        print(
            f"  {name:<14}{outcome.seconds:>7.2f} s  {bound.seconds / outcome.seconds:>6.1%} of "
            f"the bound  queued > {GOAL_MAX_QUEUED_S:g} s: {late:>4}, max "
            f"{max(outcome.queued, default=0):.2f} s  answering links unanswered: "
            f"{outcome.unanswered}"
        )


def best(runs: list[Run]) -> Run:
    """The fastest round stands for the tool (least disturbed by other load)."""
    return min(runs, key=lambda run: run.wall_s)


def verdicts(runs: dict[str, Run], expected: Counter[str]) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    for run in runs.values():
        found.append((f"{run.tool}: status counts match the mix", +run.counts == +expected))
    ours, theirs = runs.get("linkcheck"), runs.get("lychee")
    if ours and theirs:
        ratio = ours.wall_s / theirs.wall_s
        found.append(
            (
                f"linkcheck wall time at most {GOAL_WALL_RATIO:g}x lychee's ({ratio:.2f}x)",
                ratio <= GOAL_WALL_RATIO,
            )
        )
    if ours:
        found.append(
            (
                f"linkcheck: at least {GOAL_REUSED_SHARE:.0%} of requests on a reused "
                f"connection ({ours.reused:.1%})",
                ours.reused >= GOAL_REUSED_SHARE,
            )
        )
        late = sum(1 for q in ours.queued_s if q > GOAL_MAX_QUEUED_S)
        found.append(
            (
                f"linkcheck: no check queued over {GOAL_MAX_QUEUED_S:g} s ({late}, max "
                f"{max(ours.queued_s, default=0):.2f} s)",
                late == 0,
            )
        )
    return found


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="linkcheck check vs lychee on a seeded, real-shaped list over many hosts."
    )
    parser.add_argument("--urls", type=int, default=None, help="URLs (10000; --quick: 2000)")
    parser.add_argument("--hosts", type=int, default=None, help="hosts (500; --quick: 100)")
    parser.add_argument("--seed", type=int, default=1, help="workload seed (1)")
    parser.add_argument("--repeat", type=int, default=None, help="interleaved rounds (3; quick 1)")
    parser.add_argument("--quick", action="store_true", help="2000 URLs over 100 hosts, 1 round")
    parser.add_argument("--concurrency", type=int, default=128, help="checks in flight (128)")
    parser.add_argument("--per-host", type=int, default=4, help="connections per host (4)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per check (5)")
    parser.add_argument("--skip-lychee", action="store_true", help="run linkcheck only")
    parser.add_argument("--skip-linkcheck", action="store_true", help="run lychee only")
    parser.add_argument(
        "--lychee-durations",
        action="store_true",
        help="run lychee with -v, which adds every URL's duration to its JSON: its queueing "
        "is then printed too (its clock may start after it got a host slot)",
    )
    args = parser.parse_args(argv)
    args.urls = args.urls or (2000 if args.quick else 10000)
    args.hosts = args.hosts or (100 if args.quick else 500)
    args.repeat = args.repeat or (1 if args.quick else 3)
    if not 1 <= args.hosts <= 60000 or args.urls < max(args.hosts, 100):
        parser.error("need 1 <= --hosts <= 60000 and --urls >= max(--hosts, 100)")
    if args.concurrency < 1 or args.per_host < 1 or args.timeout < 1 or args.repeat < 1:
        parser.error("need --concurrency, --per-host, --repeat >= 1 and --timeout >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = busy_machine_warning()
    if not args.skip_linkcheck:
        compile_linkcheck()
    workload = generate(args.urls, args.hosts, args.seed)
    hosts = addresses(args.hosts)
    port = free_port(hosts)
    urls = {f"http://{hosts[link.host]}:{port}{link.path()}": link for link in workload}
    expected = Counter(link.kind for link in workload)
    bound = lower_bound(workload, args.per_host, args.concurrency, args.timeout)
    per_host = sorted(Counter(link.host for link in workload).values(), reverse=True)
    print(
        f"{args.urls} URLs over {args.hosts} hosts (seed {args.seed}): busiest hosts "
        f"{', '.join(map(str, per_host[:5]))} URLs, {sum(1 for c in per_host if c <= 2)} hosts "
        f"with 1-2; latency median {median([link.latency_ms for link in workload]):.0f} ms; "
        f"concurrency {args.concurrency}, {args.per_host} per host, timeout {args.timeout:g} s"
    )
    print(
        f"lower bound {bound.seconds:.2f} s: busiest host's work / {args.per_host} = "
        f"{bound.busiest_host_s:.2f} s ({bound.busiest_urls} URLs), all work / "
        f"{args.concurrency} = {bound.all_work_s:.2f} s"
    )
    print_simulation(workload, bound, args)
    tools: list[tuple[str, Callable[[Path, argparse.Namespace], list[str]], Parse]] = []
    if not args.skip_linkcheck:
        tools.append(("linkcheck", linkcheck_command, read_linkcheck))
    if not args.skip_lychee:
        tools.append(("lychee", lychee_command, read_lychee))
    if not tools:  # --skip-lychee --skip-linkcheck: the workload and the simulation only
        return 0
    rounds: list[list[Run]] = []
    with tempfile.TemporaryDirectory(prefix="linkcheck-realweb-") as tmp:
        work = Path(tmp)
        url_file = work / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n")
        with web_server(hosts, port, work) as server:
            for index in range(args.repeat):  # interleaved, so background noise hits both
                print(f"round {index + 1}/{args.repeat}: ", end="", flush=True)
                rounds.append([])
                for tool, command, parse in tools:
                    output = work / f"{tool}.out"
                    run = measure(
                        tool, command(url_file, args), output, server, parse, urls, args.timeout
                    )
                    print(f"{tool} {run.wall_s:.2f} s  ", end="", flush=True)
                    rounds[-1].append(run)
                print()
    print()
    print_rounds(rounds, bound, expected)
    chosen = {runs[0].tool: best(list(runs)) for runs in zip(*rounds, strict=True)}
    print()
    for run in chosen.values():
        if run.queued_s:
            print_queueing(run)
    ours, theirs = chosen.get("linkcheck"), chosen.get("lychee")
    if ours and theirs:
        print(
            f"best rounds: linkcheck {ours.wall_s:.2f} s ({bound.seconds / ours.wall_s:.1%} of "
            f"the bound), lychee {theirs.wall_s:.2f} s ({bound.seconds / theirs.wall_s:.1%}); "
            f"wall {ours.wall_s / theirs.wall_s:.2f}x, CPU {ours.cpu_s / theirs.cpu_s:.2f}x"
        )
    print()
    found = verdicts(chosen, expected)
    for text, passed in found:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    warning = load_before or busy_machine_warning()
    if warning:
        print(f"\n{warning}")
    return 0 if all(passed for _, passed in found) else 1


if __name__ == "__main__":
    sys.exit(main())
