"""Reading any event item as the notifier's message of the right kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.events import EventType
from .audit_messages import AuditEvent
from .messages import EventMessage, LinkEvent


def read_event(item: Mapping[str, Any]) -> EventMessage:
    """An ``audit.completed`` item as an ``AuditEvent``, anything else as a ``LinkEvent``.

    Raises ``MalformedEvent`` when the item lacks what its notification needs.
    """
    if item.get("type") == EventType.AUDIT_COMPLETED:
        return AuditEvent.from_item(item)
    return LinkEvent.from_item(item)
