"""Pumps: what Lambda's event source mappings, the scheduler and SNS do, done locally.

Each pump has ``pump_once(wait_seconds)`` (handle what is there now, return how many records
it handed over) and is driven either by a background thread (``Runner``) or synchronously by
tests (``Runner.drain``). A lock per pump keeps the two from interleaving.

- ``QueuePump``: SQS queue -> function, Lambda's SQS event shape; successful messages are
  deleted, failures (``batchItemFailures`` or an error) stay for redelivery, and moto moves them
  to the dead-letter queue after ``maxReceiveCount``.
- ``StreamPump``: DynamoDB stream -> function, with the template's filter patterns, item
  failures, retries with back-off (the stream waits), bisection on error, maximum record age
  and the on-failure SQS destination.
- ``SchedulePump``: invokes a scheduled function every ``every`` seconds (and on ``tick()``).
- ``NotificationPump``: an internal SQS queue subscribed to an SNS topic; prints each message.
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
from typing import Any, Protocol

from .event_filter import matches_any
from .functions import ACCOUNT_ID, Function, FunctionFailed, FunctionNotReady

log = logging.getLogger("linkcheck.dev")


class Pump(Protocol):
    name: str

    def pump_once(self, wait_seconds: int = 0) -> int: ...


def _failed_ids(result: Any) -> set[str] | None:
    """Item identifiers of a ReportBatchItemFailures response; None means "the whole batch"."""
    if result is None or not isinstance(result, dict):
        return set()
    failures = result.get("batchItemFailures") or []
    ids: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier:
            return None  # Lambda treats a malformed failure report as a failed batch
        ids.add(str(identifier))
    return ids


# ---------------------------------------------------------------------------------- SQS


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
        self.lock = threading.Lock()

    def pump_once(self, wait_seconds: int = 0) -> int:
        if not self.function.ready:
            return 0
        with self.lock:
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
            try:
                failed = _failed_ids(self.function.invoke(event))
            except FunctionNotReady:
                self._release(messages)  # not built yet: leave them for when it is
                return 0
            except FunctionFailed:
                failed = None
            if not self.report_item_failures and failed:
                failed = set()  # without ReportBatchItemFailures the response is ignored
            all_ids = {m["MessageId"] for m in messages}
            if failed is None or not failed <= all_ids:
                failed = all_ids
            done = [m for m in messages if m["MessageId"] not in failed]
            if failed:
                log.info("%s: %d message(s) failed, left for redelivery", self.name, len(failed))
            for start in range(0, len(done), 10):
                self.sqs.delete_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done[start : start + 10])
                    ],
                )
            if self.retry_after_seconds is not None:
                self._release(
                    [m for m in messages if m["MessageId"] in failed], self.retry_after_seconds
                )
            return len(messages)

    def _release(self, messages: list[dict[str, Any]], after: int = 0) -> None:
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=after,
            )


# ---------------------------------------------------------------------------------- streams


class StreamPump:
    """A DynamoDB stream mapping. A failing batch blocks the stream, as in AWS: it is retried
    (backing off from ``retry_after_seconds``, doubling up to a minute) until it succeeds, its
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
            return 0
        with self.lock:
            if not self._batches:
                self._read()
            if self._batches and self.clock() >= self._next_attempt:
                records, _ = self._batches[0]
                self._attempt()
                return len(records)
        if wait_seconds:
            time.sleep(min(wait_seconds, 1))  # streams have no long polling
        return 0

    def _read(self) -> None:
        for shard_id, iterator in list(self._iterators.items()):
            response = self.streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
            if response.get("NextShardIterator"):
                self._iterators[shard_id] = response["NextShardIterator"]
            records = [self._lambda_record(r) for r in response.get("Records", [])]
            wanted = [r for r in records if matches_any(self.filter_patterns, r)]
            self.skipped += len(records) - len(wanted)
            if wanted:
                self._batches.append((wanted, 0))

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
            failed = _failed_ids(self.function.invoke({"Records": records}))
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
        if failed is not None and failed <= set(sequences):
            records = records[min(sequences.index(s) for s in failed) :]
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
        self._next_attempt = self.clock() + min(60.0, self.retry_base * 2 ** min(retries, 16))

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


# ---------------------------------------------------------------------------------- schedules


