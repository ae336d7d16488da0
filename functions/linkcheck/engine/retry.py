"""When to try again: ``Retry-After`` parsing and exponential backoff (pure)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

MAX_BACKOFF = 8.0  # seconds; a pause never grows past this


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    from email.utils import parsedate_to_datetime  # rare (HTTP dates); costs start-up otherwise

    try:
        when: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    waited: float = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, float(waited))


def backoff_delay(attempt: int, base: float) -> float:
    """Pause before retry number ``attempt + 1``: base * 2**attempt with jitter, capped."""
    return min(MAX_BACKOFF, base * float(1 << min(attempt, 16))) * (0.5 + random.random() / 2)
