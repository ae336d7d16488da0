"""The base of the repositories over the single table, and what a throttled batch call raises."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .. import aws
from ..awsrequest.dynamodb_codec import Item, values
from ..awsretry import backoff
from ..settings import get_settings
from ._cursors import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# BatchGetItem / BatchWriteItem leftovers (UnprocessedKeys / UnprocessedItems: DynamoDB throttled
# part of the batch) are asked again this many times in all, pausing in between.
BATCH_ATTEMPTS = 8
BATCH_BACKOFF_BASE = 0.05  # seconds; doubles per attempt, full jitter
BATCH_BACKOFF_CAP = 2.0  # worst case, all pauses together: about 5 s
BATCH_GET_SIZE = 100  # BatchGetItem's maximum keys per request
# A transaction cancelled only because another one was writing the same item (a tenant's
# counters, stats.py) is sent again this many times in all, with the same pauses.
TRANSACTION_ATTEMPTS = 8
CONDITION_FAILED = "ConditionalCheckFailed"  # a transaction item's cancellation code


class BatchIncomplete(Exception):
    """DynamoDB still left part of a batch read or write unprocessed after every attempt (or
    refused a batch write outright).

    Never treated as "not found" or "written": the caller fails its work so it is done again
    (the worker's SQS message is retried, and dead-lettered if it keeps failing).
    ``unprocessed``: the keys (read) or put requests (write) left over.
    """

    def __init__(self, operation: str, unprocessed: list[Item]) -> None:
        super().__init__(
            f"{operation}: {len(unprocessed)} request(s) still unprocessed after "
            f"{BATCH_ATTEMPTS} attempts, or refused (DynamoDB is throttling)"
        )
        self.operation = operation
        self.unprocessed = unprocessed


class TableRepository:
    """Holds the table name and a DynamoDB client, created on first use.

    Tests and the local stack pass their own (moto-backed) client; in Lambda the shared client
    of ``linkcheck.aws`` is used, and only when a method actually talks to DynamoDB, so merely
    importing a repository never loads boto3.
    """

    def __init__(self, client: DynamoDBClient | None = None, table: str | None = None) -> None:
        self._client = client
        self.table = table or get_settings().table_name
        self.sleep: Callable[[float], None] = time.sleep  # tests record the pauses instead

    def pause_before_retry(self, attempt: int) -> None:
        """Back off before asking again for what a batch call left unprocessed."""
        self.sleep(backoff(attempt, base=BATCH_BACKOFF_BASE, cap=BATCH_BACKOFF_CAP))

    def batch_get(self, keys: Sequence[Item]) -> Iterator[Item]:
        """The items of ``keys`` that exist (consistent reads, 100 keys per request).

        Keys DynamoDB leaves unprocessed are asked again with backoff; raises
        ``BatchIncomplete`` if some remain after ``BATCH_ATTEMPTS``: those items may well
        exist, so the caller must never take them for missing.
        """
        for start in range(0, len(keys), BATCH_GET_SIZE):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": list(keys[start : start + BATCH_GET_SIZE]),
                    "ConsistentRead": True,
                }
            }
            for attempt in range(BATCH_ATTEMPTS):
                if attempt:
                    self.pause_before_retry(attempt - 1)
                response = self.client.batch_get_item(RequestItems=request)
                yield from response.get("Responses", {}).get(self.table, [])
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise BatchIncomplete("BatchGetItem", list(request[self.table]["Keys"]))

    def transact(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write ``items`` in one transaction: ``[]`` when written, else the cancellation
        reason of each item, in order, when a condition failed (``{"Code":
        "ConditionalCheckFailed", "Item": ...}`` where it failed, ``{"Code": "None"}`` elsewhere).

        Cancelled only by conflicts with concurrent transactions, it is sent again (jittered
        backoff): several writers share a tenant's counter item. botocore gives the call an
        idempotency token, so its own retries of a lost answer never apply a transaction twice.
        """
        client = self.client
        for attempt in range(TRANSACTION_ATTEMPTS):
            if attempt:
                self.pause_before_retry(attempt - 1)
            try:
                client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
                return []
            except client.exceptions.TransactionCanceledException as exc:
                reasons: list[dict[str, Any]] = [
                    dict(reason) for reason in exc.response.get("CancellationReasons") or []
                ]
                codes = {reason.get("Code") for reason in reasons}
                if CONDITION_FAILED in codes:
                    return reasons
                if codes & {"TransactionConflict"} and attempt + 1 < TRANSACTION_ATTEMPTS:
                    continue
                raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = aws.dynamodb()
        return self._client

    def newest_first(
        self, pk: str, prefix: str, *, limit: int, cursor: str | None, now: int | None
    ) -> tuple[list[Item], str | None]:
        """One page of the items under ``pk`` whose sort key starts with ``prefix``, newest
        first, without those past their ``expires_at`` (moto, and DynamoDB for up to a few
        days, keep expired items), and the opaque cursor of the next page (None: last page)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "FilterExpression": "expires_at > :now",
            "ExpressionAttributeValues": values(
                pk=pk, prefix=prefix, now=now if now is not None else int(time.time())
            ),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, pk, prefix=prefix)
        response = self.client.query(**kwargs)
        last = response.get("LastEvaluatedKey")
        return response.get("Items", []), encode_cursor(last) if last else None
