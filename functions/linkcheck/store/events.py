"""Event items: one per confirmed link transition, read by the notifier and the ``/events`` feed.

Item shape (the notifier's contract; the template's stream filter matches INSERTs with
``kind`` = ``event``)::

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
    correlation_id  (when known) the id of the sweep/request that led to the check
    expires_at  epoch seconds (TTL, after HISTORY_RETENTION_DAYS)

The event is written in the same transaction as the link's state change, so a retried or
duplicated check can never write a second event for the same transition.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from ..awsrequest.dynamodb_codec import Item, from_item, to_item
from ..engine.verdict import CheckResult
from ..observability import CORRELATION_ID_FIELD, correlation_id
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
) -> Item:
    """The event item; ``correlation`` defaults to the correlation id of the work in progress."""
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
    trace = correlation or correlation_id()
    if trace:
        data[CORRELATION_ID_FIELD] = trace  # follows the check into the notifier's logs
    return to_item(data)


_FEED_FIELDS = (
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


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[dict[str, Any]]
    cursor: str | None


class EventStore(TableRepository):
    def feed(
        self, tenant: str, *, limit: int = 50, cursor: str | None = None, now: int | None = None
    ) -> EventPage:
        """A tenant's events, newest first (the Zapier polling trigger reads this)."""
        items, next_cursor = self.newest_first(
            f"T#{tenant}", EVENT_PREFIX, limit=limit, cursor=cursor, now=now
        )
        events = []
        for item in items:
            data = from_item(item)
            events.append({name: data.get(name) for name in _FEED_FIELDS})
        return EventPage(events=events, cursor=next_cursor)
