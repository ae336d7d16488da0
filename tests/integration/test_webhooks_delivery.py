"""Webhook deliveries end to end: stream -> notifier -> deliveries queue -> signed POSTs to a
real receiver on 127.0.0.1 (moto server for the AWS side)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from linkcheck.handlers import notifier, webhooks
from linkcheck.settings import get_settings
from linkcheck.store.hooks import HookStore
from tests.integration.test_notifier_sns import put_event, stream_event

TENANT = "acme"


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A webhook consumer on 127.0.0.1 that answers with scripted replies, then 200."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.received: list[Received] = []
        self.gate: threading.Barrier | None = None  # hold each answer until all have arrived
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    reply = receiver.replies.pop(0) if receiver.replies else Reply()
                if receiver.gate is not None:
                    try:
                        receiver.gate.wait()
                    except threading.BrokenBarrierError:
                        reply = Reply(503)  # not all requests were in flight together
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up (timeout) and closed the connection

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture()
def fast_retries(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")  # the receiver is on loopback
    monkeypatch.setenv("WEBHOOK_RETRY_DELAYS", "0,1,1")
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "0.5")
    return aws_env


def independent_signature_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks verification written from the spec, not with linkcheck's helper."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [
        s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")
    ]
    fresh = abs(time.time() - int(headers["webhook-timestamp"])) < 300
    return fresh and any(hmac.compare_digest(expected, s) for s in offered)


def pump_deliveries(queue_url: str, *, max_rounds: int = 100) -> int:
    """What Lambda's SQS event source does: hand messages to the webhook function, until the
    queue holds nothing, not even delayed or in-flight messages."""
    sqs = boto3.client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    handled = 0
    for _ in range(max_rounds):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            counts = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])[
                "Attributes"
            ]
            pending = sum(
                int(counts.get(name, "0"))
                for name in (
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesDelayed",
                    "ApproximateNumberOfMessagesNotVisible",
                )
            )
            if not pending:
                break
            time.sleep(0.2)  # a delayed retry: wait for it to become visible
            continue
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
        response = webhooks.handler({"Records": records}, None)
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        handled += len(messages)
    return handled


def dead_letters(env: dict[str, str]) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    policy = sqs.get_queue_attributes(
        QueueUrl=env["DELIVERIES_QUEUE_URL"], AttributeNames=["RedrivePolicy"]
    )["Attributes"]["RedrivePolicy"]
    name = json.loads(policy)["deadLetterTargetArn"].rsplit(":", 1)[-1]
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def subscribe(env: dict[str, str], target_url: str, event_types: tuple[str, ...] = ()) -> Any:
    from linkcheck.notify.signing import new_secret

    return HookStore(env["TABLE_NAME"]).create(TENANT, target_url, event_types, new_secret())


def transition(env: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """A confirmed transition reaches the notifier through the stream."""
    item = put_event(env["TABLE_NAME"], **overrides)
    assert notifier.handler(stream_event(env["TABLE_NAME"]), None) == {"batchItemFailures": []}
    return item


def test_a_delivery_is_signed_and_verifiable_independently(
    fast_retries: dict[str, str], receiver: Receiver
) -> None:
    hook = subscribe(fast_retries, receiver.url())
    item = transition(fast_retries)

    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.path == "/hook"
    assert got.headers["webhook-id"] == item["id"]
    assert got.headers["content-type"] == "application/json"
    assert independent_signature_ok(hook.secret, got.headers, got.body)
    assert not independent_signature_ok(hook.secret, got.headers, got.body + b" ")
    payload = json.loads(got.body)
    assert payload["id"] == item["id"]
    assert payload["type"] == "link.broken"
    assert payload["url"] == item["url"]
    assert payload["result"]["reason"] == "platform_deleted"
    assert (
        HookStore(fast_retries["TABLE_NAME"])
        .get(TENANT, hook.id)
        .last_status.startswith(  # type: ignore[union-attr]
            "delivered"
        )
    )


@pytest.mark.slow
def test_500_then_200_retries_and_delivers_once(
    fast_retries: dict[str, str], receiver: Receiver
) -> None:
    hook = subscribe(fast_retries, receiver.url())
    receiver.replies = [Reply(500)]
    transition(fast_retries)

    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    assert len(receiver.received) == 2  # the failure, then the success, and nothing after
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert independent_signature_ok(hook.secret, second.headers, second.body)
    assert dead_letters(fast_retries) == []


def test_a_410_removes_the_subscription(fast_retries: dict[str, str], receiver: Receiver) -> None:
    hook = subscribe(fast_retries, receiver.url())
    receiver.replies = [Reply(410)]
    transition(fast_retries)

    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    assert len(receiver.received) == 1
    assert HookStore(fast_retries["TABLE_NAME"]).get(TENANT, hook.id) is None
    # and the next transition has no one to go to
    transition(fast_retries, link_id="lnk_2")
    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])
    assert len(receiver.received) == 1


@pytest.mark.slow
def test_a_slow_receiver_times_out_and_is_retried(
    fast_retries: dict[str, str], receiver: Receiver
) -> None:
    subscribe(fast_retries, receiver.url())
    receiver.replies = [Reply(200, delay=1.5)]  # longer than the 0.5 s attempt timeout
    transition(fast_retries)

    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    assert dead_letters(fast_retries) == []


def test_redirects_are_not_followed(fast_retries: dict[str, str], receiver: Receiver) -> None:
    subscribe(fast_retries, receiver.url())
    receiver.replies = [Reply(302, {"location": receiver.url("/elsewhere")})]
    transition(fast_retries)

    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    assert [r.path for r in receiver.received] == ["/hook", "/hook"]  # failed, then retried


def test_after_the_last_attempt_the_delivery_is_dead_lettered(
    fast_retries: dict[str, str], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_RETRY_DELAYS", "0,0")
    hook = subscribe(fast_retries, receiver.url())
    receiver.replies = [Reply(500), Reply(503), Reply(500)]
    item = transition(fast_retries)

    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    assert len(receiver.received) == 3
    parked = dead_letters(fast_retries)
    assert len(parked) == 1
    assert parked[0]["delivery"]["msg_id"] == item["id"]
    assert parked[0]["delivery"]["hook_id"] == hook.id
    assert "HTTP 500" in parked[0]["error"]
    assert HookStore(fast_retries["TABLE_NAME"]).get(TENANT, hook.id) is not None


def test_hooks_get_only_the_event_types_they_asked_for(
    fast_retries: dict[str, str], receiver: Receiver
) -> None:
    subscribe(fast_retries, receiver.url("/broken"), ("link.broken",))
    subscribe(fast_retries, receiver.url("/recovered"), ("link.recovered",))
    subscribe(fast_retries, receiver.url("/all"))
    transition(fast_retries)

    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    assert sorted(r.path for r in receiver.received) == ["/all", "/broken"]


def test_another_tenants_hooks_get_nothing(
    fast_retries: dict[str, str], receiver: Receiver
) -> None:
    subscribe(fast_retries, receiver.url())
    transition(fast_retries, tenant="someone-else")
    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])
    assert receiver.received == []


def test_a_private_target_is_refused_at_delivery_time(
    fast_retries: dict[str, str], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a hook whose target became private-only (e.g. DNS changed after subscribing)
    monkeypatch.setenv("WEBHOOK_RETRY_DELAYS", "0")
    subscribe(fast_retries, receiver.url())
    transition(fast_retries)
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "0")
    get_settings.cache_clear()  # the webhook function's own execution environment

    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    assert receiver.received == []  # nothing reached loopback
    parked = dead_letters(fast_retries)
    assert len(parked) == 1
    assert "loopback" in parked[0]["error"]


def test_the_deliveries_of_a_batch_are_in_flight_together(
    fast_retries: dict[str, str], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given three hooks, and a receiver that answers none until all three requests have come
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "10")
    paths = ("/one", "/two", "/three")
    for path in paths:
        subscribe(fast_retries, receiver.url(path))
    receiver.gate = threading.Barrier(len(paths), timeout=5)
    transition(fast_retries)

    # When the webhook function gets the three deliveries in one batch
    pump_deliveries(fast_retries["DELIVERIES_QUEUE_URL"])

    # Then they were sent at once (a sequential sender would break the gate), and delivered once
    assert not receiver.gate.broken
    assert sorted(r.path for r in receiver.received) == sorted(paths)
    assert dead_letters(fast_retries) == []
