"""Many checks at once: at most ``concurrency`` in flight, hosts interleaved, each URL once.

The scheduler of a batch, whatever checks one URL (``check_one``, or ``check_page`` when the
caller wants the URL's page): duplicates (by normalised URL and page flag) are checked once
and reported for every index; invalid URLs are reported at once; the first wave of requests
leaves before the rest of a long list is normalised; a batch ``budget`` ends checks that could
not start in time as ``not_checked``. Every index gets exactly one result.

One scheduler (``Scheduler``) serves both shapes of batch: a list known in advance
(``run_batch``, behind ``Checker.run_checks``) and an open batch that grows while it runs
(``OpenBatch``, behind ``Checker.open_batch``: a crawler adds the links of each page it reads).
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace

from .page import Page
from .urls import BadUrl, Target, normalize_url
from .verdict import CheckResult

PLAN_SLICE = 64  # URLs normalised between two turns of the event loop
MIN_CHECK_SECONDS = 0.05  # a check with less of the batch's budget left is not started
RAMP = 8  # queued checks per connection before a host may open another (HostQueues)

# (the URL as given, its normalised target, seconds it may take, perf_counter at its start)
CheckOne = Callable[[str, Target, float, float], Awaitable[CheckResult]]
# The same, for a check whose page is wanted: the result and the page (2xx answers only).
CheckPage = Callable[[str, Target, float, float], Awaitable[tuple[CheckResult, Page | None]]]
OnResult = Callable[[int, CheckResult], None]
OnPage = Callable[[int, Page], None]
# A queued check: (the URL as given, its normalised target, whether its page is wanted).
Job = tuple[str, Target, bool]


async def run_batch(
    urls: Sequence[str],
    on_result: OnResult,
    check_one: CheckOne,
    *,
    concurrency: int,
    per_host: int,
    per_check: float,
    budget: float | None = None,
    on_host_done: Callable[[str], None] | None = None,
    check_page: CheckPage | None = None,
    pages: Collection[int] | None = None,
    on_page: OnPage | None = None,
) -> None:
    """Call ``on_result(input index, result)`` as each check ends, ``concurrency`` at once.

    Every index gets exactly one result: ``check_one`` never raises (a defect in a check is
    that check's ``not_checked``, ``flow.CheckFlow.check_safely``). ``budget``: the
    seconds the whole batch may take; checks still running then end by their own deadline
    (clipped to the budget) and checks not yet started end as ``not_checked``. ``pages``:
    the indexes whose page is wanted (checked by ``check_page``); ``on_page(index, page)``
    is called before that index's ``on_result`` when its final answer was a 2xx, once per
    page read (duplicates get their result, not the page again).

    Work-conserving: a free slot goes to a URL whose host has room (``HostQueues``), so a
    busy host never holds slots that other hosts could use, and a check starts (and its
    deadline with it) only when its host can take it: waiting behind its own host's limit is
    the batch's time, never the check's. The first wave of requests goes out before the rest
    of the list is normalised, and the rest is planned in slices with the event loop free in
    between, so on a long list the planning (~10 us per URL) overlaps the network.
    """
    scheduler = Scheduler(
        urls,
        on_result,
        check_one,
        concurrency=concurrency,
        per_host=per_host,
        per_check=per_check,
        budget=budget,
        on_host_done=on_host_done,
        check_page=check_page,
        on_page=on_page,
    )
    wanted = None if not pages else frozenset(pages)
    first_wave = min(len(urls), concurrency)
    try:
        scheduler.plan(range(first_wave), wanted)
        for start in range(first_wave, len(urls), PLAN_SLICE):
            await asyncio.sleep(0)  # connections finish, requests go out
            scheduler.plan(range(start, min(start + PLAN_SLICE, len(urls))), wanted)
        await scheduler.close()
    finally:
        await scheduler.stop()


class Scheduler:
    """The checks of one batch: planned into ``HostQueues``, run by up to ``concurrency``
    workers, each result reported for every index that asked for it.

    While the batch is ``accepting``, more work may be planned (the rest of a list, or what
    an open batch is given); after ``close`` only the callbacks of running checks may add
    more, and the batch ends when nothing is queued, running or waiting to be reported.
    ``growing``: work may be added until the very end (an open batch), so finished results
    are kept for the duplicates still to come.
    """

    def __init__(
        self,
        urls: Sequence[str],
        on_result: OnResult,
        check_one: CheckOne,
        *,
        concurrency: int,
        per_host: int,
        per_check: float,
        budget: float | None = None,
        on_host_done: Callable[[str], None] | None = None,
        check_page: CheckPage | None = None,
        on_page: OnPage | None = None,
        growing: bool = False,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._urls = urls
        self._on_result = on_result
        self._on_page = on_page
        self._check_one = check_one
        self._check_page = check_page
        self._concurrency = max(concurrency, 1)
        self._per_check = per_check
        self._budget = budget
        self._batch_end = None if budget is None else self._loop.time() + budget
        self._on_host_done = on_host_done
        self._growing = growing
        self._hosts = HostQueues(per_host)
        # Indexes by normalised URL, one map per page flag (0: no page, 1: page wanted).
        self._groups: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        # Results (and pages) of finished checks, for duplicates planned later.
        self._finished: dict[str, CheckResult] = {}
        self._finished_pages: dict[str, CheckResult] = {}
        self._parked: collections.deque[asyncio.Future[None]] = collections.deque()
        self._workers: list[asyncio.Task[None]] = []
        self._live = 0  # workers not yet returned
        self._busy = 0  # checks running, and results waiting to be reported
        self._idle: asyncio.Future[None] | None = None  # ``close`` waiting for news
        self.accepting = True

    # -- planning --------------------------------------------------------------------------

    def plan(self, indexes: Iterable[int], pages: Collection[int] | None = None) -> None:
        """Queue the URLs at ``indexes`` (their page wanted for those in ``pages``); results
        known at once (invalid URLs, finished duplicates) are reported right away."""
        if pages is None:
            jobs = plan_jobs(self._urls, indexes, self._groups[0], self._finished, self._on_result)
        else:
            jobs = self._plan_with_pages(indexes, pages, self._on_result)
        self._start(self._hosts.extend(jobs))

    def plan_later(self, index: int, page: bool) -> None:
        """Queue one URL; a result known at once (invalid, a finished duplicate) is reported
        on the next turn of the event loop, never before the caller has the index."""
        known: list[tuple[int, CheckResult]] = []
        jobs = self._plan_with_pages(
            (index,), (index,) if page else (), lambda *found: known.append(found)
        )
        if known:
            self._busy += 1
            self._loop.call_soon(self._announce_later, known)
        self._start(self._hosts.extend(jobs))

    def _plan_with_pages(
        self,
        indexes: Iterable[int],
        pages: Collection[int],
        report: OnResult,
    ) -> list[Job]:
        """``plan_jobs`` for a batch where some indexes want their page (``pages``). A
        duplicate of a finished check gets its result at once, never the page again."""
        jobs: list[Job] = []
        for index in indexes:
            page = index in pages
            given = self._urls[index].strip()
            try:
                target = normalize_url(given)
            except BadUrl as exc:
                report(index, CheckResult.invalid(given, exc.reason, exc.detail))
                continue
            same = self._groups[page].get(target.url)
            if same is None:
                self._groups[page][target.url] = [index]
                jobs.append((given, target, page))
                continue
            same.append(index)
            done = (self._finished_pages if page else self._finished).get(target.url)
            if done is not None:
                report(index, replace(done, url=given))
        return jobs

    def hold(self) -> Callable[[], None]:
        """Keep the batch from ending until the returned function is called (once)."""
        self._busy += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._busy -= 1
                self._maybe_done()

        return release

    def _announce_later(self, known: list[tuple[int, CheckResult]]) -> None:
        try:
            for index, result in known:
                self._on_result(index, result)
        finally:
            self._busy -= 1
            self._maybe_done()

    # -- running ---------------------------------------------------------------------------

    def _start(self, startable: int) -> None:
        """Wake parked workers for ``startable`` new jobs; start new workers for the rest,
        up to ``concurrency`` in all."""
        startable -= self._wake(startable)
        spawn = min(startable, self._concurrency - self._live)
        if spawn > 0:
            self._live += spawn
            self._workers.extend(asyncio.create_task(self._work()) for _ in range(spawn))
            self._nudge()

    def _wake(self, count: int) -> int:
        woken = 0
        parked = self._parked
        while woken < count and parked:
            waiter = parked.popleft()
            if not waiter.done():
                waiter.set_result(None)
                woken += 1
        return woken

    def _finished_all(self) -> bool:
        return not self.accepting and not self._hosts.pending and not self._busy

    def _maybe_done(self) -> None:
        if self._finished_all():
            self._wake(len(self._parked))  # the batch is done: everyone leaves
            self._nudge()

    def _nudge(self) -> None:
        if self._idle is not None and not self._idle.done():
            self._idle.set_result(None)

    async def _work(self) -> None:
        hosts = self._hosts
        loop = self._loop
        try:
            while True:
                job = hosts.take()
                if job is None:
                    if self._finished_all():
                        self._wake(len(self._parked))  # the batch is done: everyone leaves
                        return
                    waiter = loop.create_future()  # woken when a host gets room or work arrives
                    self._parked.append(waiter)
                    await waiter
                    continue
                self._busy += 1
                try:
                    await self._run(*job)
                finally:
                    self._busy -= 1
        finally:
            self._live -= 1

    async def _run(self, given: str, target: Target, page: bool) -> None:
        hosts = self._hosts
        left = self._per_check
        if self._batch_end is not None:
            left = min(left, self._batch_end - self._loop.time())
        read: Page | None = None
        if left < MIN_CHECK_SECONDS:
            result = CheckResult.not_checked(given, out_of_budget(self._budget))
        elif not page:
            result = await self._check_one(given, target, left, time.perf_counter())
        else:
            assert self._check_page is not None  # pages are only planned with their checker
            result, read = await self._check_page(given, target, left, time.perf_counter())
        host_done = hosts.done(target.host)
        if self._parked and hosts.ready:
            self._wake(1)  # the host that freed a slot has more than this worker will take
        if self.accepting or self._growing:  # for duplicates planned later
            (self._finished_pages if page else self._finished)[target.url] = result
        first, *others = self._groups[page][target.url]
        if read is not None and self._on_page is not None:
            self._on_page(first, read)  # once per page read, to the first index that wanted it
        self._on_result(first, result)
        for index in others:
            self._on_result(index, replace(result, url=self._urls[index].strip()))
        # Nothing of the host left, even after the callbacks added work: its idle
        # connections can go.
        if (
            host_done
            and not self.accepting
            and self._on_host_done is not None
            and hosts.idle(target.host)
        ):
            self._on_host_done(target.host)

    # -- ending ----------------------------------------------------------------------------

    async def close(self) -> None:
        """No more planned work: wait until every check (and whatever its callbacks add)
        has been reported. A failing callback's exception comes out here."""
        self.accepting = False
        if not self._growing:
            self._finished.clear()
            self._finished_pages.clear()
        self._wake(len(self._parked))  # parked workers re-check: some may leave, the rest park
        awaited = 0
        while True:
            if len(self._workers) > awaited:
                started = self._workers[awaited:]
                awaited = len(self._workers)
                await asyncio.gather(*started)
                continue
            if self._finished_all():
                return
            self._idle = self._loop.create_future()  # only late reports are left
            await self._idle
            self._idle = None

    async def stop(self) -> None:
        """Cancel whatever still runs (the batch failed or was cancelled)."""
        self.accepting = False
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)


