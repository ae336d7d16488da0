"""Many checks at once: at most ``concurrency`` in flight, hosts interleaved, each URL once.

The scheduler of a batch, whatever checks one URL (``check_one``): duplicates (by normalised
URL) are checked once and reported for every index; invalid URLs are reported at once; the
first wave of requests leaves before the rest of a long list is normalised; a batch
``budget`` ends checks that could not start in time as ``not_checked``. Every index gets
exactly one result.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from .urls import BadUrl, Target, normalize_url
from .verdict import CheckResult

PLAN_SLICE = 64  # URLs normalised between two turns of the event loop
MIN_CHECK_SECONDS = 0.05  # a check with less of the batch's budget left is not started
RAMP = 8  # queued checks per connection before a host may open another (HostQueues)

# (the URL as given, its normalised target, seconds it may take, perf_counter at its start)
CheckOne = Callable[[str, Target, float, float], Awaitable[CheckResult]]


async def run_batch(
    urls: Sequence[str],
    on_result: Callable[[int, CheckResult], None],
    check_one: CheckOne,
    *,
    concurrency: int,
    per_host: int,
    per_check: float,
    budget: float | None = None,
    on_host_done: Callable[[str], None] | None = None,
) -> None:
    """Call ``on_result(input index, result)`` as each check ends, ``concurrency`` at once.

    Every index gets exactly one result: ``check_one`` never raises (a defect in a check is
    that check's ``not_checked``, ``flow.CheckFlow.check_safely``). ``budget``: the
    seconds the whole batch may take; checks still running then end by their own deadline
    (clipped to the budget) and checks not yet started end as ``not_checked``.

    Work-conserving: a free slot goes to a URL whose host has room (``HostQueues``), so a
    busy host never holds slots that other hosts could use, and a check starts (and its
    deadline with it) only when its host can take it: waiting behind its own host's limit is
    the batch's time, never the check's. The first wave of requests goes out before the rest
    of the list is normalised, and the rest is planned in slices with the event loop free in
    between, so on a long list the planning (~10 us per URL) overlaps the network.
    """
    loop = asyncio.get_running_loop()
    batch_end = None if budget is None else loop.time() + budget
    groups: dict[str, list[int]] = {}
    finished: dict[str, CheckResult] = {}  # only while the rest is being planned
    first_wave = min(len(urls), concurrency)
    hosts = HostQueues(per_host)
    hosts.extend(plan_jobs(urls, range(first_wave), groups, finished, on_result))
    parked: collections.deque[asyncio.Future[None]] = collections.deque()
    planning = True

    def wake(count: int) -> None:
        while count > 0 and parked:
            waiter = parked.popleft()
            if not waiter.done():
                waiter.set_result(None)
                count -= 1

    async def work() -> None:
        while True:
            job = hosts.take()
            if job is None:
                if not planning and not hosts.pending:
                    wake(len(parked))  # the batch is done: everyone leaves
                    return
                waiter = loop.create_future()  # woken when a host gets room or work arrives
                parked.append(waiter)
                await waiter
                continue
            given, target = job
            left = per_check if batch_end is None else min(per_check, batch_end - loop.time())
            if left < MIN_CHECK_SECONDS:
                result = CheckResult.not_checked(given, out_of_budget(budget))
            else:
                result = await check_one(given, target, left, time.perf_counter())
            if hosts.done(target.host) and on_host_done is not None and not planning:
                on_host_done(target.host)  # nothing of it left: its idle connections can go
            if parked and hosts.ready:
                wake(1)  # the host that freed a slot has more than this worker will take
            if planning:
                finished[target.url] = result  # for duplicates planned later
            first, *others = groups[target.url]
            on_result(first, result)
            for index in others:
                on_result(index, replace(result, url=urls[index].strip()))

    workers = [asyncio.create_task(work()) for _ in range(first_wave)]
    try:
        for start in range(first_wave, len(urls), PLAN_SLICE):
            await asyncio.sleep(0)  # connections finish, requests go out
            part = range(start, min(start + PLAN_SLICE, len(urls)))
            added = hosts.extend(plan_jobs(urls, part, groups, finished, on_result))
            wake(added)
        planning = False
        finished.clear()
        wake(len(parked))  # parked workers re-check: some may leave, the rest park again
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


class HostQueues:
    """Queued checks by host, handed out so no host ever runs more than ``per_host`` (pure).

    ``take`` returns a job whose host has room, from the host with the most queued work (the
    one that bounds the batch's length), or None when every host with work is full. A host
    with little work is held to fewer connections than ``per_host`` (``_soft_limit``) while
    other hosts can use the slot, so its kept-alive connection serves its URLs in turn. Every
    change of a host's queue or room pushes a current heap entry; older entries are dropped
    when they surface.
    """

    __slots__ = ("_heap", "_per_host", "_queues", "_running", "_seq", "pending")

    def __init__(self, per_host: int) -> None:
        self._per_host = max(per_host, 1)
        self._queues: dict[str, collections.deque[tuple[str, Target]]] = {}
        self._running: dict[str, int] = {}
        self._heap: list[tuple[int, int, str]] = []  # (-queued, order, host)
        self._seq = 0
        self.pending = 0  # jobs queued, not yet taken

    @property
    def ready(self) -> bool:
        """Whether ``take`` may find a job (a host with room and work may be in the heap)."""
        return bool(self._heap)

    def extend(self, jobs: Iterable[tuple[str, Target]]) -> int:
        """Queue ``jobs``; the number of them that could start at once (an upper bound)."""
        touched: set[str] = set()
        count = 0
        for job in jobs:
            host = job[1].host
            queue = self._queues.get(host)
            if queue is None:
                queue = self._queues[host] = collections.deque()
            queue.append(job)
            touched.add(host)
            count += 1
        self.pending += count
        startable = 0
        for host in touched:
            self._offer(host)
            room = self._per_host - self._running.get(host, 0)
            startable += max(0, min(room, len(self._queues[host])))
        return startable

    def take(self) -> tuple[str, Target] | None:
        heap = self._heap
        spare: list[tuple[int, int, str]] = []  # hosts at their soft limit, with hard room
        try:
            while heap:
                entry = heapq.heappop(heap)
                queued, _, host = entry
                queue = self._queues.get(host)
                running = self._running.get(host, 0)
                if not queue or running >= self._per_host or -queued != len(queue):
                    # Stale: emptied, full (offered again when one of its checks ends), or
                    # ranked by an older length (every change of length pushed a current entry).
                    continue
                if running >= self._soft_limit(len(queue)):
                    spare.append(entry)  # it can wait for its own connections to come back
                    continue
                return self._start(host, queue, running)
            if spare:  # every host with work is at its soft limit: no slot stays idle
                _, _, host = spare.pop(0)  # the one with the most queued work
                return self._start(host, self._queues[host], self._running.get(host, 0))
            return None
        finally:
            for entry in spare:
                heapq.heappush(heap, entry)

    def _soft_limit(self, queued: int) -> int:
        """Connections a host should use for ``queued`` waiting checks: one per ``RAMP`` of
        them, up to ``per_host``. A host with a few URLs reuses one kept-alive connection
        instead of opening ``per_host`` at once (a TCP and TLS handshake each on the real
        web); only its queue's length, or idle slots, earn it more."""
        return min(self._per_host, 1 + queued // RAMP)

    def _start(
        self, host: str, queue: collections.deque[tuple[str, Target]], running: int
    ) -> tuple[str, Target]:
        job = queue.popleft()
        self._running[host] = running + 1
        self.pending -= 1
        if queue:
            self._offer(host)
        else:
            del self._queues[host]
        return job

    def done(self, host: str) -> bool:
        """A check of ``host`` ended: its slot is free for the host's next job. True when the
        host has nothing left, queued or running."""
        left = self._running[host] - 1
        if left:
            self._running[host] = left
        else:
            del self._running[host]  # bounded memory over a million hosts
        if host in self._queues:
            self._offer(host)
            return False
        return not left

    def _offer(self, host: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (-len(self._queues[host]), self._seq, host))


def plan_jobs(
    urls: Sequence[str],
    indexes: Iterable[int],
    groups: dict[str, list[int]],
    finished: Mapping[str, CheckResult],
    on_result: Callable[[int, CheckResult], None],
) -> list[tuple[str, Target]]:
    """One job per distinct normalised URL among ``indexes``; ``groups`` gets every index.

    Invalid URLs, and duplicates of a URL whose check already ``finished``, are reported
    at once through ``on_result``.
    """
    jobs: list[tuple[str, Target]] = []
    for index in indexes:
        given = urls[index].strip()
        try:
            target = normalize_url(given)
        except BadUrl as exc:
            on_result(index, CheckResult.invalid(given, exc.reason, exc.detail))
            continue
        same = groups.get(target.url)
        if same is None:
            groups[target.url] = [index]
            jobs.append((given, target))
            continue
        same.append(index)
        done = finished.get(target.url)
        if done is not None:
            on_result(index, replace(done, url=given))
    return jobs


def out_of_budget(budget: float | None) -> str:
    return (
        f"The check could not start within the batch's time budget ({budget or 0:g} s); "
        "this says nothing about the link."
    )
