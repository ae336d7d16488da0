"""Sweep + worker at scale on the moto-backed store: throughput, AWS calls per link, cost.

Seeds N links (default 10,000; ``--links``) spread over several local hosts (127.0.0.2..; each
request held by an asyncio sleep), already checked once and ``ok`` (the steady state: this
measures the steady path, not first checks). Then one sweep enqueues them and worker
invocations (10 messages of 50 links each, ``--parallel`` at once, as SQS's event source
would) check them all. Printed at the end:

- links/s end to end (moto is the bottleneck here, not the design: it runs DynamoDB requests
  one at a time, ~5-10 ms each, in its own process);
- DynamoDB and SQS requests per checked link, counted with botocore hooks (the event source's
  receive/delete calls are counted too, as AWS bills them);
- DynamoDB write/read request units from the real item sizes (moto's ConsumedCapacity is a
  constant, so sizes are computed with DynamoDB's sizing rules);
- Lambda GB-seconds billed as AWS would: each invocation's wall time, minus the time spent
  inside AWS calls to moto, plus a modelled in-region latency per call (``AWS_LATENCY``),
  times the function's MemorySize read from template.yaml;
- the projected cost per million checks, broken down, with PASS/FAIL against the goals;
- the worker's peak memory (max RSS of one 500-link invocation in a fresh process).

Prices are assumptions (``PRICES``): us-east-1 list prices, arm64, DynamoDB on-demand after the
November 2024 price cut. Run: ``.venv/bin/python benchmarks/sweep_scale.py [--links 10000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))
from loopback_hosts import serve_on_hosts

# Assumed prices, US$ (us-east-1 list prices; check before relying on them).
PRICES = {
    "dynamodb_wru": 0.625 / 1e6,  # on-demand write request unit (1 KB), since Nov 2024
    "dynamodb_rru": 0.125 / 1e6,  # on-demand read request unit (4 KB strong, 8 KB eventual)
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB chunk of a request
    "lambda_gb_second": 0.0000133334,  # arm64 duration
    "lambda_request": 0.20 / 1e6,
    "log_gb": 0.50,  # CloudWatch Logs ingestion
}
LOG_BYTES_PER_INVOCATION = 2_000  # START/END/REPORT lines plus the summary line (assumed)

# Modelled latency of one call from a Lambda function to the service in the same region
# (p50, seconds; assumptions, not measurements).
AWS_LATENCY = {
    "dynamodb.UpdateItem": 0.005,
    "dynamodb.PutItem": 0.005,
    "dynamodb.GetItem": 0.004,
    "dynamodb.TransactWriteItems": 0.010,
    "dynamodb.BatchGetItem": 0.010,  # 100 keys
    "dynamodb.BatchWriteItem": 0.010,  # 25 items
    "dynamodb.Query": 0.010,
    "sqs.SendMessageBatch": 0.010,
}
DEFAULT_LATENCY = 0.010
# Made by the SQS event source, outside the function: requests billed, no Lambda time.
EVENT_SOURCE_CALLS = {"sqs.ReceiveMessage", "sqs.DeleteMessageBatch"}

FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at this MemorySize, proportionally less below

GOAL_DYNAMODB_REQUESTS = 2.0  # per checked link, steady path
GOAL_SQS_REQUESTS = 0.2
GOAL_COST_PER_MILLION = 1.0  # US$, all-in


# --------------------------------------------------------------------- DynamoDB item sizes
def attribute_bytes(value: dict[str, Any]) -> int:
    """Size of one attribute value by DynamoDB's rules (low-level JSON form)."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "B":
        return len(data) if isinstance(data, bytes) else len(data) * 3 // 4
    if kind == "N":
        digits = len(data.lstrip("-").replace(".", "").strip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_bytes(v) for k, v in data.items())
    if kind == "L":
        return 3 + sum(1 + attribute_bytes(v) for v in data)
    if kind == "SS":
        return sum(len(s.encode()) for s in data)
    if kind == "NS":
        return sum(attribute_bytes({"N": n}) for n in data)
    return sum(len(b) for b in data)  # BS


