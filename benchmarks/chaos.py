"""Chaos run: the whole local stack under injected faults, then every promise checked.

Registers ``--links`` links (default 1,000) on local target servers (127.0.0.2.. on one port)
whose pages flip between live (200) and dead (404) on a seeded schedule, subscribes
``--hooks`` webhook receivers and an SQS queue to the SNS topic, and runs ``linkcheck dev``
(process environments, background pumps, a sweep every ``--sweep-every`` seconds) with
``--faults``: 5% of DynamoDB, SQS and SNS calls failing by default, environments killed
mid-batch, skewed clocks; receivers answer 503 or too slowly now and then, and one is down for
longer than the retry schedule (its deliveries are parked in the dead-letter queue and
replayed with ``linkcheck webhooks replay``'s code). After ``--duration`` seconds of flips the
pages hold still for ``--settle`` seconds, then the stored data and what every receiver
recorded are checked (``evaluate``):

- every due time of every link is checked within the slack (``--slack``, see docs/chaos.md);
- every event is a real, confirmed flip of its page (none invented), the events of a link
  alternate and their last state is the link's, and every long enough flip has its event;
- every event reached SNS and every webhook (none lost); a repeat of the same id is counted as
  a raw redelivery (consumers deduplicate on it, docs/webhooks.md); a second event for the
  same transition would be a duplicate with a different id;
- each link's state is the state its newest history item gives, and the page's final state.

Writes ``benchmarks/results/chaos.json``; exits 1 when an invariant fails. ``--quick``: 120
links for about a minute. Run from the project root: ``.venv/bin/python benchmarks/chaos.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import hashlib
import hmac
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

import boto3  # noqa: E402
import httpx  # noqa: E402

from linkcheck.awsrequest.dynamodb_codec import from_item  # noqa: E402
from linkcheck.local.stack import DevStack  # noqa: E402
from linkcheck.notify.replay import replay_dead_letters  # noqa: E402
from loopback_hosts import serve_on_hosts  # noqa: E402
from result_file import commit  # noqa: E402

RESULT = ROOT / "benchmarks" / "results" / "chaos.json"
SENT_AT = "_sent_at"  # when the SNS recorder queue got a message (its SentTimestamp)
SETTLE_POLL_SECONDS = 5  # between looks at the table while settling (each costs moto's lock)
TOLERANCE = 1.5  # seconds: a check at a flip's edge may see either side
REGISTER_CHUNK = 10  # links per POST /links/batch: the API's calls fail too


@dataclass
class Config:
    links: int = 1000
    interval: int = 120  # seconds between checks of a page that flips
    # ... and of one that never does: as most links in real use, checked far less often. On
    # moto (one core, every index query a walk of the whole table) the local stack sustains
    # about ten checks a second; these defaults stay within it after the registration burst.
    stable_interval: int = 600
    duration: float = 180.0  # seconds of flips
    settle: float = 20.0  # then pages hold still while the system catches up
    sweep_every: float = 5.0
    confirm_delay: int = 2
    fault_rate: float = 0.05  # of DynamoDB, SQS and SNS calls
    kill: float = 0.02  # of worker, notifier and webhook invocations
    skew: float = 2.0
    seed: int = 1
    flipping: float = 0.1  # share of pages that flip at all
    hooks: int = 2
    receiver_errors: float = 0.05  # share of POSTs a receiver answers 503
    receiver_slow: float = 0.02  # ... or answers after the sender's timeout
    outage: float = 30.0  # one receiver is down this long (longer than the retry schedule)
    hosts: int = 4
    max_environments: int = 6
    slack: float = 90.0  # a due check may be this late (docs/chaos.md): the visibility timeout
    # (a receive whose answer was lost: its links wait for it) plus sweeps and retries
    drain: float = 300.0  # at most this long for the system to settle after the run
    # The queues' visibility timeout (what a message whose delete failed waits): longer than
    # any invocation of the run takes, or a batch still being worked on goes to a second poller.
    visibility: int = 60

    @property
    def min_hold(self) -> float:
        """Shortest time a page stays in one state: long enough to be seen and confirmed."""
        return self.interval + self.slack + self.confirm_delay + 5

    @property
    def fault_spec(self) -> str:
        rate = self.fault_rate
        return (
            f"seed={self.seed},dynamodb={rate},sqs={rate},sns={rate},"
            f"kill={self.kill},skew={self.skew}"
        )


QUICK: dict[str, Any] = {
    "links": 120,
    "interval": 10,
    "stable_interval": 30,
    "duration": 28.0,
    "settle": 5.0,
    "sweep_every": 1.0,
    "flipping": 0.3,
    "outage": 18.0,
    "slack": 15.0,
    "drain": 180.0,
    "max_environments": 4,
    "visibility": 20,  # 120 links: every invocation takes seconds
}


# --------------------------------------------------------------------- the truth
@dataclass
class Truth:
    """When each page is live or dead: flips at seeded times after ``start``."""

    start: float
    flips: list[list[float]]  # per page, absolute times of its flips
    flipping: list[bool]  # per page: does it flip at all (checked more often)

    @classmethod
    def seeded(cls, config: Config, start: float) -> Truth:
        rng = random.Random(f"truth/{config.seed}")
        flips: list[list[float]] = []
        flipping = [i < round(config.links * config.flipping) for i in range(config.links)]
        for page in range(config.links):
            times: list[float] = []
            if flipping[page]:
                at = start + config.interval + rng.uniform(0, config.min_hold / 2)
                while at < start + config.duration:
                    times.append(at)
                    at += rng.uniform(config.min_hold, 2 * config.min_hold)
            flips.append(times)
        return cls(start=start, flips=flips, flipping=flipping)

    def state_at(self, page: int, when: float) -> str:
        flipped = bisect.bisect_right(self.flips[page], when)
        return "ok" if flipped % 2 == 0 else "broken"

    def seen_at(self, page: int, when: float) -> set[str]:
        """The states a check finishing at ``when`` may have seen (either side of an edge)."""
        return {self.state_at(page, when - TOLERANCE), self.state_at(page, when + 0.1)}

    def holds(self, page: int, end: float) -> list[tuple[float, float, str]]:
        """(from, to, state) of each period the page held one state, until ``end``."""
        edges = [self.start, *self.flips[page], end]
        return [
            (edges[k], edges[k + 1], "ok" if k % 2 == 0 else "broken")
            for k in range(len(edges) - 1)
        ]


def serve_targets(spec: str) -> int:
    """Child process: the target pages (so their serving does not compete with the stack for
    one interpreter lock). Prints the port; live until the parent writes the truth's start."""
    values = json.loads(spec)
    hosts = values.pop("hosts_list")
    config = Config(**values)
    holder: list[Truth] = []
    print(start_targets(hosts, holder), flush=True)
    line = sys.stdin.readline()
    if line.strip():
        holder.append(Truth.seeded(config, float(line)))
    sys.stdin.read()  # until the parent closes it
    return 0


