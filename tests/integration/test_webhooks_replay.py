"""``linkcheck webhooks replay``: deliveries parked in the dead-letter queue, sent again.

On moto: both shapes a parked delivery can have, idempotence, unreadable messages left alone;
and through ``linkcheck dev``, a receiver down for longer than the retry schedule: the delivery
is parked, the dead-letter alarm goes off, and after the replay the receiver gets it with the
same ``webhook-id``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
import httpx
import pytest

from linkcheck import cli
from linkcheck.notify.deliveries import Delivery
from linkcheck.notify.queue import DeliveryQueue

from .test_webhooks_delivery import Receiver, Reply, independent_signature_ok
from .test_worker_checks import Target
from .test_worker_devstack import sweep_when_due

if TYPE_CHECKING:
    from .devstack import DevStackFactory


def _delivery(event_id: str, attempt: int = 7) -> Delivery:
    return Delivery(
        tenant="acme",
        hook_id="hook_1",
        msg_id=event_id,
        event_type="link.broken",
        body=json.dumps({"id": event_id}),
        attempt=attempt,
        not_before=1_900_000_000,
    )


def _bodies(url: str) -> list[str]:
    got = boto3.client("sqs").receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [m["Body"] for m in got.get("Messages", [])]


def _replay(*args: str) -> tuple[int, dict[str, Any]]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["webhooks", "replay", "--json", *args])
    return code, json.loads(out.getvalue())


def test_replay_moves_parked_deliveries_back_with_their_ids(aws_env: dict[str, str]) -> None:
    sqs = boto3.client("sqs")
    deliveries = aws_env["DELIVERIES_QUEUE_URL"]
    dlq = DeliveryQueue(deliveries, client=sqs).dead_letter_url
    # Parked by the webhook function after its last attempt, and moved by SQS after
    # maxReceiveCount failed receives (the delivery message itself); and one that is neither.
    sqs.send_message(
        QueueUrl=dlq,
        MessageBody=json.dumps({"delivery": json.loads(_delivery("ev1").to_json()), "error": "x"}),
    )
    sqs.send_message(QueueUrl=dlq, MessageBody=_delivery("ev2", attempt=2).to_json())
    sqs.send_message(QueueUrl=dlq, MessageBody="not a delivery")

    code, report = _replay("--dlq", dlq, "--deliveries", deliveries)

    assert code == 1  # one message could not be read: it stays for an operator
    assert report["replayed"] == 2 and report["unreadable"] == 1
    sent = sorted((Delivery.from_json(b) for b in _bodies(deliveries)), key=lambda d: d.msg_id)
    assert [(d.msg_id, d.attempt, d.not_before) for d in sent] == [("ev1", 1, 0), ("ev2", 1, 0)]
    assert sent[0].body == _delivery("ev1").body  # the same bytes are signed again

    # Idempotent: what was replayed left the dead-letter queue, so a second run sends nothing.
    code, again = _replay("--dlq", dlq, "--deliveries", deliveries)
    assert again["replayed"] == 0


def test_a_dry_run_changes_nothing(aws_env: dict[str, str]) -> None:
    sqs = boto3.client("sqs")
    deliveries = aws_env["DELIVERIES_QUEUE_URL"]
    dlq = DeliveryQueue(deliveries, client=sqs).dead_letter_url
    sqs.send_message(QueueUrl=dlq, MessageBody=_delivery("ev3").to_json())

    code, report = _replay("--dlq", dlq, "--deliveries", deliveries, "--dry-run")

    assert code == 0 and report["replayed"] == 1 and report["dry_run"]
    assert _bodies(deliveries) == []
    assert len(_bodies(dlq)) == 1  # still there, and visible for the real replay


def test_replay_needs_both_queues(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DELIVERIES_DLQ_URL", raising=False)
    assert cli.main(["webhooks", "replay", "--deliveries", "x"]) == 2


@pytest.mark.slow
def test_a_receiver_down_past_the_retries_gets_the_replayed_delivery(
    dev_stack_factory: DevStackFactory,
) -> None:
    stack = dev_stack_factory(env={"WEBHOOK_RETRY_DELAYS": "0,0"})  # three attempts, no wait
    site, receiver = Target(), Receiver()
    try:
        receiver.replies = [Reply(503)] * 3  # down for every attempt
        site.answer("/doc", 200)
        api = httpx.Client(
            base_url=stack.base_url,
            headers={"Authorization": f"Bearer {stack.api_key}"},
            timeout=30,
        )
        secret = api.post("/hooks", json={"target_url": receiver.url()}).json()["secret"]
        link = api.post("/links", json={"url": f"{site.base}/doc", "interval_seconds": 5}).json()
        stack.tick()
        stack.run_pumps_once()
        site.answer("/doc", 404)
        sweep_when_due(api.get(f"/links/{link['id']}").json())
        for _ in range(3):
            stack.run_pumps_once()

        assert len(receiver.received) == 3  # every attempt failed
        event_id = receiver.received[0].headers["webhook-id"]
        assert stack.alarms is not None
        assert any("DeliveriesDeadLetterAlarm" in line for line in stack.alarms.check())

        queues = stack.resources.queue_urls
        code, report = _replay(
            "--dlq",
            queues["DeliveriesDeadLetterQueue"].rsplit("/", 1)[-1],  # by name, as locally
            "--deliveries",
            queues["DeliveriesQueue"].rsplit("/", 1)[-1],
            "--endpoint-url",
            str(stack.moto_endpoint),
        )
        assert code == 0 and report["replayed"] == 1
        stack.run_pumps_once()

        delivered = receiver.received[3:]
        assert len(delivered) == 1
        assert delivered[0].headers["webhook-id"] == event_id  # receivers can deduplicate
        assert independent_signature_ok(secret, delivered[0].headers, delivered[0].body)
        assert any(line.startswith("[ops] OK") for line in stack.alarms.check())
    finally:
        site.close()
        receiver.stop()
