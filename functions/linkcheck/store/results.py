"""Result history: pk=``T#<tenant>#L#<link id>``, sk=``R#<checked_at>#<n>``, kind=``result``.

Each item is a CheckResult dict plus the link's ``state`` after it and ``expires_at`` (epoch
seconds, DynamoDB TTL after ``HISTORY_RETENTION_DAYS``). By default the worker records a result
when it differs from the link's previous one (status or reason) or changed the state; identical
repeats only update the link's latest result. ``HISTORY_EVERY_CHECK=1`` records every check
(one more write per check, batched 25 per request; see docs/capacity.md).

Readers filter on ``expires_at`` because TTL deletion lags (and never happens in moto).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..awsrequest.dynamodb_codec import Item, from_item, to_item
from ..engine.verdict import CheckResult
from ._table import BATCH_ATTEMPTS, BatchIncomplete, TableRepository

RESULT_PREFIX = "R#"
BATCH_WRITE_SIZE = 25  # BatchWriteItem maximum


def history_pk(tenant: str, link_id: str) -> str:
    return f"T#{tenant}#L#{link_id}"


def epoch_of(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp())


def history_item(
    tenant: str, link_id: str, result: CheckResult, *, state: str, seq: int, retention_days: int
) -> Item:
    data = result.to_dict()
    return to_item(
        {
            "pk": history_pk(tenant, link_id),
            "sk": f"{RESULT_PREFIX}{result.checked_at}#{seq:08d}",
            "kind": "result",
            "link_id": link_id,
            "state": state,
            "result": data,
            "expires_at": epoch_of(result.checked_at) + retention_days * 86400,
        }
    )


@dataclass(frozen=True, slots=True)
class HistoryPage:
    results: list[dict[str, Any]]
    cursor: str | None


class ResultStore(TableRepository):
    def put_many(self, items: Sequence[Item]) -> None:
        """Unconditional puts (new, unique keys), 25 per BatchWriteItem.

        Items DynamoDB leaves unprocessed are sent again with backoff; raises
        ``BatchIncomplete`` (``unprocessed``: the items not written, from every request) if some
        remain after ``BATCH_ATTEMPTS``, or were refused (throttled past the client's own
        retries). The other requests are still made, so the caller knows exactly what is left.
        """
        left: list[Item] = []
        refused: Exception | None = None
        client = self.client
        for start in range(0, len(items), BATCH_WRITE_SIZE):
            chunk = items[start : start + BATCH_WRITE_SIZE]
            pending: dict[str, Any] = {self.table: [{"PutRequest": {"Item": i}} for i in chunk]}
            try:
                for attempt in range(BATCH_ATTEMPTS):
                    if attempt:
                        self.pause_before_retry(attempt - 1)
                    response = client.batch_write_item(RequestItems=pending)
                    pending = response.get("UnprocessedItems") or {}
                    if not pending:
                        break
            except client.exceptions.ClientError as exc:  # throttled past the client's retries
                refused = exc
            if pending:
                left.extend(request["PutRequest"]["Item"] for request in pending[self.table])
        if left:
            raise BatchIncomplete("BatchWriteItem", left) from refused

    def replace(self, stale: Item | None, fresh: Item | None) -> None:
        """Put ``fresh``, then delete ``stale`` (a history item keyed with a version the link
        never got): the check stays in the history once, under the version it is saved as.
        Either may be None (not worth a history item under that version)."""
        if fresh is not None:
            self.put_many([fresh])
        if stale is not None and (fresh is None or stale["sk"] != fresh["sk"]):
            key = {"pk": stale["pk"], "sk": stale["sk"]}
            self.client.delete_item(TableName=self.table, Key=key)

    def history(
        self,
        tenant: str,
        link_id: str,
        *,
        limit: int = 50,
        cursor: str | None = None,
        now: int | None = None,
    ) -> HistoryPage:
        """Results newest first; expired ones (past retention) are never shown."""
        items, next_cursor = self.newest_first(
            history_pk(tenant, link_id), RESULT_PREFIX, limit=limit, cursor=cursor, now=now
        )
        results = []
        for item in items:
            data = from_item(item)
            results.append({**data["result"], "state": data["state"]})
        return HistoryPage(results=results, cursor=next_cursor)