def serve_moto() -> int:
    """Child process: the moto server, until stdin closes."""
    from linkcheck.local.moto_server import start_moto_server

    server = start_moto_server()
    print(server.endpoint, flush=True)
    sys.stdin.read()
    server.stop()
    return 0


def _child(*args: str) -> tuple[subprocess.Popen[str], str]:
    child = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "functions")},
    )
    assert child.stdout is not None
    return child, child.stdout.readline().strip()


def start_targets(hosts: list[str], truth: list[Truth]) -> int:
    """An HTTP/1.1 server on every host (one port): ``/p/N`` answers as the truth says now
    (live until there is one)."""
    live = (
        b"<html><head><title>Article</title></head><body><h1>Article</h1>"
        + (b"<p>A page with real content, long enough to look like an article.</p>" * 20)
        + b"</body></html>"
    )
    dead = b"<html><body><h1>Not Found</h1></body></html>"

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line = head.split(b"\r\n", 1)[0].split(b" ")
                path = request_line[1].decode() if len(request_line) > 1 else "/"
                page = int(path.rsplit("/", 1)[-1]) if path.startswith("/p/") else -1
                ok = not truth or truth[0].state_at(page, time.time()) == "ok"
                status, body = (b"200 OK", live) if ok else (b"404 Not Found", dead)
                if request_line[0] == b"HEAD":
                    body = b""
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\nContent-Type: text/html\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            writer.close()

    return serve_on_hosts(answer, hosts)


