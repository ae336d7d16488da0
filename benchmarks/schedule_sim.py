"""What a scheduling policy alone allows on a list: a simulation with free CPU and no network.

``real_web.py`` measures tools on a busy machine, where CPU share moves wall times; this module
replays the same list through a policy in simulated time, so the policy's own cost shows:

- ``slot_first``: a check takes one of ``concurrency`` slots in list order, then waits (FIFO)
  for one of ``per_host`` connections to its host, holding the slot; its deadline runs from
  the slot, so a check that waited too long ends unanswered. (How `linkcheck check` schedules.)
- ``host_ready``: a check starts only when a slot and a connection to its host are both free;
  the earliest such check in list order goes first.
- ``busiest_first``: as ``host_ready``, but the host with the most work left goes first (the
  longest jobs first, which brings the end close to the busiest host's bound).

A job is ``(host, service seconds, hangs)``: service is the time it holds a connection (a
hanging one holds it until the timeout). Pure: no I/O, deterministic.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Job = tuple[int, float, bool]  # (host, service seconds, never answers)


@dataclass
class Outcome:
    seconds: float  # when the last check ends
    queued: list[float] = field(default_factory=list)  # slot to request, answering jobs
    unanswered: int = 0  # answering jobs ended by their deadline


def slot_first(jobs: Sequence[Job], concurrency: int, per_host: int, timeout: float) -> Outcome:
    """Slots in list order; each check then waits for its host while holding its slot."""
    outcome = Outcome(0.0)
    free = dict.fromkeys((host for host, _, _ in jobs), per_host)
    waiting: dict[int, deque[tuple[int, float]]] = {host: deque() for host in free}
    events: list[tuple[float, int, bool, int]] = []  # (time, tie, an expiry?, job index)
    slots, next_job, now = concurrency, 0, 0.0

    def start(index: int, taken: float) -> None:
        _, service, hangs = jobs[index]
        if not hangs:
            outcome.queued.append(now - taken)
        deadline = taken + timeout
        if hangs or now + service > deadline:
            outcome.unanswered += not hangs
            heapq.heappush(events, (deadline, index, False, index))
        else:
            heapq.heappush(events, (now + service, index, False, index))

    while True:
        while slots and next_job < len(jobs):
            index, next_job, slots = next_job, next_job + 1, slots - 1
            host = jobs[index][0]
            if free[host]:
                free[host] -= 1
                start(index, now)
            else:
                waiting[host].append((index, now))
                heapq.heappush(events, (now + timeout, index, True, index))
        if not events:
            break
        now, _, expiry, index = heapq.heappop(events)
        host = jobs[index][0]
        if expiry:  # still waiting at its deadline: ends unanswered, its slot is free
            if any(waiter == index for waiter, _ in waiting[host]):
                waiting[host] = deque(item for item in waiting[host] if item[0] != index)
                outcome.unanswered += not jobs[index][2]
                outcome.seconds = now
                slots += 1
            continue
        slots += 1  # the check is done: its slot and its connection are free
        outcome.seconds = now
        if waiting[host]:
            following, taken = waiting[host].popleft()
            start(following, taken)
        else:
            free[host] += 1
    return outcome


def host_ready(
    jobs: Sequence[Job],
    concurrency: int,
    per_host: int,
    timeout: float,
    *,
    busiest_first: bool = False,
) -> Outcome:
    """A check starts when a slot and a connection to its host are free; no waiting in a slot."""
    outcome = Outcome(0.0)
    pending: dict[int, deque[int]] = {}
    left: dict[int, float] = {}  # work not yet started, per host
    for index, (host, service, hangs) in enumerate(jobs):
        pending.setdefault(host, deque()).append(index)
        left[host] = left.get(host, 0.0) + (timeout if hangs else service)
    free = dict.fromkeys(pending, per_host)
    key: Callable[[int], float] = (
        (lambda host: -left[host]) if busiest_first else (lambda host: pending[host][0])
    )
    ready = [(key(host), host) for host in pending]  # hosts with a free connection and work
    heapq.heapify(ready)
    events: list[tuple[float, int]] = []
    slots, now = concurrency, 0.0
    while True:
        while slots and ready:
            _, host = heapq.heappop(ready)
            index = pending[host].popleft()
            _, service, hangs = jobs[index]
            left[host] -= timeout if hangs else service
            slots -= 1
            free[host] -= 1
            if not hangs:
                outcome.queued.append(0.0)
            heapq.heappush(events, (now + (timeout if hangs else service), host))
            if free[host] and pending[host]:
                heapq.heappush(ready, (key(host), host))
        if not events:
            break
        now, host = heapq.heappop(events)
        slots += 1
        free[host] += 1
        if free[host] == 1 and pending[host]:  # it had none free: not in the heap
            heapq.heappush(ready, (key(host), host))
    outcome.seconds = now
    return outcome


POLICIES: dict[str, Callable[[Sequence[Job], int, int, float], Outcome]] = {
    "slot_first": slot_first,
    "host_ready": host_ready,
    "busiest_first": lambda jobs, c, h, t: host_ready(jobs, c, h, t, busiest_first=True),
}
