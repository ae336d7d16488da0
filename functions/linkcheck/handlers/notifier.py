"""Lambda entry point: the table stream -> SNS topic + webhook deliveries.

Event source: the DynamoDB stream, filtered to INSERTs of ``kind=event`` items (template), with
``ReportBatchItemFailures``. Records are handled in order; at the first record that cannot be
sent now, it and every later record are reported as failed, so the stream retries from there
(records already sent are skipped by their published marks, never sent twice). A malformed
event is logged and skipped: retrying cannot fix it.

Records are read through Powertools' ``DynamoDBStreamEvent`` (its images come deserialized).
Powertools' ``BatchProcessor`` is not used here: it would go on to the records after a failed
one, sending later events before an earlier one that is still pending; stopping at the first
failure keeps a tenant's notifications in the order of its transitions.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
    DynamoDBStreamEvent,
)
from botocore.exceptions import BotoCoreError, ClientError

from ..notify.events import read_event
from ..notify.messages import MalformedEvent
from ..notify.notifier import NotificationPending, Notifier
from ..notify.queue import DeliveryQueue, QueueSendFailed
from ..notify.sns import TopicPublisher
from ..observability import (
    CORRELATION_ID_FIELD,
    count_notifications,
    lambda_handler,
    logger,
    set_correlation_id,
)
from ..settings import get_settings
from ..store.hooks import HookStore
from ..store.outbox import Outbox

# Failures that a later retry can cure (SNS/SQS/DynamoDB down, throttled, lease held).
RETRYABLE = (NotificationPending, QueueSendFailed, ClientError, BotoCoreError)


def build_notifier() -> Notifier:
    settings = get_settings()
    return Notifier(
        outbox=Outbox(settings.table_name, lease_seconds=settings.notify.lease_seconds),
        publisher=TopicPublisher(settings.topic_arn),
        hooks=HookStore(settings.table_name),
        queue=DeliveryQueue(settings.deliveries_queue_url),
    )


def event_item(record: DynamoDBRecord) -> dict[str, Any] | None:
    """The new event item of an INSERT stream record, as plain values; None for anything else."""
    if record.event_name is not DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return None
    image = record.dynamodb.new_image
    if image.get("kind") != "event":
        return None  # the template filters these out; the local stack may not
    return image


@lambda_handler(traced=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    notifier = build_notifier()
    records = list(DynamoDBStreamEvent(event).records)
    for index, record in enumerate(records):
        item = event_item(record)
        if item is None:
            continue
        # The check's correlation id: on this event's log lines and its webhook deliveries.
        trace = item.get(CORRELATION_ID_FIELD)
        set_correlation_id(trace if isinstance(trace, str) else None)
        try:
            event_message = read_event(item)
        except MalformedEvent as exc:
            logger.error(
                "skipping malformed event", extra={"error": str(exc), "sk": item.get("sk")}
            )
            continue
        try:
            # The record's id is the same on every retry of it (the lease it took is its own).
            sent = notifier.notify(event_message, attempt=record.event_id)
        except RETRYABLE as exc:
            logger.warning(
                "event not sent yet, the stream will retry it",
                extra={"event_id": event_message.id, "error": str(exc)},
            )
            failed = [_sequence_number(r) for r in records[index:] if event_item(r) is not None]
            return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed if seq]}
        if sent.sns == "sent":
            count_notifications("sns")
        if sent.webhooks == "sent" and sent.hooks:
            count_notifications("webhook_queued", sent.hooks)  # delivered: webhooks function
        logger.info(
            "event notified",
            extra={
                "event_id": event_message.id,
                "event_type": event_message.type,
                "tenant": event_message.tenant,
                "sns": sent.sns,
                "webhooks": sent.webhooks,
                "hooks": sent.hooks,
            },
        )
    return {"batchItemFailures": []}


def _sequence_number(record: DynamoDBRecord) -> str:
    return str(record.dynamodb.sequence_number or "") if record.dynamodb else ""