def item_bytes(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_bytes(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return units if consistent else units / 2


# --------------------------------------------------------------------- accounting
_thread = threading.local()  # .invocation: the Invocation a thread works for; .pooled


@dataclass
class Invocation:
    """One Lambda invocation as billed: wall time without moto's time, plus modelled AWS time."""

    function: str
    memory_mb: int
    wall: float = 0.0
    aws_intervals: list[tuple[float, float]] = field(default_factory=list)
    modelled_aws: float = 0.0

    def aws_seconds(self) -> float:
        """Wall time with at least one AWS call in flight (union of the call intervals)."""
        total, end = 0.0, -math.inf
        for t0, t1 in sorted(self.aws_intervals):
            if t1 > end:
                total += t1 - max(t0, end)
                end = t1
        return total

    def billed_seconds(self) -> float:
        return max(0.0, self.wall - self.aws_seconds()) + self.modelled_aws

    def gb_seconds(self) -> float:
        return self.billed_seconds() * self.memory_mb / 1024


class TaggedPool(ThreadPoolExecutor):
    """The worker's write pool, its threads tagged with the invocation that made the pool."""

    def __init__(self, max_workers: int | None = None, **kwargs: Any) -> None:
        owner = getattr(_thread, "invocation", None)
        super().__init__(max_workers, initializer=_tag, initargs=(owner,), **kwargs)


def _tag(owner: Invocation | None) -> None:
    _thread.invocation = owner
    _thread.pooled = True


@dataclass
class Ledger:
    """AWS requests, request units and call times, from botocore event hooks."""

    pool_width: int  # calls made from the write pool overlap this many at a time
    requests: Counter[str] = field(default_factory=Counter)
    wru: float = 0.0
    rru: float = 0.0
    updated_keys: Counter[tuple[str, str]] = field(default_factory=Counter)
    invocations: list[Invocation] = field(default_factory=list)
    measuring: bool = False
    cpu: float = 0.0  # CPU seconds of this process (not moto's) while measuring
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-parameter-build.*.*", self._params)
        events.register("before-call.*.*", self._before)
        events.register("after-call.*.*", self._after)

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        """Write units from the request: puts are sized now, updates once the run is over."""
        if not self.measuring or model.service_model.service_name != "dynamodb":
            return
        name = model.name
        units = 0.0
        if name == "PutItem":
            units = write_units(item_bytes(params["Item"]))
        elif name == "BatchWriteItem":
            units = sum(
                write_units(item_bytes(r["PutRequest"]["Item"])) if "PutRequest" in r else 1
                for requests in params["RequestItems"].values()
                for r in requests
            )
        elif name == "TransactWriteItems":  # transactions cost two units per KB
            for entry in params["TransactItems"]:
                if "Put" in entry:
                    units += 2 * write_units(item_bytes(entry["Put"]["Item"]))
                elif "Update" in entry:
                    self._updated(entry["Update"]["Key"], weight=2)
        elif name in ("UpdateItem", "DeleteItem"):
            self._updated(params["Key"], weight=1)
        with self._lock:
            self.wru += units

    def _updated(self, key: dict[str, Any], *, weight: int) -> None:
        with self._lock:
            self.updated_keys[(key["pk"]["S"], key["sk"]["S"])] += weight

    def _before(self, model: Any, **_: Any) -> None:
        _thread.started = time.perf_counter()

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        ended = time.perf_counter()
        if not self.measuring:
            return
        name = f"{model.service_model.service_name}.{model.name}"
        units = 0.0
        if name == "dynamodb.BatchGetItem":  # the worker reads consistently
            units = sum(
                read_units(item_bytes(item), consistent=True)
                for items in parsed.get("Responses", {}).values()
                for item in items
            )
        elif name == "dynamodb.GetItem":
            units = read_units(item_bytes(parsed.get("Item", {})), consistent=True)
        elif name == "dynamodb.Query":  # the due index: eventually consistent
            units = read_units(
                sum(item_bytes(item) for item in parsed.get("Items", [])), consistent=False
            )
        owner: Invocation | None = getattr(_thread, "invocation", None)
        with self._lock:
            self.requests[name] += 1
            self.rru += units
            if owner is not None and name not in EVENT_SOURCE_CALLS:
                owner.aws_intervals.append((getattr(_thread, "started", ended), ended))
                latency = AWS_LATENCY.get(name, DEFAULT_LATENCY)
                pooled = getattr(_thread, "pooled", False)
                owner.modelled_aws += latency / self.pool_width if pooled else latency

    def total(self, service: str) -> int:
        return sum(n for name, n in self.requests.items() if name.startswith(service + "."))


def run_as(ledger: Ledger, invocation: Invocation, work: Any, *args: Any) -> Any:
    """Run ``work`` as one billed invocation in this thread."""
    _thread.invocation = invocation
    _thread.pooled = False
    started = time.perf_counter()
    try:
        return work(*args)
    finally:
        invocation.wall = time.perf_counter() - started
        _thread.invocation = None
        with ledger._lock:
            ledger.invocations.append(invocation)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------- local services
def start_targets(hosts: list[str], latency: float) -> int:
    """A tiny HTTP/1.1 server on every host (same port), each answer after ``latency``."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(latency)
                method = head.split(b" ", 1)[0]
                body = b"" if method == b"HEAD" else b"ok\n"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            writer.close()

    return serve_on_hosts(answer, hosts)


def serve_moto() -> int:
    """Child process: the moto server (with its DynamoDB lock) until stdin closes."""
    from linkcheck.local.moto_server import start_moto_server

    server = start_moto_server()
    print(server.endpoint, flush=True)
    sys.stdin.read()
    server.stop()
    return 0


def start_moto_process() -> tuple[subprocess.Popen[str], str]:
    """moto in its own process: its CPU is not billed as ours and it gets its own core."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-moto"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    return child, child.stdout.readline().strip()


def worker_peak_rss() -> int:
    """Child process: one worker invocation of up to 10 queued messages; prints peak RSS (MB)."""
    from linkcheck import aws
    from linkcheck.handlers import worker
    from linkcheck.settings import get_settings

    url = get_settings().checks_queue_url
    records: list[dict[str, Any]] = []
    for _ in range(20):  # bounded: gather the 10 messages the parent just sent
        got = aws.sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10 - len(records))
        records += [
            {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"]}
            for m in got.get("Messages", [])
        ]
        if len(records) >= 10:
            break
    baseline = memory_mb("VmHWM")
    worker.handler({"Records": records}, None)
    peak = memory_mb("VmHWM")
    links = sum(len(json.loads(r["body"])["links"]) for r in records)
    print(json.dumps({"baseline_mb": baseline, "peak_mb": peak, "links": links}), flush=True)
    return 0


def memory_mb(field: str) -> int:
    """A memory figure of this process from /proc (Linux, like Lambda). Not ru_maxrss: that
    one survives exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def function_memory(template: dict[str, Any], name: str) -> int:
    """MemorySize of a function in template.yaml (its own, else the Globals one)."""
    own = template["Resources"][name]["Properties"].get("MemorySize")
    return int(own or template["Globals"]["Function"]["MemorySize"])


# --------------------------------------------------------------------- the run
def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=8, help="127.0.0.2 .. 127.0.0.(1+hosts)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--parallel", type=int, default=4, help="worker invocations at once")
    parser.add_argument("--serve-moto", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-rss", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_moto:
        return serve_moto()
    if args.worker_rss:
        return worker_peak_rss()

    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "LINKCHECK_ALLOW_PRIVATE_NETWORKS": "1",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "1",
            "POWERTOOLS_TRACE_DISABLED": "1",
        }
    )
    moto, endpoint = start_moto_process()
    try:
        return run(args, endpoint)
    finally:
        assert moto.stdin is not None
        moto.stdin.close()
        try:
            moto.wait(10)
        except subprocess.TimeoutExpired:
            moto.kill()


def run(args: argparse.Namespace, endpoint: str) -> int:
    from linkcheck import aws
    from linkcheck.domain import schedule
    from linkcheck.domain.transitions import LinkState, Tracking
    from linkcheck.engine import Checker
    from linkcheck.handlers import worker
    from linkcheck.handlers.check_options import check_options
    from linkcheck.local.resources import create_resources, load_template
    from linkcheck.settings import get_settings
    from linkcheck.store import ResultStore, SweepState
    from linkcheck.store.links import Link, iso, link_id_for, trimmed
    from linkcheck.store.sweep_state import SWEEP_PK
    from linkcheck.sweeps import process
    from linkcheck.sweeps.enqueue import run_sweep
    from linkcheck.sweeps.messages import LinkRef
    from linkcheck.sweeps.queue import CheckQueue

    os.environ["AWS_ENDPOINT_URL"] = endpoint
    template = load_template()
    os.environ.update(create_resources(template).env(template))
    get_settings.cache_clear()
    aws.reset_clients()
    settings = get_settings()
    worker_mb = function_memory(template, "WorkerFunction")
    sweep_mb = function_memory(template, "SweepFunction")

    hosts = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
    port = start_targets(hosts, args.latency_ms / 1000)
    urls = [f"http://{hosts[i % len(hosts)]}:{port}/page/{i}" for i in range(args.links)]

    # The steady state: every link checked once before and ok. One real check gives the shape
    # of the stored result (detail, timings), so item sizes are the real ones.
    async def one_check() -> Any:
        async with Checker(check_options()) as checker:
            return await checker.check(urls[0])

    sample = trimmed(asyncio.run(one_check()))
    now = int(time.time())
    interval = 86400
    seeded: dict[tuple[str, str], int] = {}
    items = []
    for i, url in enumerate(urls):
        link_id = link_id_for("bench", url)
        link = Link(
            tenant="bench",
            id=link_id,
            url=url,
            host=hosts[i % len(hosts)],
            interval=interval,
            phase=schedule.phase_for(link_id, interval, now - 400),
            tracking=Tracking(state=LinkState.OK),
            last_result={**sample, "url": url, "final_url": url},
            last_checked_at=sample["checked_at"],
            checks=1,
            created_at=iso(now - interval),
            updated_at=iso(now - interval),
            version=2,
        )
        item = link.to_item()
        seeded[(item["pk"]["S"], item["sk"]["S"])] = item_bytes(item)
        items.append(item)
    # The last sweep ended 10 minutes ago (two 5-minute windows are due now).
    items.append(
        {"pk": {"S": SWEEP_PK}, "sk": {"S": "STATE"}, "swept_until": {"N": str(now - 600)}}
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(ResultStore().put_many, chunks(items, 500)))
    sweep_state = SweepState()
    sweep_state.ensure_intervals({interval})
    print(
        f"seeded {args.links} checked links on {len(hosts)} hosts "
        f"({args.latency_ms:.0f} ms latency) in {time.perf_counter() - started:.1f} s"
    )

    ledger = Ledger(pool_width=process.WRITE_CONCURRENCY)
    process.ThreadPoolExecutor = TaggedPool  # type: ignore[attr-defined,assignment]  # tag pool calls
    for client in (aws.dynamodb(), aws.sqs()):
        ledger.attach(client)
    sqs = aws.sqs()

    receiving = threading.Lock()  # moto's SQS can hand one message to two concurrent receives

    def invoke() -> int:
        """One worker invocation, as the SQS event source makes it (10 messages at most)."""
        with receiving:
            got = sqs.receive_message(
                QueueUrl=settings.checks_queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600
            ).get("Messages", [])
        if not got:
            return 0
        records = [
            {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"]}
            for m in got
        ]
        answer = run_as(
            ledger, Invocation("worker", worker_mb), worker.handler, {"Records": records}, None
        )
        failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        done = [r for r in records if r["messageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=settings.checks_queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)
                ],
            )
        return len(records)

    def poller() -> None:
        """One concurrent execution environment: invoke until the queue stays empty."""
        empty = 0
        for _ in range(100_000):  # bounded
            empty = 0 if invoke() else empty + 1
            if empty >= 2:
                return

    ledger.measuring = True
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    report = run_as(
        ledger,
        Invocation("sweep", sweep_mb),
        lambda: run_sweep(sweep_state, CheckQueue(), now=now),
    )
    sweep_seconds = time.perf_counter() - started
    print(
        f"sweep: {report.links} links in {report.messages} messages, "
        f"{report.queries} index queries, {sweep_seconds:.1f} s"
    )
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        list(pool.map(lambda _: poller(), range(args.parallel)))
    elapsed = time.perf_counter() - started
    ledger.cpu = cpu_seconds() - cpu_before
    ledger.measuring = False

    # Request units of the updates: the larger of the item before and after (DynamoDB's rule).
    raw = fetch_raw(aws.dynamodb(), settings.table_name, list(ledger.updated_keys))
    for key, weight in ledger.updated_keys.items():
        size = max(seeded.get(key, 0), item_bytes(raw.get(key, {})))
        ledger.wru += weight * write_units(size)
    links = [Link.from_item(item) for key, item in raw.items() if key[0] != SWEEP_PK]
    checked = sum(1 for link in links if link.checks >= 2)
    link_sizes = sorted(item_bytes(raw[k]) for k in raw if k[0] != SWEEP_PK)

    # Peak memory of one full worker invocation (10 messages of 50 links), in a fresh process.
    refs = [LinkRef(tenant=link.tenant, link_id=link.id) for link in links[:500]]
    CheckQueue().send_links(refs)
    rss = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--worker-rss"],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    print_report(
        ledger,
        checked=checked,
        total=args.links,
        elapsed=elapsed,
        parallel=args.parallel,
        link_sizes=link_sizes,
        rss=rss,
        memory={"worker": worker_mb, "sweep": sweep_mb},
    )
    return 0


def fetch_raw(client: Any, table: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """Items by key as stored (unparsed), 100 per BatchGetItem."""
    found: dict[tuple[str, str], Any] = {}
    for part in chunks(keys, 100):
        request: Any = {table: {"Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in part]}}
        for _ in range(8):  # bounded retries of unprocessed keys
            response = client.batch_get_item(RequestItems=request)
            for item in response["Responses"].get(table, []):
                found[(item["pk"]["S"], item["sk"]["S"])] = item
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
    return found


def print_report(
    ledger: Ledger,
    *,
    checked: int,
    total: int,
    elapsed: float,
    parallel: int,
    link_sizes: list[int],
    rss: dict[str, int],
    memory: dict[str, int],
) -> None:
    n = max(1, checked)
    per_million = 1e6 / n
    dynamo, sqs = ledger.total("dynamodb"), ledger.total("sqs")
    workers = [i for i in ledger.invocations if i.function == "worker"]
    wall = sum(i.wall for i in ledger.invocations)
    moto_time = sum(i.aws_seconds() for i in ledger.invocations)
    modelled = sum(i.modelled_aws for i in ledger.invocations)
    wall_gb_seconds = sum(i.gb_seconds() for i in ledger.invocations)
    # CPU-bound work takes as long on a Lambda CPU share (MemorySize / 1769 MB of a vCPU) as
    # its GB-s allow: cpu x 1769 / 1024 GB-s at any size up to 1769 MB. This process's CPU
    # (target servers and harness included: an upper bound) gives that floor.
    cpu_gb_seconds = ledger.cpu * FULL_VCPU_MB / 1024
    gb_seconds = max(wall_gb_seconds, cpu_gb_seconds)
    invocations = len(ledger.invocations)
    cost = {
        "DynamoDB writes": ledger.wru * PRICES["dynamodb_wru"] * per_million,
        "DynamoDB reads": ledger.rru * PRICES["dynamodb_rru"] * per_million,
        "SQS": sqs * PRICES["sqs_request"] * per_million,
        "Lambda duration": gb_seconds * PRICES["lambda_gb_second"] * per_million,
        "Lambda requests": invocations * PRICES["lambda_request"] * per_million,
        "CloudWatch Logs": invocations
        * LOG_BYTES_PER_INVOCATION
        / 1e9
        * PRICES["log_gb"]
        * per_million,
    }
    all_in = sum(cost.values())

    print()
    print(
        f"checked {checked}/{total} links in {elapsed:.1f} s: {checked / elapsed:.0f} links/s "
        f"end to end ({len(workers)} worker invocations, {parallel} at once)"
    )
    print("AWS requests:")
    for name, count in sorted(ledger.requests.items()):
        print(f"  {name:30s} {count:8d}")
    print(
        f"link item: {link_sizes[len(link_sizes) // 2]} bytes median, {link_sizes[-1]} max "
        f"(1 WRU per write up to 1024)"
    )
    print(
        f"Lambda time: {wall:.1f} s wall - {moto_time:.1f} s in moto calls + {modelled:.1f} s "
        f"modelled AWS latency = {sum(i.billed_seconds() for i in ledger.invocations):.1f} s "
        f"billed; x MemorySize (worker {memory['worker']} MB, sweep {memory['sweep']} MB "
        f"from template.yaml) = {wall_gb_seconds:.1f} GB-s"
    )
    print(
        f"CPU floor: {ledger.cpu:.1f} CPU-s in this process x {FULL_VCPU_MB} MB / 1024 = "
        f"{cpu_gb_seconds:.1f} GB-s; billed the larger: {gb_seconds:.1f} GB-s"
    )
    print(
        f"worker memory: {rss['peak_mb']} MB max RSS for one invocation of {rss['links']} links "
        f"({rss['baseline_mb']} MB after imports)"
    )
    print()
    print("per checked link (steady path)         value      goal")
    rows = [
        (
            "DynamoDB requests",
            dynamo / n,
            f"<= {GOAL_DYNAMODB_REQUESTS}",
            dynamo / n <= GOAL_DYNAMODB_REQUESTS,
        ),
        ("  write request units", ledger.wru / n, "", None),
        ("  read request units", ledger.rru / n, "", None),
        ("SQS requests", sqs / n, f"<= {GOAL_SQS_REQUESTS}", sqs / n <= GOAL_SQS_REQUESTS),
        ("Lambda GB-ms", gb_seconds / n * 1000, "", None),
    ]
    for name, value, goal, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {name:34s} {value:9.3f}  {goal:8s} {verdict}")
    print()
    print("projected cost per million checks (assumed us-east-1 prices, see PRICES)")
    for name, usd in cost.items():
        print(f"  {name:34s} ${usd:8.3f}")
    verdict = "PASS" if all_in < GOAL_COST_PER_MILLION else "FAIL"
    print(f"  {'total':34s} ${all_in:8.3f}  < ${GOAL_COST_PER_MILLION:.2f}  {verdict}")


if __name__ == "__main__":
    raise SystemExit(main())
