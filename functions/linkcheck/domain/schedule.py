"""When a link is due: a fixed phase within its interval, found through the ``due`` index.

A link is due at every time ``t`` (integer epoch seconds) with ``t % interval == phase``. The
phase is chosen once, at registration (the registration time plus a small jitter), so the link
is checked soon after it is registered and then once per interval. Because the index key
(``due_shard`` = interval and shard, ``due_at`` = phase) never changes when a link is checked,
the worker's result write costs one write and no index writes (see docs/capacity.md).

A sweep covers the time window ``(start, end]`` since the previous sweep; for each interval in
use and each shard it queries the phases that fall in that window.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

SHARDS = 16  # due-index partitions per interval: spreads registrations and sweep reads
MAX_JITTER_SECONDS = 300  # first checks of a bulk registration spread over up to 5 minutes
PHASE_WIDTH = 10  # zero-padded so that string order is numeric order in the index


def _digest(link_id: str) -> int:
    return int.from_bytes(hashlib.sha256(link_id.encode()).digest()[:8], "big")


def shard_of(link_id: str) -> int:
    return _digest(link_id) % SHARDS


def jitter_seconds(link_id: str, interval: int) -> int:
    """A stable spread in ``[0, min(300 s, interval / 10))`` so bulk imports do not stampede."""
    spread = max(1, min(MAX_JITTER_SECONDS, interval // 10))
    return (_digest(link_id) >> 8) % spread


def phase_for(link_id: str, interval: int, now: int) -> int:
    """The phase of a link (re)scheduled at ``now``: first due shortly after ``now``."""
    return (now + 1 + jitter_seconds(link_id, interval)) % interval


def due_shard(interval: int, shard: int) -> str:
    return f"{interval}#{shard}"


def due_at(phase: int) -> str:
    return f"{phase:0{PHASE_WIDTH}d}"


def next_due(interval: int, phase: int, after: int) -> int:
    """The first due time strictly after ``after`` (epoch seconds)."""
    base = after - (after % interval) + phase
    return base if base > after else base + interval


def next_due_iso(interval: int, phase: int, after: int) -> str:
    moment = datetime.fromtimestamp(next_due(interval, phase, after), UTC)
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class PhaseRange:
    """Inclusive range of phases of one interval, as ``due_at`` strings for a BETWEEN query."""

    low: int
    high: int

    @property
    def keys(self) -> tuple[str, str]:
        return due_at(self.low), due_at(self.high)


def due_phases(interval: int, start: int, end: int) -> list[PhaseRange]:
    """Phases with a due time in ``(start, end]``: none, one range, or two when it wraps."""
    if end <= start:
        return []
    if end - start >= interval:
        return [PhaseRange(0, interval - 1)]
    low, high = (start + 1) % interval, end % interval
    if low <= high:
        return [PhaseRange(low, high)]
    return [PhaseRange(low, interval - 1), PhaseRange(0, high)]
