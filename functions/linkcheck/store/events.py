"""Event items, read by the notifier and the ``/events`` feed: one per confirmed link
transition (``link.*``) and one per completed audit (``audit.completed``).

Link event item shape (the notifier's contract; the template's stream filter matches INSERTs
with ``kind`` = ``event``)::

    pk          "T#<tenant>"
    sk          "EVT#<id>"
    kind        "event"
    id          26-char time-ordered id (ULID layout: 48-bit ms time + 80 random bits,
                Crockford base32), unique, sortable: newer events sort after older ones
    type        "link.broken" | "link.restricted" | "link.down" | "link.recovered"
    tenant      tenant id
    link_id     the link's id
    url         the link's normalised URL
    host        the link's host
    occurred_at UTC ISO 8601 (the checked_at of the confirming result)
    result      CheckResult.to_dict() of the confirming check
    previous    the link's state before ("unchecked", "ok", "broken", "restricted", "down")
    state       the link's state after
    notify      the link's ``notify`` flag (False: record the event, send nothing)
    tags        the link's tags
    smartlinks  (only when the link is the target of smart links) ``[{slug, serving}]``: what
                each serves after this transition, switched in the same transaction
    correlation_id  (when known) the id of the sweep/request that led to the check
    expires_at  epoch seconds (TTL, after HISTORY_RETENTION_DAYS)

The event is written in the same transaction as the link's state change, so a retried or
duplicated check can never write a second event for the same transition.

Audit event item shape (written in the transaction that marks the audit completed, so an audit
completes, and is announced, once)::

    pk, sk, kind, id, tenant   as above
    type        "audit.completed"
    audit_id    the audit's id
    url         the audited URL (page, site or folder)
    host        its host
    mode        how it was audited (e.g. "page", "site")
    counts      {status: number of links}, e.g. {"ok": 40, "broken": 2}
    pages       pages read
    links       distinct links checked
    started_at  UTC ISO 8601
    occurred_at UTC ISO 8601: when the audit completed
    correlation_id  (when known)
    expires_at  epoch seconds (TTL, after HISTORY_RETENTION_DAYS)

Audit events have no ``notify`` flag: they always go to the tenant's subscribers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..awsrequest.dynamodb_codec import Item, from_item, to_item, values
from ..domain.events import EventType
from ..engine.verdict import CheckResult
from ..observability import CORRELATION_ID_FIELD
from ..observability import correlation_id as current_correlation_id
from ._cursors import decode_cursor, encode_cursor
from ._table import TableRepository
from .results import epoch_of

EVENT_PREFIX = "EVT#"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_event_id(now_ms: int | None = None) -> str:
    """A ULID-style id: time-ordered to the millisecond, random below."""
    stamp = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    value = (stamp << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What an event says about the link it concerns."""

    tenant: str
    link_id: str
    url: str
    host: str
    notify: bool
    tags: tuple[str, ...] = ()


def event_item(
    facts: EventFacts,
    *,
    type_: str,
    result: CheckResult,
    previous: str,
    state: str,
    retention_days: int,
    correlation: str | None = None,
    smartlinks: Sequence[tuple[str, str]] = (),
) -> Item:
    """The event item; ``correlation`` defaults to the correlation id of the work in progress;
    ``smartlinks``: (slug, serving) of each smart link the transition switched."""
    event_id = new_event_id()
    data: dict[str, Any] = {
        "pk": f"T#{facts.tenant}",
        "sk": EVENT_PREFIX + event_id,
        "kind": "event",
        "id": event_id,
        "type": type_,
        "tenant": facts.tenant,
        "link_id": facts.link_id,
        "url": facts.url,
        "host": facts.host,
        "occurred_at": result.checked_at,
        "result": result.to_dict(),
        "previous": previous,
        "state": state,
        "notify": facts.notify,
        "tags": list(facts.tags),
        "expires_at": epoch_of(result.checked_at) + retention_days * 86400,
    }
    if smartlinks:
        data["smartlinks"] = [{"slug": slug, "serving": serving} for slug, serving in smartlinks]
    trace = correlation or current_correlation_id()
    if trace:
        data[CORRELATION_ID_FIELD] = trace  # follows the check into the notifier's logs
    return to_item(data)