class OpenBatch:
    """A batch that takes URLs while it runs (``Checker.open_batch``): a crawler adds the
    links of each page it reads, from inside ``on_page``.

    The guarantees of a batch hold: hosts' limits, deadlines from when a host can take the
    check, every index exactly one result, each (normalised URL, page flag) checked once.
    """

    __slots__ = ("_ended", "_scheduler", "_urls")

    def __init__(self, urls: list[str], scheduler: Scheduler) -> None:
        self._urls = urls  # the scheduler's list: indexes are positions in it
        self._scheduler = scheduler
        self._ended = False

    def add(self, url: str, *, page: bool = False) -> int:
        """Check ``url`` (and read its page when ``page``); returns its index, the one its
        ``on_result`` (and ``on_page``) will name. Results known at once (an invalid URL, a
        URL already checked) are reported on the next turn of the event loop. A URL added
        with ``page=True`` after it was checked without is checked again, for its page."""
        if self._ended:
            raise RuntimeError("this batch has ended: add URLs inside its `async with` block")
        index = len(self._urls)
        self._urls.append(url)
        self._scheduler.plan_later(index, page)
        return index

    def hold(self) -> Callable[[], None]:
        """Keep the batch open until the returned function is called (once): work done
        outside the batch (a page parsed in another process) may still ``add`` URLs."""
        if self._ended:
            raise RuntimeError("this batch has ended: add URLs inside its `async with` block")
        return self._scheduler.hold()

    def __len__(self) -> int:
        """URLs added so far."""
        return len(self._urls)

    async def close(self) -> None:
        """Wait until every URL added (including those added meanwhile) has its result."""
        try:
            await self._scheduler.close()
        finally:
            self._ended = True

    async def stop(self) -> None:
        """Cancel the checks still running or queued (their indexes get no result)."""
        self._ended = True
        await self._scheduler.stop()


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
        self._queues: dict[str, collections.deque[Job]] = {}
        self._running: dict[str, int] = {}
        self._heap: list[tuple[int, int, str]] = []  # (-queued, order, host)
        self._seq = 0
        self.pending = 0  # jobs queued, not yet taken

    @property
    def ready(self) -> bool:
        """Whether ``take`` may find a job (a host with room and work may be in the heap)."""
        return bool(self._heap)

    def extend(self, jobs: Iterable[Job]) -> int:
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

    def take(self) -> Job | None:
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

    def _start(self, host: str, queue: collections.deque[Job], running: int) -> Job:
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

    def idle(self, host: str) -> bool:
        """Whether ``host`` has nothing queued or running."""
        return host not in self._queues and host not in self._running

    def _offer(self, host: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (-len(self._queues[host]), self._seq, host))


def plan_jobs(
    urls: Sequence[str],
    indexes: Iterable[int],
    groups: dict[str, list[int]],
    finished: Mapping[str, CheckResult],
    on_result: OnResult,
) -> list[Job]:
    """One job per distinct normalised URL among ``indexes``; ``groups`` gets every index.

    Invalid URLs, and duplicates of a URL whose check already ``finished``, are reported
    at once through ``on_result``.
    """
    jobs: list[Job] = []
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
            jobs.append((given, target, False))
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
