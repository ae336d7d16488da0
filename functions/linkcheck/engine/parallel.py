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
from typing import TYPE_CHECKING, Any, cast

from .checker import Checker, event_loop_factory
from .options import CheckOptions
from .urls import BadUrl, normalize_url
from .verdict import CheckResult

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

BATCH = 256  # results per message from a child: fewer, larger pickles
OnResult = Callable[[int, CheckResult], None]


def shard_key(url: str) -> str:
    """The normalised host of a URL (``127.1`` and ``127.0.0.1`` are one host, so one shard
    and one per-host limit); the raw text for a URL the checker will refuse anyway."""
    try:
        return normalize_url(url.strip()).host
    except BadUrl:
        return url.strip()


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
    """Check ``urls`` (results in input order) using up to ``workers`` processes.

    Every URL gets a result: a worker process that fails or dies loses only the results it
    had not sent yet, and those come back as ``not_checked``.
    """
    if workers <= 1 or not hasattr(os, "fork"):
        return _run(_check_here(urls, options, on_result))
    import multiprocessing  # only for several workers (start-up cost otherwise)

    parts = shards(urls, workers)
    if len(parts) <= 1:
        return _run(_check_here(urls, options, on_result))
    share = replace(options, concurrency=max(1, options.concurrency // len(parts)))
    context = multiprocessing.get_context("fork")
    results: list[CheckResult | None] = [None] * len(urls)
    failures: dict[int, str] = {}  # shard number -> why it ended early
    open_pipes: dict[Any, int] = {}
    children = []
    for number, part in enumerate(parts):
        reader, writer = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(part, [urls[i] for i in part], share, writer))
        child.start()
        writer.close()  # the child holds the only writer: EOF here when it ends
        open_pipes[reader] = number
        children.append(child)
    try:
        _collect(open_pipes, results, failures, on_result)
    except BaseException:
        # Interrupted (Ctrl-C): stop the workers now rather than wait for their checks.
        for child in children:
            child.terminate()
        for child in children:
            child.join()
        raise
    for child in children:
        child.join()
    for number, why in failures.items():
        for index in parts[number]:
            if results[index] is None:
                lost = CheckResult.not_checked(
                    urls[index].strip(),
                    f"The worker process checking this host failed ({why}); "
                    "this says nothing about the link.",
                )
                results[index] = lost
                if on_result is not None:
                    on_result(index, lost)
    return [r for r in results if r is not None]


def _collect(
    open_pipes: dict[Any, int],
    results: list[CheckResult | None],
    failures: dict[int, str],
    on_result: OnResult | None,
) -> None:
    """Read the workers' messages until every pipe has ended."""
    from multiprocessing.connection import wait

    while open_pipes:
        for ready in wait(list(open_pipes)):
            pipe = cast("Connection", ready)
            number = open_pipes[pipe]
            try:
                message = pipe.recv()
            except EOFError:  # the process died without saying so (killed, crashed)
                message = f"worker process {number + 1} ended unexpectedly"
            if isinstance(message, list):
                for index, result in message:
                    results[index] = result
                    if on_result is not None:
                        on_result(index, result)
                continue
            if isinstance(message, str):
                failures[number] = message
            del open_pipes[pipe]
            pipe.close()


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


def _child(indexes: list[int], urls: list[str], options: CheckOptions, outbox: Connection) -> None:
    async def work() -> None:
        batch: list[tuple[int, CheckResult]] = []
        async with Checker(options) as checker:
            async for position, result in checker.iter_checks(urls):
                batch.append((indexes[position], result))
                if len(batch) >= BATCH:
                    outbox.send(batch)
                    batch = []
        if batch:
            outbox.send(batch)

    try:
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            runner.run(work())
    except BaseException as exc:  # reported to the parent: only this shard's unsent results lose
        outbox.send(f"{type(exc).__name__}: {exc}")
    else:
        outbox.send(None)
    finally:
        outbox.close()
