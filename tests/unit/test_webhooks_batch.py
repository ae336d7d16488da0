"""The webhook function's batch processor: Powertools' partial batch answer, records in parallel."""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from linkcheck.handlers.webhooks import ParallelBatchProcessor


def sqs_event(*message_ids: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": f"handle-{message_id}",
                "body": "{}",
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:deliveries",
                "awsRegion": "us-east-1",
            }
            for message_id in message_ids
        ]
    }


def test_only_the_records_whose_handling_raised_are_reported() -> None:
    def handle(record: SQSRecord) -> None:
        if record.message_id == "m2":
            raise ConnectionError("the table could not be reached")

    answer = process_partial_response(
        event=sqs_event("m1", "m2", "m3"), record_handler=handle, processor=ParallelBatchProcessor()
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"}]}


def test_a_batch_that_failed_entirely_is_answered_not_raised() -> None:
    def handle(record: SQSRecord) -> None:
        raise ConnectionError("the table could not be reached")

    answer = process_partial_response(
        event=sqs_event("m1", "m2"), record_handler=handle, processor=ParallelBatchProcessor()
    )
    failed = sorted(item["itemIdentifier"] for item in answer["batchItemFailures"])
    assert failed == ["m1", "m2"]


def test_the_records_are_handled_at_once() -> None:
    # Each handler waits for all the others: a sequential processor would break the barrier.
    ids = [f"m{n}" for n in range(10)]
    together = threading.Barrier(len(ids), timeout=5)
    answer = process_partial_response(
        event=sqs_event(*ids),
        record_handler=lambda record: together.wait(),
        processor=ParallelBatchProcessor(),
    )
    assert answer == {"batchItemFailures": []}
    assert not together.broken
