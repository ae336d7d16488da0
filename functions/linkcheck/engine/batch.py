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
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from .urls import BadUrl, Target, normalize_url
from .verdict import CheckResult

PLAN_SLICE = 64  # URLs normalised between two turns of the event loop
MIN_CHECK_SECONDS = 0.05  # a check with less of the batch's budget left is not started

# (the URL as given, its normalised target, seconds it may take, perf_counter at its start)
CheckOne = Callable[[str, Target, float, float], Awaitable[CheckResult]]


async def run_batch(
    urls: Sequence[str],
    on_result: Callable[[int, CheckResult], None],
    check_one: CheckOne,
    *,
    concurrency: int,
    per_check: float,
    budget: float | None = None,
) -> None:
    """Call ``on_result(input index, result)`` as each check ends, ``concurrency`` at once.

    Every index gets exactly one result: ``check_one`` never raises (a defect in a check is
    that check's ``not_checked``, ``flow.CheckFlow.check_safely``). ``budget``: the
    seconds the whole batch may take; checks still running then end by their own deadline
    (clipped to the budget) and checks not yet started end as ``not_checked``.

    No queue or task switch per result (``Checker.iter_checks`` adds one). The first wave
    of requests goes out before the rest of the list is normalised, and the rest is
    planned in slices with the event loop free in between, so on a long list the
    planning (~10 us per URL) overlaps the network instead of delaying it.
    """
    loop = asyncio.get_running_loop()
    batch_end = None if budget is None else loop.time() + budget
    groups: dict[str, list[int]] = {}
    finished: dict[str, CheckResult] = {}  # only while the rest is being planned
    first_wave = min(len(urls), concurrency)
    queue = collections.deque(
        interleave_hosts(plan_jobs(urls, range(first_wave), groups, finished, on_result))
    )
    more = asyncio.Event()  # set (and cleared) whenever a slice joins the queue
    planning = True

    async def work() -> None:
        while queue or planning:
            if not queue:
                await more.wait()
                continue
            given, target = queue.popleft()
            left = per_check if batch_end is None else min(per_check, batch_end - loop.time())
            if left < MIN_CHECK_SECONDS:
                result = CheckResult.not_checked(given, out_of_budget(budget))
            else:
                result = await check_one(given, target, left, time.perf_counter())
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
            queue.extend(interleave_hosts(plan_jobs(urls, part, groups, finished, on_result)))
            more.set()
            more.clear()
        planning = False
        finished.clear()
        more.set()
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


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


def interleave_hosts(jobs: list[tuple[str, Target]]) -> list[tuple[str, Target]]:
    """Round-robin over hosts, so per-host limits never leave the other slots idle.

    A list grouped by site (a sitemap, then another) would otherwise put every worker in the
    queue of one host while ``per_host`` lets only a few of them through.
    """
    by_host: dict[str, list[tuple[str, Target]]] = {}
    for job in jobs:
        by_host.setdefault(job[1].host, []).append(job)
    if len(by_host) <= 1:
        return jobs
    active = list(by_host.values())
    mixed: list[tuple[str, Target]] = []
    depth = 0
    while active:  # linear: each round visits only the hosts that still have URLs
        mixed.extend(queue[depth] for queue in active)
        depth += 1
        active = [queue for queue in active if len(queue) > depth]
    return mixed


def out_of_budget(budget: float | None) -> str:
    return (
        f"The check could not start within the batch's time budget ({budget or 0:g} s); "
        "this says nothing about the link."
    )