def audit_completed_item(
    *,
    tenant: str,
    audit_id: str,
    url: str,
    mode: str,
    counts: Mapping[str, int],
    pages: int,
    links: int,
    started_at: str,
    completed_at: str,
    correlation_id: str | None = None,
    retention_days: int | None = None,
) -> Item:
    """The ``audit.completed`` event item: a plain item to put in the completing transaction.

    ``correlation_id`` defaults to the correlation id of the work in progress;
    ``retention_days`` to ``HISTORY_RETENTION_DAYS`` (as link events).
    """
    if retention_days is None:
        from ..settings import get_settings

        retention_days = get_settings().history_retention_days
    event_id = new_event_id()
    data: dict[str, Any] = {
        "pk": f"T#{tenant}",
        "sk": EVENT_PREFIX + event_id,
        "kind": "event",
        "id": event_id,
        "type": EventType.AUDIT_COMPLETED.value,
        "tenant": tenant,
        "audit_id": audit_id,
        "url": url,
        "host": (urlsplit(url).hostname or "").lower(),
        "mode": mode,
        "counts": {str(status): int(n) for status, n in counts.items()},
        "pages": int(pages),
        "links": int(links),
        "started_at": started_at,
        "occurred_at": completed_at,
        "expires_at": epoch_of(completed_at) + retention_days * 86400,
    }
    trace = correlation_id or current_correlation_id()
    if trace:
        data[CORRELATION_ID_FIELD] = trace
    return to_item(data)


_LINK_FEED_FIELDS = (
    "id",
    "type",
    "link_id",
    "url",
    "host",
    "occurred_at",
    "previous",
    "state",
    "notify",
    "tags",
    "result",
)
_AUDIT_FEED_FIELDS = (
    "id",
    "type",
    "audit_id",
    "url",
    "host",
    "mode",
    "counts",
    "pages",
    "links",
    "started_at",
    "occurred_at",
)
TYPED_READ_SIZE = 100  # items read per query when only some types are wanted
TYPED_MAX_READS = 10  # then the page ends (maybe short) with a cursor to read on


def feed_entry(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of an event the feed shows (by its kind; plain values)."""
    audit = data.get("type") == EventType.AUDIT_COMPLETED
    fields = _AUDIT_FEED_FIELDS if audit else _LINK_FEED_FIELDS
    return {name: data.get(name) for name in fields}


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[dict[str, Any]]
    cursor: str | None


class EventStore(TableRepository):
    def feed(
        self,
        tenant: str,
        *,
        limit: int = 50,
        cursor: str | None = None,
        now: int | None = None,
        types: Collection[str] = (),
    ) -> EventPage:
        """A tenant's events, newest first (the Zapier polling trigger reads this); only those
        of ``types`` when given."""
        if types:
            items, next_cursor = self._newest_of_types(
                tenant, sorted(set(types)), limit=limit, cursor=cursor, now=now
            )
        else:
            items, next_cursor = self.newest_first(
                f"T#{tenant}", EVENT_PREFIX, limit=limit, cursor=cursor, now=now
            )
        return EventPage(events=[feed_entry(from_item(i)) for i in items], cursor=next_cursor)

    def _newest_of_types(
        self, tenant: str, types: list[str], *, limit: int, cursor: str | None, now: int | None
    ) -> tuple[list[Item], str | None]:
        """Like ``newest_first``, filtered on ``type``. DynamoDB filters after reading, so this
        reads in larger steps, and a bounded number of them: a page can come back short (even
        empty) with a cursor when the wanted types are rare; the next page goes on from there."""
        pk = f"T#{tenant}"
        names = {f"t{n}": t for n, t in enumerate(types)}
        wanted = ", ".join(":" + name for name in names)
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "FilterExpression": f"expires_at > :now AND #type IN ({wanted})",
            "ExpressionAttributeNames": {"#type": "type"},
            "ExpressionAttributeValues": values(
                pk=pk,
                prefix=EVENT_PREFIX,
                now=now if now is not None else int(time.time()),
                **names,
            ),
            "ScanIndexForward": False,
            "Limit": max(limit, TYPED_READ_SIZE),
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, pk, prefix=EVENT_PREFIX)
        found: list[Item] = []
        for _ in range(TYPED_MAX_READS):
            response = self.client.query(**kwargs)
            found += response.get("Items", [])
            last = response.get("LastEvaluatedKey")
            if len(found) >= limit:
                if len(found) > limit or last:  # more may follow the last item shown
                    return found[:limit], encode_cursor(found[limit - 1])
                return found, None
            if not last:
                return found, None
            kwargs["ExclusiveStartKey"] = last
        return found, encode_cursor(kwargs["ExclusiveStartKey"])  # read on from there next time
