"""When to try again: ``Retry-After`` parsing and exponential backoff (pure)."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime

MAX_BACKOFF = 8.0  # seconds; a pause never grows past this
MAX_RETRY_AFTER = 366 * 86400.0  # seconds; a longer Retry-After is read as this
_DELTA = re.compile(r"[0-9]+")  # not str.isdigit(): it also accepts "²" and other digits


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, or None when it is unusable.

    The one parser of the code base (the check engine and the webhook sender both use it).
    Accepts delta-seconds (ASCII digits only) and an HTTP date in any of RFC 9110's three
    forms: IMF-fixdate, the obsolete RFC 850 form and asctime. A date without a zone is read as
    GMT: every HTTP date is GMT by definition and the asctime form never names a zone, so that
    is what the sender meant (browsers and HTTP clients read it the same way). A date in the
    past means 0; waits longer than ``MAX_RETRY_AFTER`` are capped to it. Negative numbers,
    fractions and anything else: None. ``now``: epoch seconds (default: the clock).
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if _DELTA.fullmatch(value):
        if len(value) > len(str(int(MAX_RETRY_AFTER))):  # never build a huge int
            return MAX_RETRY_AFTER
        return min(MAX_RETRY_AFTER, float(int(value)))
    from email.utils import parsedate_to_datetime  # rare (HTTP dates); costs start-up otherwise

    try:
        when: datetime = parsedate_to_datetime(value)
        if when.tzinfo is None:  # asctime, or a zone-less date: GMT (see above)
            when = when.replace(tzinfo=UTC)
        waited = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, waited))


def backoff_delay(attempt: int, base: float) -> float:
    """Pause before retry number ``attempt + 1``: base * 2**attempt with jitter, capped."""
    return min(MAX_BACKOFF, base * float(1 << min(attempt, 16))) * (0.5 + random.random() / 2)
