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
    start = state.acquire_sweep(owner, now=now, lease_seconds=LEASE_SECONDS)
    if start is None:
        return SweepReport(acquired=False)
    links = messages = queries = 0
    buffer: list[LinkRef] = []
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
    return SweepReport(
        acquired=True, start=start, end=end, links=links, messages=messages, queries=queries
    )
