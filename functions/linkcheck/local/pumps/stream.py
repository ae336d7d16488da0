"""DynamoDB stream -> function (``StreamPump``), as Lambda's event source mapping does it.

The template's filter patterns, item failures, retries with back-off (the stream waits),
bisection on error, maximum record age and the on-failure SQS destination.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..event_filter import matches_any
from ..functions import ACCOUNT_ID, Function, FunctionFailed, FunctionNotReady
from .base import failed_ids

log = logging.getLogger("linkcheck.dev")

GET_RECORDS_LIMIT = 1000  # the most DynamoDB Streams' GetRecords returns
MAX_READS_PER_POLL = 20  # pages of filtered-out records read before a poll yields


class StreamPump:
    """A DynamoDB stream mapping. A failing batch blocks the stream, as in AWS: it is retried
    (backing off from ``retry_after_seconds``, doubling up to ``max_backoff_seconds``, a
    minute by default) until it succeeds, its
    retries run out or its records grow older than the maximum age; then it is recorded in the
    on-failure queue and the stream moves on. Each ``pump_once`` makes at most one attempt."""

    def __init__(
        self,
        *,
        streams: Any,
        sqs: Any,
        stream_arn: str,
        function: Function,
        batch_size: int,
        starting_position: str,
        filter_patterns: tuple[dict[str, Any], ...],
        maximum_retry_attempts: int,
        maximum_record_age_seconds: int | None,
        bisect_on_error: bool,
        report_item_failures: bool,
        on_failure_queue_url: str | None,
        retry_after_seconds: int | None,
        region: str,
        max_backoff_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = f"stream {stream_arn.split('/')[1]} -> {function.name}"
        self.streams = streams
        self.sqs = sqs
        self.stream_arn = stream_arn
        self.function = function
        self.batch_size = batch_size
        self.filter_patterns = filter_patterns
        self.maximum_retry_attempts = maximum_retry_attempts
        self.maximum_record_age_seconds = maximum_record_age_seconds
        self.bisect_on_error = bisect_on_error
        self.report_item_failures = report_item_failures
        self.on_failure_queue_url = on_failure_queue_url
        self.retry_base = 1.0 if retry_after_seconds is None else float(retry_after_seconds)
        self.region = region
        self.max_backoff = max_backoff_seconds
        self.clock = clock
        self.lock = threading.Lock()
        self.skipped = 0  # records that did not pass the filter
        self._iterators: dict[str, str] = {}
        # Batches waiting for (re)delivery, the head one first, with its retries so far.
        self._batches: deque[tuple[list[dict[str, Any]], int]] = deque()
        self._next_attempt = 0.0
        self._open(starting_position)

    def _open(self, starting_position: str) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            self._iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType=starting_position,
            )["ShardIterator"]

    def pump_once(self, wait_seconds: int = 0) -> int:
        if not self.function.ready:
            if wait_seconds:  # not built yet: look again later, without spinning
                time.sleep(min(wait_seconds, 1))
            return 0
        with self.lock:
            # Records the filter drops cost no invocation: read on (bounded) rather than sleep
            # a poll interval per page of them, or every check's write delays notifications.
            for _ in range(MAX_READS_PER_POLL):
                if self._batches or not self._read():
                    break
            if self._batches and self.clock() >= self._next_attempt:
                records, _ = self._batches[0]
                self._attempt()
                return len(records)
        if wait_seconds:
            time.sleep(min(wait_seconds, 1))  # streams have no long polling
        return 0

    def _read(self) -> int:
        """One GetRecords page per shard, filtered, split into batches; the records read."""
        read = 0
        for shard_id, iterator in list(self._iterators.items()):
            response = self.streams.get_records(ShardIterator=iterator, Limit=GET_RECORDS_LIMIT)
            if response.get("NextShardIterator"):
                self._iterators[shard_id] = response["NextShardIterator"]
            records = [self._lambda_record(r) for r in response.get("Records", [])]
            read += len(records)
            # Lambda filters before batching: a batch holds up to BatchSize records that pass.
            wanted = [r for r in records if matches_any(self.filter_patterns, r)]
            self.skipped += len(records) - len(wanted)
            for start in range(0, len(wanted), self.batch_size):
                self._batches.append((wanted[start : start + self.batch_size], 0))
        return read

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """Lambda's DynamoDB stream record shape (from GetRecords' shape)."""
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        return {
            "eventID": record["eventID"],
            "eventName": record["eventName"],
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": record.get("awsRegion", self.region),
            "dynamodb": dynamodb,
            "eventSourceARN": self.stream_arn,
        }

    def _attempt(self) -> None:
        """Deliver the head batch once and decide what comes next."""
        records, retries = self._batches.popleft()
        try:
            failed = failed_ids(self.function.invoke({"Records": records}))
            if not self.report_item_failures:
                failed = set()
        except FunctionNotReady:
            self._batches.appendleft((records, retries))  # kept for when the handler exists
            return
        except FunctionFailed:
            if self.bisect_on_error and len(records) > 1:
                middle = len(records) // 2
                self._batches.extendleft([(records[middle:], retries), (records[:middle], retries)])
                return
            failed = None
        if failed is not None and not failed:
            return  # delivered
        sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
        progressed = False
        if failed is not None and failed <= set(sequences):
            first = min(sequences.index(s) for s in failed)
            progressed = first > 0
            records = records[first:]
        if retries >= self.maximum_retry_attempts or self._too_old(records):
            self._give_up(records, retries + 1)
            return
        log.info(
            "%s: %d stream record(s) failed (attempt %d); retrying",
            self.function.name,
            len(records),
            retries + 1,
        )
        self._batches.appendleft((records, retries + 1))
        # A batch that got further (its first records went through) is retried from the failed
        # one at once; only a batch stuck on its first record backs off.
        wait = 0.0 if progressed else min(self.max_backoff, self.retry_base * 2 ** min(retries, 16))
        self._next_attempt = self.clock() + wait

    def _too_old(self, records: list[dict[str, Any]]) -> bool:
        if self.maximum_record_age_seconds is None:
            return False
        created = records[0]["dynamodb"].get("ApproximateCreationDateTime")
        return isinstance(created, int) and self.clock() - created > self.maximum_record_age_seconds

    def _give_up(self, records: list[dict[str, Any]], attempts: int) -> None:
        log.warning(
            "%s: %d stream record(s) failed after %d attempt(s)",
            self.function.name,
            len(records),
            attempts,
        )
        if not self.on_failure_queue_url:
            return
        sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
        # The shape of Lambda's on-failure record for stream sources (metadata, not the records).
        self.sqs.send_message(
            QueueUrl=self.on_failure_queue_url,
            MessageBody=json.dumps(
                {
                    "requestContext": {
                        "requestId": str(uuid.uuid4()),
                        "functionArn": f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:"
                        f"{self.function.name}",
                        "condition": "RetryAttemptsExhausted",
                        "approximateInvokeCount": attempts,
                    },
                    "DDBStreamBatchInfo": {
                        "startSequenceNumber": sequences[0],
                        "endSequenceNumber": sequences[-1],
                        "batchSize": len(records),
                        "streamArn": self.stream_arn,
                    },
                    "timestamp": datetime.now(UTC).isoformat(),
                }
            ),
        )