# --------------------------------------------------------------------- receivers
@dataclass
class Receipt:
    webhook_id: str
    body: bytes
    status: int
    at: float
    signature_ok: bool


class Receiver:
    """A webhook receiver that records every POST; sometimes down, sometimes too slow."""

    def __init__(self, name: str, config: Config, *, sender_timeout: float) -> None:
        self.name = name
        self.secret = ""
        self.receipts: list[Receipt] = []
        self.down_until = 0.0
        self._rng = random.Random(f"receiver/{config.seed}/{name}")
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    draw = receiver._rng.random()
                now = time.time()
                if now < receiver.down_until or draw < config.receiver_errors:
                    status, delay = 503, 0.0
                elif draw < config.receiver_errors + config.receiver_slow:
                    status, delay = 200, sender_timeout + 1  # the sender has given up by then
                else:
                    status, delay = 204, 0.0
                if delay:
                    time.sleep(delay)
                with receiver._lock:
                    receiver.receipts.append(
                        Receipt(
                            headers.get("webhook-id", ""),
                            body,
                            status,
                            now,
                            _signature_ok(receiver.secret, headers, body),
                        )
                    )
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def accepted(self) -> list[Receipt]:
        """Deliveries this receiver answered with a 2xx (what it acts on)."""
        with self._lock:
            return [r for r in self.receipts if 200 <= r.status < 300]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _signature_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Checked independently of linkcheck's own signing code."""
    if not secret:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, sig.split(",", 1)[1])
        for sig in headers.get("webhook-signature", "").split()
        if sig.startswith("v1,")
    )


# --------------------------------------------------------------------- the run
@dataclass
class Observed:
    """Everything the checks read: stored items, deliveries, what was injected."""

    truth: Truth
    links: dict[str, dict[str, Any]]  # link id -> link item
    pages: dict[str, int]  # link id -> page number
    history: dict[str, list[dict[str, Any]]]  # link id -> result items
    events: list[dict[str, Any]]
    sns: list[dict[str, Any]]  # message bodies received by the SQS subscription
    webhooks: dict[str, list[Receipt]]  # receiver -> 2xx receipts
    all_receipts: dict[str, list[Receipt]]
    window: tuple[float, float]  # when due checks are measured
    faults: dict[str, int] = field(default_factory=dict)
    alarms: list[str] = field(default_factory=list)
    replayed: int = 0
    drain_seconds: float = 0.0
    load_before: float = 0.0  # the machine's 1-minute load average when the run began


