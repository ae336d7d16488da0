"""Per-key rate limit: a fixed one-minute window counted in DynamoDB.

One item per key and window (``pk=RATE#<key id>#<window>``, ``sk=RATE``), incremented with an
atomic ``ADD`` so concurrent requests never lose a count, and expired by TTL soon after the
window closes. Requests over the limit still count: a client hammering a full window gains
nothing. ``decide`` is the pure part; ``RateLimiter`` does the one write.

The api function counts every authenticated request here, on the ``/check`` path too, so the
write goes through ``linkcheck.awsrequest`` (SigV4 over http.client), never boto3. Any failure
of the store is one ``RateStoreUnavailable``; the caller decides what it means (the api fails
open).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from ..awsrequest import DynamoDBError, DynamoDBHttpClient
from ..awsrequest.dynamodb_codec import from_attr, to_item, values

WINDOW_SECONDS = 60
# Keep a bucket a little past its window (DynamoDB deletes expired items within days anyway).
EXPIRY_GRACE_SECONDS = 300


class RateStoreUnavailable(Exception):
    """The counter could not be read or written (DynamoDB refused, timed out, answered oddly)."""


class UpdatesItems(Protocol):
    """The one call the limiter makes (``DynamoDBHttpClient``; tests hand in a fake)."""

    def update_item(self, **params: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    count: int  # requests seen in this window, this one included
    limit: int
    retry_after: int  # seconds until the window resets; 0 when allowed


def window_of(now: float, window_seconds: int = WINDOW_SECONDS) -> int:
    """The number of the fixed window ``now`` falls in."""
    return int(now // window_seconds)


def decide(
    count: int, *, limit: int, now: float, window_seconds: int = WINDOW_SECONDS
) -> RateDecision:
    """Whether the ``count``-th request of the current window is within ``limit``."""
    if count <= limit:
        return RateDecision(allowed=True, count=count, limit=limit, retry_after=0)
    window_end = (window_of(now, window_seconds) + 1) * window_seconds
    retry_after = max(1, math.ceil(window_end - now))
    return RateDecision(allowed=False, count=count, limit=limit, retry_after=retry_after)


class RateLimiter:
    def __init__(
        self,
        client: UpdatesItems | None = None,
        table_name: str | None = None,
        *,
        window_seconds: int = WINDOW_SECONDS,
    ) -> None:
        if client is None:
            client = DynamoDBHttpClient()
        if table_name is None:
            from ..settings import get_settings

            table_name = get_settings().table_name
        self._client = client
        self._table = table_name
        self._window_seconds = window_seconds

    def hit(self, key_id: str, *, limit: int, now: float | None = None) -> RateDecision:
        """Count one request of ``key_id``; a ``limit`` of 0 or less means unlimited.

        Raises ``RateStoreUnavailable`` when the count cannot be made.
        """
        if limit <= 0:
            return RateDecision(allowed=True, count=0, limit=limit, retry_after=0)
        now = time.time() if now is None else now
        window = window_of(now, self._window_seconds)
        expires_at = (window + 1) * self._window_seconds + EXPIRY_GRACE_SECONDS
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": f"RATE#{key_id}#{window}", "sk": "RATE"}),
                UpdateExpression="ADD hits :one SET kind = :kind, expires_at = :expires_at",
                ExpressionAttributeValues=values(one=1, kind="rate", expires_at=expires_at),
                ReturnValues="UPDATED_NEW",
            )
        except DynamoDBError as exc:
            raise RateStoreUnavailable(str(exc)) from exc
        count = _count_of(response)
        return decide(count, limit=limit, now=now, window_seconds=self._window_seconds)


def _count_of(response: Any) -> int:
    """The ``hits`` counter an UpdateItem answer carries (RateStoreUnavailable: none there)."""
    try:
        count = from_attr(response["Attributes"]["hits"])
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise _unexpected(response) from exc
    if type(count) is not int:  # a count: not a bool, a float or a string
        raise _unexpected(response)
    return count


def _unexpected(response: Any) -> RateStoreUnavailable:
    return RateStoreUnavailable(f"unexpected UpdateItem answer: {response!r}"[:300])
