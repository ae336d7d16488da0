"""Sweep + worker at scale on the moto-backed store: throughput, AWS calls per link, cost.

Seeds N links (default 10,000) spread over several local hosts (127.0.0.2..; each request is
held by an asyncio sleep), runs one sweep and then worker invocations (10 messages each, several
in parallel, as the SQS event source would) until every link is checked, and prints:

- links/s end to end (moto on one machine is the bottleneck here, not the design);
- DynamoDB and SQS requests per checked link, counted with a botocore ``before-call`` hook
  (the SQS event source's receive/delete calls are counted too, as AWS would bill them);
- the projected AWS cost per million checks from those counts and the measured Lambda
  GB-seconds (prices below are assumptions: us-east-1 list prices as known in November 2026).

Run: ``.venv/bin/python benchmarks/sweep_scale.py --links 10000``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))

# Assumed prices (us-east-1, on-demand list prices, November 2026; check before relying on them).
PRICE_WRITE_UNIT = 0.625 / 1e6  # DynamoDB on-demand, per write request unit (1 KB)
PRICE_READ_UNIT = 0.125 / 1e6  # DynamoDB on-demand, per read request unit (4 KB strong)
PRICE_SQS_REQUEST = 0.40 / 1e6  # SQS standard, per request (64 KB chunk)
PRICE_LAMBDA_GB_SECOND = 0.0000133334  # Lambda arm64, per GB-second
PRICE_LAMBDA_REQUEST = 0.20 / 1e6
PRICE_LOG_GB = 0.50  # CloudWatch Logs ingestion, per GB
LOG_BYTES_PER_INVOCATION = 2_000  # START/END/REPORT lines plus one summary line (assumed)
MEMORY_GB = 0.5  # template: MemorySize 512
AWS_CALL_SECONDS = 0.008  # assumed DynamoDB/SQS request latency from Lambda in-region


class CallTimer:
    """Seconds spent inside AWS calls (summed over threads), from before-/after-call hooks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._local = threading.local()
        self._lock = threading.Lock()

    def start(self, **_: Any) -> None:
        self._local.t0 = time.perf_counter()

    def stop(self, **_: Any) -> None:
        t0 = getattr(self._local, "t0", None)
        if t0 is not None:
            with self._lock:
                self.seconds += time.perf_counter() - t0


