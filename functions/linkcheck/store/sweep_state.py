"""The sweep's own state in the single table: its lease, how far it got, and the due index.

Items: pk=``SWEEP``, sk=``STATE`` (``swept_until``: where the last sweep ended, and the lease:
``lease_owner``, ``lease_until``) and sk=``INTERVALS`` (``intervals``: the set of intervals in
use, so a sweep knows which partitions of the ``due`` index to read). The due index itself
(``due_shard``/``due_at`` on each link item, see ``domain/schedule.py``) is read here too.

boto3 is never imported here: clients come from ``linkcheck.aws`` when first needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..awsrequest.dynamodb_codec import Item, from_attr, from_item, values
from ..awsretry import is_retryable
from ..domain import schedule
from ._layout import LINK_PREFIX, item_key
from ._table import TableRepository

SWEEP_PK = "SWEEP"
QUERY_ATTEMPTS = 4  # per page of the due index, on top of the client's own retries
FIRST_SWEEP_LOOKBACK = 3600  # seconds a first-ever sweep looks back (links registered before it)

_known_intervals: set[tuple[str, int]] = set()  # (table, interval) already in the SWEEP set


class SweepState(TableRepository):
    """The sweep lease, the intervals in use, and the due links of a window."""

    def ensure_intervals(self, intervals: set[int]) -> None:
        """Add intervals to the set the sweep reads (skipped when already known here)."""
        missing = {i for i in intervals if (self.table, i) not in _known_intervals}
        if not missing:
            return
        self.client.update_item(
            TableName=self.table,
            Key=item_key(SWEEP_PK, "INTERVALS"),
            UpdateExpression="ADD intervals :new SET kind = :kind",
            ExpressionAttributeValues=values(new=missing, kind="sweep"),
        )
        _known_intervals.update((self.table, i) for i in missing)

    def intervals(self) -> list[int]:
        response = self.client.get_item(
            TableName=self.table,
            Key=item_key(SWEEP_PK, "INTERVALS"),
            ConsistentRead=True,
        )
        stored = from_item(response.get("Item", {})).get("intervals", set())
        return sorted(int(value) for value in stored)

    def due_links(
        self, interval: int, shard: int, low: str, high: str
    ) -> Iterator[tuple[str, str]]:
        """(tenant, link id) of links whose phase is in [low, high], from the due index."""
        start: Item | None = None
        while True:
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": "due",
                "KeyConditionExpression": "due_shard = :shard AND due_at BETWEEN :low AND :high",
                "ExpressionAttributeValues": values(
                    shard=schedule.due_shard(interval, shard), low=low, high=high
                ),
            }
            if start:
                kwargs["ExclusiveStartKey"] = start
            response = self._query_page(kwargs)
            for item in response.get("Items", []):
                pk, sk = from_attr(item["pk"]), from_attr(item["sk"])
                yield pk.removeprefix("T#"), sk.removeprefix(LINK_PREFIX)
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    def _query_page(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """One page of the due index, asked again (same start key) while DynamoDB throttles
        or fails transiently: a sweep makes dozens of these, and one failure after the
        client's own retries would otherwise throw the whole sweep away and start it over."""
        for attempt in range(QUERY_ATTEMPTS):
            try:
                response: dict[str, Any] = self.client.query(**kwargs)  # type: ignore[assignment]
                return response
            except Exception as exc:
                if attempt + 1 >= QUERY_ATTEMPTS or not _retryable(exc):
                    raise
                self.pause_before_retry(attempt)
        raise AssertionError("unreachable")

    def acquire_sweep(self, owner: str, *, now: int, lease_seconds: int) -> int | None:
        """Take the sweep lease; returns where the last sweep ended (None: lease is taken).

        A conditional write: of two overlapping sweeps exactly one gets the window, so a link
        is never enqueued twice for the same due time.
        """
        client = self.client
        try:
            response = client.update_item(
                TableName=self.table,
                Key=item_key(SWEEP_PK, "STATE"),
                UpdateExpression="SET lease_owner = :owner, lease_until = :until, kind = :kind",
                ConditionExpression="attribute_not_exists(lease_until) OR lease_until < :now",
                ExpressionAttributeValues=values(
                    owner=owner, until=now + lease_seconds, now=now, kind="sweep"
                ),
                ReturnValues="ALL_NEW",
            )
        except client.exceptions.ConditionalCheckFailedException:
            return None
        swept = from_item(response["Attributes"]).get("swept_until")
        return int(swept) if swept is not None else now - FIRST_SWEEP_LOOKBACK

    def release_sweep(self, owner: str) -> bool:
        """Give the lease back without moving ``swept_until`` (a sweep that failed part way):
        the next sweep covers the same window at once instead of after the lease."""
        client = self.client
        try:
            client.update_item(
                TableName=self.table,
                Key=item_key(SWEEP_PK, "STATE"),
                UpdateExpression="REMOVE lease_owner, lease_until",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues=values(owner=owner),
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def finish_sweep(self, owner: str, *, end: int) -> bool:
        """Record the covered window and release the lease (False: the lease was lost)."""
        client = self.client
        try:
            client.update_item(
                TableName=self.table,
                Key=item_key(SWEEP_PK, "STATE"),
                UpdateExpression="SET swept_until = :end REMOVE lease_owner, lease_until",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues=values(end=end, owner=owner),
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True


def _retryable(exc: Exception) -> bool:
    """A throttling or transient AWS error answer (botocore's ``ClientError`` shape)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    return is_retryable(code, response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
