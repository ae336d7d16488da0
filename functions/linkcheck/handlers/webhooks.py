"""Lambda entry point: the deliveries queue -> signed webhook POSTs.

Event source: the SQS deliveries queue with ``ReportBatchItemFailures``. The messages of a batch
are delivered in parallel (each attempt has its own timeout). A failed attempt is not a failed
message: the retry is a new, delayed message. A message is reported as failed only when the
queue or the table could not be reached; SQS then redelivers it (and, after the queue's
``maxReceiveCount``, moves it to the dead-letter queue).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..notify.deliveries import Delivery, MalformedDelivery
from ..notify.delivery import Deliverer, DeliveryOutcome
from ..notify.queue import DeliveryQueue
from ..notify.sender import WebhookSender
from ..observability import (
    correlation_id_from_sqs_record,
    count_notifications,
    count_webhook_failures,
    lambda_handler,
    logger,
)
from ..settings import get_settings
from ..store.hooks import HookStore


@cache
def sender(timeout: float, allow_private: bool) -> WebhookSender:
    """One HTTP client per execution environment (and configuration)."""
    return WebhookSender(timeout=timeout, allow_private=allow_private)


def build_deliverer() -> Deliverer:
    settings = get_settings()
    config = settings.notify
    return Deliverer(
        hooks=HookStore(settings.table_name),
        queue=DeliveryQueue(settings.deliveries_queue_url, dead_letter_url=config.dead_letter_url),
        sender=sender(config.timeout_seconds, settings.allow_private_networks),
        retry_delays=config.retry_delays,
    )


# Failed attempts by outcome, as the WebhookFailures metric names them.
FAILURE_METRIC = {
    DeliveryOutcome.RETRY_SCHEDULED: "retry",
    DeliveryOutcome.DEAD_LETTERED: "dead_letter",
    DeliveryOutcome.HOOK_REMOVED: "gone",
}


def _deliver_one(
    deliverer: Deliverer, record: dict[str, Any]
) -> tuple[str | None, DeliveryOutcome | None]:
    """Deliver one message: (its id when SQS must redeliver it, the outcome if any)."""
    message_id = str(record.get("messageId", ""))
    try:
        delivery = Delivery.from_json(str(record.get("body", "")))
    except MalformedDelivery as exc:
        logger.error(
            "dropping malformed delivery", extra={"message_id": message_id, "error": str(exc)}
        )
        return None, None
    # Per message, not the logger's shared state: messages are delivered in parallel threads.
    trace = delivery.correlation_id or correlation_id_from_sqs_record(record)
    try:
        outcome = deliverer.deliver(delivery)
    except (ClientError, BotoCoreError) as exc:
        logger.warning(
            "delivery bookkeeping failed, SQS will redeliver",
            extra={
                "message_id": message_id,
                "hook_id": delivery.hook_id,
                "error": str(exc),
                "correlation_id": trace,
            },
        )
        return message_id, None
    log = logger.warning if outcome is DeliveryOutcome.DEAD_LETTERED else logger.info
    log(
        "webhook delivery",
        extra={
            "outcome": outcome.value,
            "hook_id": delivery.hook_id,
            "tenant": delivery.tenant,
            "event_id": delivery.msg_id,
            "attempt": delivery.attempt,
            "correlation_id": trace,
        },
    )
    return None, outcome


@lambda_handler(traced=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deliverer = build_deliverer()
    records: list[dict[str, Any]] = event.get("Records") or []
    with ThreadPoolExecutor(max_workers=max(1, min(10, len(records)))) as pool:
        done = list(pool.map(lambda r: _deliver_one(deliverer, r), records))
    _count(Counter(outcome for _, outcome in done if outcome is not None))
    return {"batchItemFailures": [{"itemIdentifier": m} for m, _ in done if m]}


def _count(outcomes: Counter[DeliveryOutcome]) -> None:
    """One metric line per outcome for the whole batch."""
    if outcomes[DeliveryOutcome.DELIVERED]:
        count_notifications("webhook", outcomes[DeliveryOutcome.DELIVERED])
    for outcome, name in FAILURE_METRIC.items():
        if outcomes[outcome]:
            count_webhook_failures(name, outcomes[outcome])
