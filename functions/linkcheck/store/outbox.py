"""Published marks: exactly one notification per event and channel, across retries and crashes.

A notification is sent in three steps, each a single DynamoDB write or call:

1. **claim** the (event, channel) mark with a lease: a conditional write that succeeds only if
   the mark does not exist yet, or exists unpublished with an expired lease;
2. **send** (SNS publish, or the webhook fan-out);
3. **mark published** (and, when sending failed, **release** the lease so a retry can go at once).

A retried stream batch finds the mark published and sends nothing. A crash between 1 and 2
leaves a lease that expires, then a retry sends. The residual window is a crash *between 2 and
3* (sent, not yet marked): after the lease expires a retry sends again, so delivery is
at-least-once with that narrow window; every message carries the stable event id so consumers
can drop the rare duplicate. (An SNS FIFO topic with ``MessageDeduplicationId`` = event id
closes the window for 5 minutes, at the cost of FIFO-only subscribers and no e-mail.)

Item: pk=``OUTBOX#<tenant>#<event id>`` sk=``<channel>``, kind=``outbox``, state
(``claimed``/``published``), lease_until, token, attempts, expires_at (TTL, longer than the
stream's 24 h retention so a mark outlives every retry of its record).
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from ..awsrequest.dynamodb_codec import Item, from_item, values
from ._layout import item_key
from ._table import TableRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEEP_MARKS_SECONDS = 3 * 24 * 3600
DEFAULT_LEASE_SECONDS = 60


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"  # ours: send, then mark published (or release)
    PUBLISHED = "published"  # done before: send nothing
    BUSY = "busy"  # another attempt holds a live lease: try again later


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: ClaimOutcome
    token: str = ""


class Outbox(TableRepository):
    """Claim / mark-published / release of notification marks in the single table."""

    def __init__(
        self,
        table_name: str,
        *,
        client: DynamoDBClient | None = None,
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(client, table_name)
        self._lease = lease_seconds
        self._clock = clock or time.time  # looked up now: a skewed local clock applies

    @staticmethod
    def _key(tenant: str, event_id: str, channel: str) -> Item:
        return item_key(f"OUTBOX#{tenant}#{event_id}", channel)

    def claim(
        self, tenant: str, event_id: str, channel: str, *, attempt: str | None = None
    ) -> Claim:
        """``attempt`` names what is being retried (the stream record): a retry of the same one
        takes its own live lease back at once, for the attempt that took it has ended (it
        failed, or its answer was lost). Without it, each claim is a stranger to the others."""
        now = int(self._clock())
        token = attempt or secrets.token_hex(8)
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(tenant, event_id, channel),
                UpdateExpression=(
                    "SET #state = :claimed, lease_until = :lease, #token = :token, "
                    "kind = :kind, expires_at = :expires ADD attempts :one"
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR "
                    "(#state <> :published AND (lease_until < :now OR #token = :token))"
                ),
                ExpressionAttributeNames={"#state": "state", "#token": "token"},
                ExpressionAttributeValues=values(
                    claimed="claimed",
                    published="published",
                    lease=now + self._lease,
                    now=now,
                    token=token,
                    kind="outbox",
                    expires=now + KEEP_MARKS_SECONDS,
                    one=1,
                ),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            old = from_item(exc.response.get("Item") or {})  # type: ignore[arg-type]
            if old.get("state") == "published":
                return Claim(ClaimOutcome.PUBLISHED)
            return Claim(ClaimOutcome.BUSY)
        return Claim(ClaimOutcome.CLAIMED, token)

    def mark_published(self, tenant: str, event_id: str, channel: str) -> None:
        # Unconditional on purpose: whoever sent, the mark must say so.
        self.client.update_item(
            TableName=self.table,
            Key=self._key(tenant, event_id, channel),
            UpdateExpression="SET #state = :published, published_at = :now REMOVE lease_until",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=values(published="published", now=int(self._clock())),
        )

    def release(self, tenant: str, event_id: str, channel: str, token: str) -> None:
        """Give the lease back after a failed send, so the next retry need not wait for it."""
        # Taken over or published meanwhile: nothing to give back.
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self.client.update_item(
                TableName=self.table,
                Key=self._key(tenant, event_id, channel),
                UpdateExpression="SET lease_until = :zero",
                ConditionExpression="#token = :token AND #state = :claimed",
                ExpressionAttributeNames={"#token": "token", "#state": "state"},
                ExpressionAttributeValues=values(zero=0, token=token, claimed="claimed"),
            )

    def state(self, tenant: str, event_id: str, channel: str) -> str | None:
        item = self.client.get_item(
            TableName=self.table, Key=self._key(tenant, event_id, channel), ConsistentRead=True
        ).get("Item")
        return from_item(item).get("state") if item else None
