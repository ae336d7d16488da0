"""Lambda entry point: the deliveries queue -> signed webhook POSTs.

Event source: the SQS deliveries queue with ``ReportBatchItemFailures``, answered by Powertools'
``BatchProcessor`` (``process_partial_response``). The messages of a batch are delivered in
parallel: the processor hands each record to a thread of its own (at most ten, the template's
batch size), and each thread's POST runs on the environment's one event loop
(``linkcheck.runner``), so a batch takes about as long as its slowest attempt, not the sum of
them. A failed attempt is not a failed message: the retry is a new, delayed message. A message
is reported as failed only when the queue or the table could not be reached; SQS then
redelivers it (and, after the queue's ``maxReceiveCount``, moves it to the dead-letter queue).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
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


MAX_PARALLEL = 10  # the template's BatchSize: every message of a batch at once


class ParallelBatchProcessor(BatchProcessor):
    """Powertools' SQS ``BatchProcessor``, its records handled in parallel threads.

    Each record still goes through the processor's own ``_process_record`` (success and failure
    bookkeeping, the ``batchItemFailures`` answer); only the loop over them runs concurrently.
    """

    def __init__(self) -> None:
        # A batch whose every message failed is answered like any other (each one reported),
        # not raised: SQS redelivers exactly those messages either way.
        super().__init__(EventType.SQS, raise_on_entire_batch_failure=False)

    def process(self) -> list[tuple[Any, ...]]:
        workers = max(1, min(MAX_PARALLEL, len(self.records)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(self._process_record, self.records))


def deliver_one(deliverer: Deliverer, record: SQSRecord) -> DeliveryOutcome | None:
    """Deliver one message; its outcome (None: malformed, dropped).

    Raises the AWS error when the bookkeeping failed: the processor reports the message, and
    SQS delivers it again.
    """
    message_id = record.message_id
    try:
        delivery = Delivery.from_json(record.body)
    except MalformedDelivery as exc:
        logger.error(
            "dropping malformed delivery", extra={"message_id": message_id, "error": str(exc)}
        )
        return None
    # Per message, not the logger's shared state: messages are delivered in parallel threads.
    trace = delivery.correlation_id or correlation_id_from_sqs_record(record.raw_event)
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
        raise
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
    return outcome


@lambda_handler(traced=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deliverer = build_deliverer()
    outcomes: list[DeliveryOutcome] = []  # list.append is safe from the processor's threads

    def deliver(record: SQSRecord) -> None:
        outcome = deliver_one(deliverer, record)
        if outcome is not None:
            outcomes.append(outcome)

    answer = process_partial_response(
        event=event, record_handler=deliver, processor=ParallelBatchProcessor(), context=context
    )
    _count(Counter(outcomes))
    return dict(answer)


def _count(outcomes: Counter[DeliveryOutcome]) -> None:
    """One metric line per outcome for the whole batch."""
    if outcomes[DeliveryOutcome.DELIVERED]:
        count_notifications("webhook", outcomes[DeliveryOutcome.DELIVERED])
    for outcome, name in FAILURE_METRIC.items():
        if outcomes[outcome]:
            count_webhook_failures(name, outcomes[outcome])