def scheduled_event(schedule_arn: str, region: str) -> dict[str, Any]:
    """What a schedule without an Input delivers: an EventBridge "Scheduled Event"."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [schedule_arn],
        "detail": {},
    }


class SchedulePump:
    def __init__(
        self,
        *,
        name: str,
        function: Function,
        every: float | None,
        payload: Any | None,
        region: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = f"schedule {name} -> {function.name}"
        self.schedule_arn = f"arn:aws:scheduler:{region}:{ACCOUNT_ID}:schedule/default/{name}"
        self.function = function
        self.every = every
        self.payload = payload
        self.region = region
        self.clock = clock
        self.lock = threading.Lock()
        self._next = clock() + every if every else None

    def tick(self) -> Any:
        """Invoke the function now; its result, or None when it failed or is not built."""
        event = (
            self.payload
            if self.payload is not None
            else scheduled_event(self.schedule_arn, self.region)
        )
        with self.lock:
            try:
                return self.function.invoke(event)
            except (FunctionNotReady, FunctionFailed):
                return None  # logged by LocalFunction; the next tick tries again

    def pump_once(self, wait_seconds: int = 0) -> int:
        """Tick when due (the background thread's step; draining never ticks a schedule)."""
        if self._next is None or self.every is None:
            return 0
        now = self.clock()
        if now < self._next:
            if wait_seconds:
                time.sleep(min(wait_seconds, self._next - now))
            return 0
        self._next = now + self.every
        self.tick()
        return 1


# ---------------------------------------------------------------------------------- SNS


def describe_notification(envelope: dict[str, Any]) -> str:
    """One console line for an SNS notification: ``[notify] link.broken https://... (Subject)``."""
    attributes = envelope.get("MessageAttributes") or {}
    event_type = (attributes.get("event_type") or {}).get("Value", "")
    url = ""
    try:
        message = json.loads(envelope.get("Message", ""))
    except ValueError:
        message = None
    if isinstance(message, dict):
        event_type = event_type or str(message.get("type") or message.get("event_type") or "")
        for holder in (message.get("link"), message.get("result"), message):
            if isinstance(holder, dict) and holder.get("url"):
                url = str(holder["url"])
                break
    parts = [p for p in ("[notify]", event_type or "message", url) if p]
    subject = envelope.get("Subject")
    line = " ".join(parts)
    return f"{line} ({subject})" if subject else line


class NotificationPump:
    def __init__(
        self,
        *,
        sqs: Any,
        queue_url: str,
        topic_arn: str,
        on_notification: Callable[[dict[str, Any], str], None],
    ) -> None:
        self.name = f"topic {topic_arn.rsplit(':', 1)[-1]} -> console"
        self.sqs = sqs
        self.queue_url = queue_url
        self.topic_arn = topic_arn
        self.on_notification = on_notification
        self.lock = threading.Lock()

    def pump_once(self, wait_seconds: int = 0) -> int:
        with self.lock:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
            ).get("Messages", [])
            for message in messages:
                try:
                    envelope = json.loads(message["Body"])
                except ValueError:
                    envelope = {"Message": message["Body"]}
                self.on_notification(envelope, describe_notification(envelope))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
            return len(messages)


# ---------------------------------------------------------------------------------- runner


class Runner:
    """Drives pumps: one background thread each (``start``), or synchronously (``drain``)."""

    def __init__(self, pumps: list[Pump], *, wait_seconds: int = 1) -> None:
        self.pumps = pumps
        self.wait_seconds = wait_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stop.clear()
        for pump in self.pumps:
            thread = threading.Thread(
                target=self._loop, args=(pump,), daemon=True, name=f"pump {pump.name}"
            )
            thread.start()
            self._threads.append(thread)

    def _loop(self, pump: Pump) -> None:
        while not self._stop.is_set():
            try:
                pump.pump_once(self.wait_seconds)
            # A pump must survive a failing poll (moto restarting, a bad record): log, go on.
            except Exception:
                log.exception("%s: poll failed", pump.name)
                self._stop.wait(1)

    def drain(self, *, max_rounds: int = 50) -> int:
        """Pump until a full round finds nothing (bounded); the number of records handled."""
        total = 0
        for _ in range(max_rounds):
            handled = sum(
                pump.pump_once(0) for pump in self.pumps if not isinstance(pump, SchedulePump)
            )
            total += handled
            if not handled:
                break
        return total

    def request_stop(self) -> None:
        """Ask the pumps to stop after what they are doing (``stop`` waits for them)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
