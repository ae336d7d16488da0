"""SQS queue -> function, in Lambda's SQS event shape (``QueuePump``).

Successful messages are deleted, failures (``batchItemFailures`` or an error) stay for
redelivery, and moto moves them to the dead-letter queue after ``maxReceiveCount``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from ..functions import (
    Function,
    FunctionCrashed,
    FunctionFailed,
    FunctionNotReady,
    FunctionTimedOut,
)
from .base import failed_ids

log = logging.getLogger("linkcheck.dev")


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of Lambda's SQS event, from a ReceiveMessage message."""
    attributes = {
        name: message.get("Attributes", {}).get(name, "")
        for name in (
            "ApproximateReceiveCount",
            "SentTimestamp",
            "SenderId",
            "ApproximateFirstReceiveTimestamp",
        )
    }
    for name in ("MessageGroupId", "MessageDeduplicationId", "SequenceNumber"):
        if name in message.get("Attributes", {}):
            attributes[name] = message["Attributes"][name]
    message_attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class QueuePump:
    def __init__(
        self,
        *,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        function: Function,
        batch_size: int,
        report_item_failures: bool,
        retry_after_seconds: int | None,
        region: str,
        pollers: int = 1,
        died_retry_after_seconds: int | None = None,
    ) -> None:
        self.name = f"{queue_arn.rsplit(':', 1)[-1]} -> {function.name}"
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.function = function
        self.batch_size = max(1, min(batch_size, 10))  # ReceiveMessage returns at most 10
        self.report_item_failures = report_item_failures
        # None: failures wait for the queue's visibility timeout, as in AWS. A number: they are
        # made visible again after that many seconds (quick local retries).
        self.retry_after_seconds = retry_after_seconds
        self.region = region
        # None: the batch of an environment that died comes back after the visibility timeout,
        # as in AWS. A number (``--faults``): after that many seconds, so a run sees it again
        # while the queue keeps the template's timeout (never shorter than an invocation).
        self.died_retry_after_seconds = died_retry_after_seconds
        # Batches in flight at once: Lambda polls a queue with several pollers (five to start
        # with), each invoking the function with its own batch. ``Runner`` starts one thread
        # per poller; a synchronous ``drain`` uses one.
        self.pollers = max(1, pollers)
        self._slots = threading.BoundedSemaphore(self.pollers)

    def pump_once(self, wait_seconds: int = 0) -> int:
        if not self.function.ready:
            if wait_seconds:  # not built yet: look again later, without spinning
                time.sleep(min(wait_seconds, 1))
            return 0
        with self._slots:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=self.batch_size,
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                return 0
            event = {"Records": [sqs_record(m, self.queue_arn, self.region) for m in messages]}
            died = False
            try:
                failed = failed_ids(self.function.invoke(event))
            except FunctionNotReady:
                self._release(messages)  # not built yet: leave them for when it is
                return 0
            except (FunctionCrashed, FunctionTimedOut):
                # As in AWS: nobody answers for the batch, so its messages come back only
                # when the queue's visibility timeout ends.
                failed, died = None, True
            except FunctionFailed:
                failed = None
            if not self.report_item_failures and failed:
                failed = set()  # without ReportBatchItemFailures the response is ignored
            all_ids = {m["MessageId"] for m in messages}
            if failed is None or not failed <= all_ids:
                failed = all_ids
            done = [m for m in messages if m["MessageId"] not in failed]
            if died:
                log.info(
                    "%s: %d message(s) of a dead environment back later", self.name, len(failed)
                )
            elif failed:
                log.info("%s: %d message(s) failed, left for redelivery", self.name, len(failed))
            for start in range(0, len(done), 10):
                self.sqs.delete_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done[start : start + 10])
                    ],
                )
            retry_after = self.died_retry_after_seconds if died else self.retry_after_seconds
            if retry_after is not None:
                self._release([m for m in messages if m["MessageId"] in failed], retry_after)
            return len(messages)

    def _release(self, messages: list[dict[str, Any]], after: int = 0) -> None:
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=after,
            )
