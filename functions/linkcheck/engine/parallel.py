"""Long lists on every core: the same checks, sharded by host over forked worker processes.

One Python process tops out at one core. For long CLI lists the URLs are split by host into
``workers`` shards (so each host lives in exactly one process and ``per_host`` still holds),
each shard is checked by a forked child with its own event loop and ``Checker``, and results
come back in batches. Forking after the imports means children pay no start-up again.
Where ``fork`` is unavailable (Windows, or when asked for one worker) it runs in-process.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .checker import Checker, event_loop_factory
from .options import CheckOptions
from .verdict import CheckResult

if TYPE_CHECKING:
    from multiprocessing.queues import SimpleQueue

BATCH = 256  # results per message from a child: fewer, larger pickles
OnResult = Callable[[int, CheckResult], None]


def shard_key(url: str) -> str:
    """The host part of a raw URL, cheaply (sharding only; vetting happens in the checker)."""
    rest = url.strip().split("//", 1)[-1]
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    host = authority.lower()
    for default in (":80", ":443"):
        host = host.removesuffix(default)
    return host.rstrip(".")


def shards(urls: Sequence[str], count: int) -> list[list[int]]:
    """Input indexes split into ``count`` shards, whole hosts each, balanced by URL count."""
    by_host: dict[str, list[int]] = {}
    for index, url in enumerate(urls):
        by_host.setdefault(shard_key(url), []).append(index)
    buckets: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for indexes in sorted(by_host.values(), key=len, reverse=True):
        lightest = loads.index(min(loads))
        buckets[lightest].extend(indexes)
        loads[lightest] += len(indexes)
    return [sorted(bucket) for bucket in buckets if bucket]  # input order within a shard


def check_in_processes(
    urls: Sequence[str],
    options: CheckOptions,
    *,
    workers: int,
    on_result: OnResult | None = None,
) -> list[CheckResult]:
    """Check ``urls`` (results in input order) using up to ``workers`` processes."""
    if workers <= 1 or not hasattr(os, "fork"):
        return _run(_check_here(urls, options, on_result))
    import multiprocessing  # only for several workers (start-up cost otherwise)

    parts = shards(urls, workers)
    if len(parts) <= 1:
        return _run(_check_here(urls, options, on_result))
    share = replace(options, concurrency=max(1, options.concurrency // len(parts)))
    context = multiprocessing.get_context("fork")
    inbox: SimpleQueue[Any] = context.SimpleQueue()
    children = [
        context.Process(target=_child, args=(part, [urls[i] for i in part], share, inbox))
        for part in parts
    ]
    for child in children:
        child.start()
    results: list[CheckResult | None] = [None] * len(urls)
    running = len(children)
    failure: str | None = None
    while running:
        message = inbox.get()
        if message is None:
            running -= 1
        elif isinstance(message, str):
            failure, running = message, running - 1
        else:
            for index, result in message:
                results[index] = result
                if on_result is not None:
                    on_result(index, result)
    for child in children:
        child.join()
    if failure is not None:
        raise RuntimeError(f"a check worker process failed: {failure}")
    return [r for r in results if r is not None]


def _run(coroutine: Any) -> list[CheckResult]:
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        results: list[CheckResult] = runner.run(coroutine)
    return results


async def _check_here(
    urls: Sequence[str], options: CheckOptions, on_result: OnResult | None
) -> list[CheckResult]:
    results: list[CheckResult | None] = [None] * len(urls)

    def keep(index: int, result: CheckResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    async with Checker(options) as checker:
        await checker.run_checks(urls, keep)
    return [r for r in results if r is not None]


def _child(
    indexes: list[int], urls: list[str], options: CheckOptions, outbox: SimpleQueue[Any]
) -> None:
    async def work() -> None:
        batch: list[tuple[int, CheckResult]] = []
        async with Checker(options) as checker:
            async for position, result in checker.iter_checks(urls):
                batch.append((indexes[position], result))
                if len(batch) >= BATCH:
                    outbox.put(batch)
                    batch = []
        if batch:
            outbox.put(batch)

    try:
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            runner.run(work())
    except BaseException as exc:  # report any failure to the parent, which raises it there
        outbox.put(f"{type(exc).__name__}: {exc}")
        return
    outbox.put(None)
