"""Replaying the deliveries dead-letter queue: parked webhook deliveries sent again.

A delivery reaches the dead-letter queue in one of two shapes: parked by the webhook function
after its last attempt (``{"delivery": {...}, "error": "..."}``, ``DeliveryQueue.dead_letter``),
or moved there by SQS after ``maxReceiveCount`` failed receives (the delivery message itself).
Either way it goes back on the deliveries queue as a first attempt (the whole retry schedule
again) with the same event id, so each receiver sees the same ``webhook-id`` and can drop a
copy it already has. A message is deleted from the dead-letter queue only once its copy is on
the deliveries queue: an interrupted replay sends some deliveries twice (same ``webhook-id``),
never loses one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .deliveries import Delivery, MalformedDelivery

RECEIVE_BATCH = 10
# Messages a replay received stay invisible this long, so one run never reads one twice (those
# it leaves, unreadable ones, come back for the next run).
HOLD_SECONDS = 300


def delivery_from_dead_letter(body: str) -> Delivery:
    """The delivery a dead-letter message holds, ready to send again: attempt 1, no wait."""
    return replace(Delivery.from_json(body), attempt=1, not_before=0)  # either shape


@dataclass
class ReplayReport:
    replayed: list[Delivery] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # message ids left in the queue

    def as_json(self) -> dict[str, Any]:
        return {
            "replayed": len(self.replayed),
            "unreadable": len(self.unreadable),
            "deliveries": [
                {"webhook_id": d.msg_id, "hook_id": d.hook_id, "tenant": d.tenant}
                for d in self.replayed
            ],
        }


def replay_dead_letters(
    sqs: Any,
    *,
    dead_letter_url: str,
    deliveries_url: str,
    limit: int | None = None,
    dry_run: bool = False,
) -> ReplayReport:
    """Move parked deliveries back to the deliveries queue (at most ``limit``)."""
    from .queue import DeliveryQueue

    queue = DeliveryQueue(deliveries_url, client=sqs)
    report = ReplayReport()
    held: list[str] = []  # a dry run's receipts, made visible again at the end
    while limit is None or len(report.replayed) < limit:
        wanted = (
            RECEIVE_BATCH if limit is None else min(RECEIVE_BATCH, limit - len(report.replayed))
        )
        messages = sqs.receive_message(
            QueueUrl=dead_letter_url,
            MaxNumberOfMessages=wanted,
            VisibilityTimeout=HOLD_SECONDS,
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            try:
                delivery = delivery_from_dead_letter(message["Body"])
            except MalformedDelivery:
                report.unreadable.append(message["MessageId"])
                continue
            if dry_run:
                held.append(message["ReceiptHandle"])
            else:
                queue.enqueue([delivery])  # raises if SQS refused it: nothing deleted then
                sqs.delete_message(QueueUrl=dead_letter_url, ReceiptHandle=message["ReceiptHandle"])
            report.replayed.append(delivery)
    for handle in held:
        sqs.change_message_visibility(
            QueueUrl=dead_letter_url, ReceiptHandle=handle, VisibilityTimeout=0
        )
    return report
