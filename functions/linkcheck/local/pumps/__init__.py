"""Pumps: what Lambda's event source mappings, the scheduler and SNS do, done locally.

Each pump has ``pump_once(wait_seconds)`` (handle what is there now, return how many records
it handed over) and is driven either by a background thread (``Runner``) or synchronously by
tests (``Runner.drain``). A lock per pump keeps the two from interleaving; a queue pump has
several pollers instead (batches in flight at once, as Lambda's SQS pollers), bounded by a
semaphore.

- ``QueuePump``: SQS queue -> function, Lambda's SQS event shape; successful messages are
  deleted, failures (``batchItemFailures`` or an error) stay for redelivery, and moto moves them
  to the dead-letter queue after ``maxReceiveCount``.
- ``StreamPump``: DynamoDB stream -> function, with the template's filter patterns, item
  failures, retries with back-off (the stream waits), bisection on error, maximum record age
  and the on-failure SQS destination.
- ``SchedulePump``: invokes a scheduled function every ``every`` seconds (and on ``tick()``).
- ``NotificationPump``: an internal SQS queue subscribed to an SNS topic; prints each message.
- ``QueueAlarmPump``: the template's dead-letter alarms; prints ``[ops] ALARM ...`` when a
  dead-letter queue fills, as the CloudWatch alarm would page.
"""

from __future__ import annotations

from .alarms import QueueAlarmPump
from .base import Pump
from .notifications import NotificationPump, describe_notification
from .queue import QueuePump, sqs_record
from .runner import Runner
from .schedule import SchedulePump, scheduled_event
from .stream import StreamPump

__all__ = [
    "NotificationPump",
    "Pump",
    "QueueAlarmPump",
    "QueuePump",
    "Runner",
    "SchedulePump",
    "StreamPump",
    "describe_notification",
    "scheduled_event",
    "sqs_record",
]
