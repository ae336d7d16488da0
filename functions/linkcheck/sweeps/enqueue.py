"""The sweep: find links due in the window since the last sweep and enqueue them.

Reads are proportional to due links: for each interval in use and each shard, one index query
per phase range in the window (plus pages). Overlapping sweeps are made harmless by a lease
(one conditional write per sweep, not per link): the loser returns at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..domain.schedule import SHARDS, due_phases
from ..store import SweepState
from .messages import LinkRef
from .queue import CheckQueue

SETTLE_SECONDS = 2  # the window ends a little in the past so in-flight registrations land first
LEASE_SECONDS = 330  # longer than the sweep function's timeout (300 s)
FLUSH_AT = 500  # refs buffered before a SendMessageBatch round


@dataclass(frozen=True, slots=True)
class SweepReport:
    acquired: bool
    start: int = 0
    end: int = 0
    links: int = 0
    messages: int = 0
    queries: int = 0


def run_sweep(
    state: SweepState, queue: CheckQueue, *, now: int, owner: str | None = None
) -> SweepReport:
    owner = owner or uuid.uuid4().hex
    end = now - SETTLE_SECONDS
    links = messages = queries = 0
    buffer: list[LinkRef] = []
    try:
        # Inside: an acquire whose answer was lost may have taken the lease all the same.
        start = state.acquire_sweep(owner, now=now, lease_seconds=LEASE_SECONDS)
        if start is None:
            return SweepReport(acquired=False)
        for interval in state.intervals() if end > start else []:
            for phases in due_phases(interval, start, end):
                low, high = phases.keys
                for shard in range(SHARDS):
                    queries += 1
                    for tenant, link_id in state.due_links(interval, shard, low, high):
                        buffer.append(LinkRef(tenant=tenant, link_id=link_id))
                        if len(buffer) >= FLUSH_AT:
                            messages += queue.send_links(buffer, swept_at=end)
                            links += len(buffer)
                            buffer = []
        if buffer:
            messages += queue.send_links(buffer, swept_at=end)
            links += len(buffer)
        state.finish_sweep(owner, end=max(start, end))
    except Exception:
        # A read or send failed (after the clients' retries): give the lease back so the next
        # sweep covers this window again at once, instead of after the whole lease. Links
        # already sent may be sent twice (at-least-once; the worker's version check keeps
        # their state consistent).
        _release(state, owner)
        raise
    return SweepReport(
        acquired=True, start=start, end=end, links=links, messages=messages, queries=queries
    )


def _release(state: SweepState, owner: str, attempts: int = 3) -> None:
    """Best effort, a few times: a lease that stays costs its whole length in delay."""
    for _ in range(attempts):
        try:
            state.release_sweep(owner)
            return
        except Exception:  # noqa: S112 - the original error is what the caller must see
            continue