def run(config: Config, *, log: Any = None, log_file: Path | None = None) -> Observed:
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    # The stack's own log (pumps retrying, environments replaced) is the expected noise here.
    stack_logger = logging.getLogger("linkcheck.dev")
    level_before = stack_logger.level  # put back at the end: the suite runs this in process
    stack_logger.setLevel(int(os.environ.get("CHAOS_STACK_LOG_LEVEL", logging.CRITICAL)))
    hosts = [f"127.0.0.{2 + i}" for i in range(config.hosts)]
    load_before = os.getloadavg()[0]
    lines: Counter[str] = Counter()
    sink = open(log_file, "a", encoding="utf-8") if log_file else None  # noqa: SIM115
    sink_lock = threading.Lock()

    def on_log(function: str, pid: int, line: str) -> None:
        lines[function] += 1
        if sink is not None:
            with sink_lock:
                sink.write(f"{function} {pid} {line.rstrip()}\n")

    ops: list[str] = []
    moto, endpoint = _child("--serve-moto")
    spec = json.dumps({**vars(config), "hosts_list": hosts})
    targets, port_line = _child("--serve-targets", spec)
    stack = DevStack(
        moto_endpoint=endpoint,
        port=0,
        api_key=f"lck_chaos_{uuid.uuid4().hex}",
        allow_private_networks=True,
        sweep_every=config.sweep_every,
        confirm_delay=config.confirm_delay,
        env={"HISTORY_EVERY_CHECK": "true", "RATE_LIMIT_PER_MINUTE": "0"},
        on_log=on_log,
        on_notification=lambda line: ops.append(line) if line.startswith("[ops]") else None,
        faults=config.fault_spec,
        max_environments=config.max_environments,
        visibility_timeout=config.visibility,
        prefix=f"chaos-{uuid.uuid4().hex[:6]}",
    )
    receivers: list[Receiver] = []
    stack.start()
    try:
        sender_timeout = float(stack.env.get("WEBHOOK_TIMEOUT_SECONDS", "3"))
        receivers = [
            Receiver(f"hook{i}", config, sender_timeout=sender_timeout) for i in range(config.hooks)
        ]
        sns_queue = _subscribe_queue(stack)
        api = httpx.Client(
            base_url=stack.base_url,
            headers={"Authorization": f"Bearer {stack.api_key}"},
            timeout=60,
        )
        for receiver in receivers:
            answer = _retrying(lambda r=receiver: api.post("/hooks", json={"target_url": r.url}))
            receiver.secret = answer.json()["secret"]
        port = int(port_line)
        urls = [f"http://{hosts[i % len(hosts)]}:{port}/p/{i}" for i in range(config.links)]
        flipping = Truth.seeded(config, 0).flipping
        intervals = [config.interval if f else config.stable_interval for f in flipping]
        registering = time.time()
        pages = _register(api, urls, intervals)
        assert stack.fault_spec is not None
        log(f"chaos: {config.links} links registered; faults {stack.fault_spec.render()}")
        start = time.time()
        truth = Truth.seeded(config, start)  # every page live until now
        assert targets.stdin is not None
        targets.stdin.write(f"{start!r}\n")
        targets.stdin.flush()
        outage_at = start + config.interval + 15  # while the first flips are being confirmed
        end_flips = start + config.duration
        end = end_flips + config.settle
        while time.time() < end:
            now = time.time()
            if receivers and outage_at <= now < outage_at + 1:
                receivers[-1].down_until = now + config.outage
                log(f"chaos: receiver {receivers[-1].name} down for {config.outage:g} s")
            time.sleep(1)
        # Until every event has reached every channel (bounded): the outage parked deliveries
        # in the dead-letter queue, so they are replayed as an operator would.
        sns_seen: list[dict[str, Any]] = []
        replayed = 0
        waited = time.time()
        while True:
            replayed += _replay(stack)
            sns_seen += _drain_queue(sns_queue)
            missing = _unsettled(stack, truth, pages, sns_seen, receivers)
            if not missing or time.time() - waited > config.drain:
                break
            links = sum(1 for m in missing if m.startswith("LINK#"))
            log(f"chaos: settling: {links} links, {len(missing) - links} events still on the way")
            time.sleep(SETTLE_POLL_SECONDS)
        log(
            f"chaos: replayed {replayed} parked deliveries; drained in {time.time() - waited:.0f} s"
        )
        observed = _observe(
            stack,
            truth,
            pages,
            sns_seen,
            receivers,
            window=(registering, end_flips + config.settle - config.slack),
        )
        observed.replayed = replayed
        observed.load_before = round(load_before, 2)
        observed.drain_seconds = round(time.time() - waited, 1)
        observed.alarms = ops
        observed.faults = dict(stack.fault_counts)
        return observed
    finally:
        for receiver in receivers:
            receiver.stop()
        stack.stop()
        for child in (targets, moto):
            if child.stdin is not None:
                child.stdin.close()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a server thread that will not stop
                child.kill()
                child.wait()
        if sink is not None:
            sink.close()
        stack_logger.setLevel(level_before)


def _retrying(call: Any, attempts: int = 20) -> httpx.Response:
    """API calls go through the faults too: a 5xx is retried (registrations are idempotent)."""
    for _ in range(attempts):
        answer: httpx.Response = call()
        if answer.status_code < 500:
            return answer
        time.sleep(0.5)
    raise RuntimeError(f"the API kept failing: {answer.status_code} {answer.text[:200]}")


