"""The types of event subscribers receive (SNS, webhooks, Zapier, ``GET /events``)."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    # A confirmed transition of one monitored link (domain.transitions emits these).
    BROKEN = "link.broken"
    RESTRICTED = "link.restricted"
    DOWN = "link.down"
    RECOVERED = "link.recovered"
    # An audit (every link of a page, site or folder, checked once) finished.
    AUDIT_COMPLETED = "audit.completed"


LINK_EVENT_TYPES: frozenset[EventType] = frozenset(
    {EventType.BROKEN, EventType.RESTRICTED, EventType.DOWN, EventType.RECOVERED}
)