@dataclass
class Calls:
    """AWS requests and capacity units, counted from the request parameters."""

    requests: Counter[str]
    write_units: float = 0.0
    read_units: float = 0.0

    def hook(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        name = f"{service}.{model.name}"
        self.requests[name] += 1
        if service != "dynamodb":
            return
        params = json.loads(params.get("body") or b"{}")  # the serialised request (JSON)
        if model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.write_units += 1
        elif model.name == "TransactWriteItems":
            self.write_units += 2 * len(params.get("TransactItems", []))
        elif model.name == "BatchWriteItem":
            self.write_units += sum(len(v) for v in params.get("RequestItems", {}).values())
        elif model.name == "BatchGetItem":
            self.read_units += sum(len(v["Keys"]) for v in params["RequestItems"].values())
        elif model.name in ("GetItem", "Query"):
            self.read_units += 1  # small items / KEYS_ONLY pages well under 4 KB each

    def total(self, service: str) -> int:
        return sum(n for name, n in self.requests.items() if name.startswith(service + "."))


def start_targets(hosts: list[str], latency: float) -> int:
    """A tiny HTTP/1.1 server on every host (same port), each answer after ``latency``."""
    ready = threading.Event()
    port_box: list[int] = []

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

    async def serve() -> None:
        first = await asyncio.start_server(answer, hosts[0], 0)
        port = first.sockets[0].getsockname()[1]
        for host in hosts[1:]:
            await asyncio.start_server(answer, host, port)
        port_box.append(port)
        ready.set()
        await asyncio.Event().wait()

    threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()
    ready.wait(10)
    return port_box[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=8, help="127.0.0.2 .. 127.0.0.(1+hosts)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--parallel", type=int, default=4, help="worker invocations at once")
    args = parser.parse_args(argv)

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
    from linkcheck import aws
    from linkcheck.handlers import worker
    from linkcheck.local.moto_server import start_moto_server
    from linkcheck.local.resources import create_resources, load_template
    from linkcheck.settings import get_settings
    from linkcheck.store.links import Link, LinkStore, link_id_for
    from linkcheck.store.results import ResultStore
    from linkcheck.sweeps import schedule
    from linkcheck.sweeps.enqueue import run_sweep
    from linkcheck.sweeps.process import WRITE_CONCURRENCY
    from linkcheck.sweeps.queue import CheckQueue

    server = start_moto_server()
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    template = load_template()
    os.environ.update(create_resources(template).env(template))
    get_settings.cache_clear()
    aws.reset_clients()
    settings = get_settings()

    hosts = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
    port = start_targets(hosts, args.latency_ms / 1000)

    # Seed quickly with BatchWriteItem (registration's conditional puts are not measured here).
    now = int(time.time())
    interval = 86400
    items = []
    urls = [f"http://{hosts[i % len(hosts)]}:{port}/page/{i}" for i in range(args.links)]
    for i, url in enumerate(urls):
        link_id = link_id_for("bench", url)
        link = Link(
            tenant="bench",
            id=link_id,
            url=url,
            host=hosts[i % len(hosts)],
            interval=interval,
            phase=schedule.phase_for(link_id, interval, now - 400),
            version=1,
        )
        items.append(link.to_item())
    store = LinkStore()
    ResultStore().put_many(items)
    store.ensure_intervals({interval})
    print(f"seeded {args.links} links on {len(hosts)} hosts, {args.latency_ms:.0f} ms latency")

    timer = CallTimer()
    sqs = aws.sqs()
    invocations = 0
    busy_seconds = 0.0
    lock = threading.Lock()

    def invoke() -> int:
        """One worker invocation, as the SQS event source makes it (10 messages at most)."""
        nonlocal invocations, busy_seconds
        got = sqs.receive_message(
            QueueUrl=settings.checks_queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600
        ).get("Messages", [])
        if not got:
            return 0
        records = [
            {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"]}
            for m in got
        ]
        t0 = time.perf_counter()
        answer = worker.handler({"Records": records}, None)
        elapsed = time.perf_counter() - t0
        failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        done = [r for r in records if r["messageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=settings.checks_queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)
                ],
            )
        with lock:
            invocations += 1
            busy_seconds += elapsed
        return len(records)

    def drain() -> None:
        with ThreadPoolExecutor(max_workers=args.parallel) as pool:
            for _ in range(10_000):  # bounded: ends when the queue stays empty
                if sum(pool.map(lambda _: invoke(), range(args.parallel))) == 0:
                    break

    # Round 1 (not measured): every link's first check sets its baseline and first history item.
    run_sweep(store, CheckQueue(), now=now)
    drain()
    print("round 1 (first checks) done; measuring round 2, the steady path, one interval later")
    invocations, busy_seconds = 0, 0.0

    calls = Calls(requests=Counter())
    for client in (aws.dynamodb(), aws.sqs()):
        client.meta.events.register("before-call.*.*", calls.hook)
        client.meta.events.register("before-call.*.*", timer.start)
        client.meta.events.register("after-call.*.*", timer.stop)

    started = time.perf_counter()
    report = run_sweep(store, CheckQueue(), now=now + interval)
    sweep_seconds = time.perf_counter() - started
    print(
        f"sweep: {report.links} links in {report.messages} messages, "
        f"{report.queries} index queries, {sweep_seconds:.1f} s"
    )
    drain()
    elapsed = time.perf_counter() - started

    dynamo = calls.total("dynamodb")
    sqs_requests = calls.total("sqs")
    read_units = calls.read_units
    keys = [("bench", link_id_for("bench", url)) for url in urls]
    checked = sum(1 for link in store.get_many(keys).values() if link.checks >= 2)
    measured_gb_seconds = (busy_seconds + sweep_seconds) * MEMORY_GB
    # moto on this machine answers far slower than DynamoDB (one process, shared CPU): replace
    # the time spent waiting on it by AWS-like latency, both spread over the write pool.
    aws_seconds = (dynamo + sqs_requests) * AWS_CALL_SECONDS / WRITE_CONCURRENCY
    modelled = max(0.0, busy_seconds + sweep_seconds - timer.seconds / WRITE_CONCURRENCY)
    gb_seconds = (modelled + aws_seconds) * MEMORY_GB
    per_million = 1e6 / max(1, checked)
    cost = {
        "DynamoDB writes": calls.write_units * PRICE_WRITE_UNIT * per_million,
        "DynamoDB reads": read_units * PRICE_READ_UNIT * per_million,
        "SQS": sqs_requests * PRICE_SQS_REQUEST * per_million,
        "Lambda GB-s": gb_seconds * PRICE_LAMBDA_GB_SECOND * per_million,
        "Lambda requests": (invocations + 1) * PRICE_LAMBDA_REQUEST * per_million,
        "CloudWatch Logs": (invocations + 1)
        * LOG_BYTES_PER_INVOCATION
        / 1e9
        * PRICE_LOG_GB
        * per_million,
    }
    print(
        f"checked {checked}/{args.links} links in {elapsed:.1f} s: "
        f"{checked / elapsed:.0f} links/s end to end ({invocations} worker invocations, "
        f"{args.parallel} at once)"
    )
    print(
        f"DynamoDB requests per link: {dynamo / checked:.3f} "
        f"(write units {calls.write_units / checked:.3f}, read units {read_units / checked:.3f})"
    )
    print(f"SQS requests per link:      {sqs_requests / checked:.3f}")
    for name, n in sorted(calls.requests.items()):
        print(f"  {name:32s} {n}")
    print(
        f"Lambda: measured {measured_gb_seconds:.1f} GB-s on moto; modelled for AWS "
        f"{gb_seconds:.1f} GB-s ({gb_seconds / checked * 1000:.2f} GB-ms per link)"
    )
    print("projected cost per million checks (assumed us-east-1 list prices, Nov 2026):")
    for name, usd in cost.items():
        print(f"  {name:18s} ${usd:.3f}")
    print(f"  {'total':18s} ${sum(cost.values()):.3f}")
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