def _register(api: httpx.Client, urls: list[str], intervals: list[int]) -> dict[str, int]:
    pages: dict[str, int] = {}
    pending = list(range(len(urls)))
    for _ in range(30):
        if not pending:
            return pages
        left: list[int] = []
        for start in range(0, len(pending), REGISTER_CHUNK):
            chunk = pending[start : start + REGISTER_CHUNK]
            answer = _retrying(
                lambda c=chunk: api.post(
                    "/links/batch",
                    json={"links": [{"url": urls[i], "interval_seconds": intervals[i]} for i in c]},
                )
            )
            if answer.status_code >= 300:
                left.extend(chunk)
                continue
            for page, item in zip(chunk, answer.json()["results"], strict=True):
                if item["status"] != "error":
                    pages[item["link"]["id"]] = page
                else:
                    left.append(page)
        pending = left
    raise RuntimeError(f"{len(pending)} links could not be registered")


def _subscribe_queue(stack: DevStack) -> str:
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    url = sqs.create_queue(QueueName=f"{stack.prefix}-sns-recorder")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=stack.resources.topic_arns["NotificationsTopic"],
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return str(url)


def _replay(stack: DevStack) -> int:
    queues = stack.resources.queue_urls
    report = replay_dead_letters(
        boto3.client("sqs"),
        dead_letter_url=queues["DeliveriesDeadLetterQueue"],
        deliveries_url=queues["DeliveriesQueue"],
    )
    return len(report.replayed)


def _drain_queue(url: str) -> list[dict[str, Any]]:
    """Every message now in the SNS recorder queue (removed from it)."""
    sqs = boto3.client("sqs")
    bodies: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["SentTimestamp"]
        ).get("Messages", [])
        if not got:
            return bodies
        for message in got:
            body = json.loads(message["Body"])
            body[SENT_AT] = int(message["Attributes"]["SentTimestamp"]) / 1000
            bodies.append(body)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _scan(stack: DevStack) -> list[dict[str, Any]]:
    """Every stored item (once, at the end: the stack has settled)."""
    dynamodb = boto3.client("dynamodb")
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=stack.resources.table_names["Table"]
    ):
        items += [from_item(raw) for raw in page["Items"]]
    return items


def _query_tenant(stack: DevStack, prefix: str) -> list[dict[str, Any]]:
    """The tenant's items whose sort key starts with ``prefix`` (links, events): a query of
    its partition, not a scan of every stored result, which would hold moto's DynamoDB lock
    (one request at a time) for seconds and stall the stack being measured."""
    dynamodb = boto3.client("dynamodb")
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("query").paginate(
        TableName=stack.resources.table_names["Table"],
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": f"T#{stack.tenant}"}, ":prefix": {"S": prefix}},
        # Only what settling needs: moto serialises every attribute it returns.
        ProjectionExpression="sk, #state, id, notify, kind",
        ExpressionAttributeNames={"#state": "state"},
    ):
        items += [from_item(raw) for raw in page["Items"]]
    return items


def _unsettled(
    stack: DevStack,
    truth: Truth,
    pages: dict[str, int],
    sns: list[dict[str, Any]],
    receivers: list[Receiver],
) -> set[str]:
    """What has not settled yet: links not in their page's final state, events not yet seen
    on every channel."""
    items = _query_tenant(stack, "LINK#") + _query_tenant(stack, "EVT#")
    final = truth.start + 10**9  # pages no longer flip
    waiting = {
        str(i["sk"])
        for i in items
        if str(i.get("sk", "")).startswith("LINK#")
        and i.get("state") != truth.state_at(pages[str(i["sk"]).removeprefix("LINK#")], final)
    }
    expected = {str(e["id"]) for e in items if e.get("kind") == "event" and e.get("notify", True)}
    waiting |= expected - {str(m.get("id")) for m in sns}
    for receiver in receivers:
        waiting |= expected - {r.webhook_id for r in receiver.accepted()}
    return waiting


def _observe(
    stack: DevStack,
    truth: Truth,
    pages: dict[str, int],
    sns: list[dict[str, Any]],
    receivers: list[Receiver],
    *,
    window: tuple[float, float],
) -> Observed:
    links: dict[str, dict[str, Any]] = {}
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    events: list[dict[str, Any]] = []
    for item in _scan(stack):
        if str(item.get("sk", "")).startswith("LINK#"):
            links[str(item["sk"]).removeprefix("LINK#")] = item
        elif item.get("kind") == "result":
            history[str(item["link_id"])].append(item)
        elif item.get("kind") == "event":
            events.append(item)
    return Observed(
        truth=truth,
        links=links,
        pages=pages,
        history=dict(history),
        events=events,
        sns=sns,
        webhooks={r.name: r.accepted() for r in receivers},
        all_receipts={r.name: list(r.receipts) for r in receivers},
        window=window,
    )


# --------------------------------------------------------------------- the checks
def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@dataclass
class Findings:
    numbers: dict[str, int | float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the first few, for the report

    def problem(self, counter: str, text: str) -> None:
        self.numbers[counter] = self.numbers.get(counter, 0) + 1
        if self.numbers[counter] <= 5:  # a few examples of each kind, for the report
            self.problems.append(f"{counter}: {text}")


def evaluate(observed: Observed, config: Config) -> Findings:
    found = Findings()
    for name in (
        "late",
        "lost",
        "invented",
        "duplicates_with_different_ids",
        "missed_transitions",
        "inconsistent_history",
        "wrong_final_state",
        "bad_signatures",
    ):
        found.numbers[name] = 0
    _check_schedule(observed, config, found)
    _check_events(observed, config, found)
    _check_deliveries(observed, found)
    _check_history(observed, found)
    return found


def _check_schedule(observed: Observed, config: Config, found: Findings) -> None:
    """Every due time in the window has a stored check at most ``slack`` after it."""
    low, high = observed.window
    due_total = 0
    worst = 0.0
    for link_id, link in observed.links.items():
        interval, phase = int(link["interval"]), int(link["due_at"])
        checks = sorted(
            _epoch(h["result"]["checked_at"]) for h in observed.history.get(link_id, [])
        )
        # From the link's first due time (shortly after it was registered) on.
        since = max(low, _epoch(link["created_at"])) if link.get("created_at") else low
        due = since - (since % interval) + phase
        while due <= high:
            if due >= since:
                due_total += 1
                at = bisect.bisect_left(checks, due - TOLERANCE)
                late = checks[at] - due if at < len(checks) else float("inf")
                worst = max(worst, min(late, high - due + config.slack))
                if late > config.slack:
                    found.problem("late", f"{link_id}: due {due:.0f} checked {late:.0f} s later")
            due += interval
    found.numbers["due_checks"] = due_total
    found.numbers["worst_lateness_seconds"] = round(worst, 1)
    found.numbers["checks_stored"] = sum(len(h) for h in observed.history.values())


def _check_events(observed: Observed, config: Config, found: Findings) -> None:
    by_link: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in observed.events:
        by_link[str(event["link_id"])].append(event)
    found.numbers["events"] = len(observed.events)
    detection = []  # flip -> the check that confirmed it
    for event in observed.events:
        page = observed.pages.get(str(event["link_id"]))
        checked = _epoch(event["result"]["checked_at"])
        if page is not None and observed.truth.flips[page]:
            before = [f for f in observed.truth.flips[page] if f <= checked + TOLERANCE]
            if before:
                detection.append(checked - before[-1])
    if detection:
        detection.sort()
        found.numbers["detection"] = f"{statistics.median(detection):.1f} / {detection[-1]:.1f} s"
    for link_id, page in observed.pages.items():
        events = sorted(by_link.get(link_id, []), key=lambda e: (e["occurred_at"], e["id"]))
        state = ""  # the first event may follow a first "ok" (not an event) or nothing
        for event in events:
            checked = _epoch(event["result"]["checked_at"])
            if event["state"] not in observed.truth.seen_at(page, checked):
                found.problem("invented", f"{event['id']}: {event['type']} but page {page} was not")
            allowed = (state,) if state else ("unchecked", "ok")
            if event["previous"] not in allowed or event["state"] == event["previous"]:
                found.problem(
                    "duplicates_with_different_ids",
                    f"{event['id']}: {event['previous']}->{event['state']} after state {state}",
                )
            state = event["state"]
        link = observed.links.get(link_id)
        if link is not None and link.get("state") != state and events:
            found.problem("inconsistent_history", f"{link_id}: last event {state}, link {link}")
        # Every hold long enough to be seen twice, confirmed and recorded has its event.
        end = observed.truth.start + config.duration + config.settle
        for begin, until, held in observed.truth.holds(page, end)[1:]:
            if until - begin < config.min_hold:
                continue
            if not any(
                e["state"] == held
                and begin - TOLERANCE <= _epoch(e["result"]["checked_at"]) <= until
                for e in events
            ):
                found.problem("missed_transitions", f"{link_id}: {held} from {begin:.0f}, no event")
        if link is not None:
            final = observed.truth.state_at(page, end + 10**9)
            if link.get("state") != final:
                found.problem("wrong_final_state", f"{link_id}: {link.get('state')} != {final}")


def _check_deliveries(observed: Observed, found: Findings) -> None:
    expected = {str(e["id"]) for e in observed.events if e.get("notify", True)}
    occurred = {str(e["id"]): _epoch(e["occurred_at"]) for e in observed.events}
    channels: dict[str, list[tuple[str, float]]] = {
        "sns": [(str(m.get("id")), float(m.get(SENT_AT, 0))) for m in observed.sns]
    }
    for name, receipts in observed.webhooks.items():
        channels[f"webhook {name}"] = [(r.webhook_id, r.at) for r in receipts]
    for name, deliveries in channels.items():
        counts = Counter(event_id for event_id, _ in deliveries)
        first: dict[str, float] = {}
        for event_id, at in deliveries:
            first[event_id] = min(at, first.get(event_id, at))
        delays = sorted(at - occurred[i] for i, at in first.items() if i in occurred)
        if delays:
            found.numbers[f"delay ({name})"] = (
                f"{statistics.median(delays):.1f} / {delays[-1]:.1f} s"
            )
        missing = expected - set(counts)
        for event_id in sorted(missing):
            found.problem("lost", f"{event_id} never reached {name}")
        unknown = set(counts) - expected
        for event_id in sorted(unknown):
            found.problem("invented", f"{name} got {event_id}, which is no stored event")
        found.numbers[f"redeliveries ({name})"] = sum(c - 1 for c in counts.values())
        found.numbers[f"delivered ({name})"] = len(counts)
    for name, receipts in observed.all_receipts.items():
        for receipt in receipts:
            if not receipt.signature_ok:
                found.problem("bad_signatures", f"{name}: {receipt.webhook_id} badly signed")
        found.numbers[f"attempts ({name})"] = len(receipts)


def _check_history(observed: Observed, found: Findings) -> None:
    """The link's state is what its newest stored result says (the item of its version)."""
    for link_id, link in observed.links.items():
        version = int(link.get("version", 0))
        mine = [
            h for h in observed.history.get(link_id, []) if str(h["sk"]).endswith(f"#{version:08d}")
        ]
        if version and not mine:
            found.problem(
                "inconsistent_history", f"{link_id}: no result item for version {version}"
            )
        elif mine and not any(h["state"] == link.get("state") for h in mine):
            found.problem(
                "inconsistent_history",
                f"{link_id}: state {link.get('state')}, v{version} says {mine[0]['state']}",
            )


# --------------------------------------------------------------------- the report
INVARIANTS = (
    "lost",
    "invented",
    "duplicates_with_different_ids",
    "late",
    "missed_transitions",
    "inconsistent_history",
    "wrong_final_state",
    "bad_signatures",
)


def report(config: Config, observed: Observed, found: Findings, command: str) -> dict[str, Any]:
    numbers = found.numbers
    faults = observed.faults
    rows: list[list[Any]] = [
        ["Links", config.links],
        [
            "Interval (flipping / stable pages), sweep period",
            f"{config.interval} / {config.stable_interval} s, {config.sweep_every:g} s",
        ],
        [
            "Pages flipping; run (flips + settle)",
            f"{config.flipping:.0%}; {config.duration:g} + {config.settle:g} s",
        ],
        ["Fault spec", config.fault_spec],
        [
            "Machine: cores, load average before the run",
            f"{os.cpu_count()}, {observed.load_before:g}",
        ],
        ["Due checks measured", numbers["due_checks"]],
        ["Checks stored", numbers["checks_stored"]],
        [
            "Worst lateness of a due check (slack allowed)",
            f"{numbers['worst_lateness_seconds']} s ({config.slack:g} s)",
        ],
        ["Confirmed transitions (events)", numbers["events"]],
    ]
    for key in sorted(faults):
        rows.append([f"Faults injected: {key}", faults[key]])
    for key in sorted(
        k for k in numbers if k.startswith(("delivered", "redeliveries", "attempts"))
    ):
        rows.append([key[0].upper() + key[1:], numbers[key]])
    if "detection" in numbers:
        rows.append(["Flip to confirming check, median / max", numbers["detection"]])
    for key in sorted(k for k in numbers if k.startswith("delay")):
        channel = key.removeprefix("delay ")
        rows.append([f"Confirming check to first delivery, median / max {channel}", numbers[key]])
    rows.append(["Deliveries parked, then replayed", observed.replayed])
    rows.append(["Seconds until settled after the run", observed.drain_seconds])
    rows.append(["Ops alarms printed", len([a for a in observed.alarms if "ALARM" in a])])
    rows += [
        ["Transitions lost", numbers["lost"]],
        ["Transitions invented", numbers["invented"]],
        ["Duplicates with different ids", numbers["duplicates_with_different_ids"]],
        ["Due checks later than the slack", numbers["late"]],
        ["Flips without their event", numbers["missed_transitions"]],
        ["Links whose history disagrees", numbers["inconsistent_history"]],
        ["Links not in their page's final state", numbers["wrong_final_state"]],
    ]
    failed = [name for name in INVARIANTS if numbers.get(name)]
    redeliveries = sum(v for k, v in numbers.items() if k.startswith("redeliveries"))
    summary = (
        f"{config.links} links flipping on a seeded schedule, {config.fault_rate:.0%} of AWS calls "
        f"failing, {config.kill:.0%} of invocations killed: "
        + ("every invariant held" if not failed else "FAILED: " + ", ".join(failed))
        + f" ({numbers['events']} transitions, {redeliveries} raw redeliveries of the same id)."
    )
    return {
        "name": "chaos",
        "title": "Chaos run on the local stack",
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": commit(),
        "command": command,
        "summary": summary,
        "rows": rows,
        "invariants": {name: int(numbers.get(name, 0)) for name in INVARIANTS}
        | {"redeliveries_same_id": int(redeliveries)},
        "notes": [
            "Redeliveries are repeats of the same event id (webhook-id); consumers deduplicate "
            "on it (docs/webhooks.md), so they count as one delivery.",
            *found.problems,
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="120 links, about a minute and a half")
    for name, value in vars(Config()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=None)
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument("--log-file", type=Path, help="append the functions' log lines here")
    parser.add_argument("--serve-moto", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-targets", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_moto:
        return serve_moto()
    if args.serve_targets:
        return serve_targets(args.serve_targets)
    values: dict[str, Any] = dict(QUICK) if args.quick else {}
    values |= {k: v for k, v in vars(args).items() if k in vars(Config()) and v is not None}
    config = Config(**values)
    observed = run(config, log_file=args.log_file)
    found = evaluate(observed, config)
    given = list(argv if argv is not None else sys.argv[1:])
    if "--log-file" in given:  # a local path: not part of how to reproduce the run
        at = given.index("--log-file")
        del given[at : at + 2]
    command = "python benchmarks/chaos.py " + " ".join(given)
    result = report(config, observed, found, command.strip())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for label, value in result["rows"]:
        print(f"{label:<55} {value}")
    print(result["summary"])
    for line in found.problems:
        print("  " + line)
    return 1 if any(result["invariants"][n] for n in INVARIANTS) else 0


if __name__ == "__main__":
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sys.exit(main())
