"""The check engine's front door: one URL in, one ``CheckResult`` out, whatever happens.

``Checker`` puts the parts together: the batch scheduler (``batch.py``), one check's hops and
retries (``flow.py``), the judging by status and detectors (``judging.py``), over the
connection pool and exchange (``pool.py``, ``wire.py``). Its public methods never raise for a bad or
unreachable URL: every outcome is a result.

Event loops: a connection pool (``pool.ConnectionPool``) is bound to the loop that made it.
The checker creates its pool lazily on first use and makes a new one if it is later used from
another running loop. The intended use is cheap: ``async with Checker(options) as checker``
per batch (or one per long-lived loop, ``linkcheck.runner``); the costly part (the SSL
context) is built once per process and shared, detector modules are imported once, on first
use.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from .batch import OpenBatch, Scheduler, run_batch
from .detectors import Detector, default_detectors
from .flow import CheckFlow
from .judging import Judges
from .options import CheckOptions
from .page import Page
from .pool import ConnectionPool
from .urls import BadUrl, normalize_url
from .verdict import CheckResult, Status
from .wire import WireExchanger

if TYPE_CHECKING:
    import httpx


class Checker:
    """Checks URLs; reusable, safe for concurrent ``check`` calls on one event loop."""

    def __init__(
        self, options: CheckOptions | None = None, *, detectors: Sequence[Detector] | None = None
    ) -> None:
        self.options = options or CheckOptions()
        # Fresh default detectors per checker (they may cache per host; ~5 us to build).
        chosen = tuple(default_detectors()) if detectors is None else tuple(detectors)
        self._pool: ConnectionPool | None = None
        self._transport: httpx.AsyncBaseTransport | None = None  # made on first use
        exchanger = WireExchanger(self._current_pool, self.options)
        self._judges = Judges(chosen, self.options.credentials)
        self._flow = CheckFlow(self.options, exchanger, self._judges)

    def mark_live_site(self, url: str) -> None:
        """Say that ``url``'s site (its host and port) is live: its front page answered with
        real content, not a parking page. Pages whose requested and final URLs are both on a
        live site are then not scanned for parked-domain signals (a domain is parked as a
        whole); every other detector still reads them. A crawl says so of the site it reads.
        Raises ``BadUrl`` for a URL that is not http(s)."""
        self._judges.mark_live_site(normalize_url(url))

    # -- lifecycle -------------------------------------------------------------------------

    def _current_pool(self) -> ConnectionPool:
        pool = self._pool
        if pool is None or pool.loop is not asyncio.get_running_loop():
            pool = self._pool = ConnectionPool(self.options)
        return pool

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        """The SSRF-safe transport, for an ``httpx.AsyncClient(transport=...)`` elsewhere."""
        if self._transport is None:
            from .httpx_path import WireTransport  # httpx is imported only when used

            self._transport = WireTransport(self._current_pool, self.options)
        return self._transport

    async def __aenter__(self) -> Checker:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None and pool.loop is asyncio.get_running_loop():
            pool.close()

    # -- public API ------------------------------------------------------------------------

    async def check(
        self,
        url: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (the agreed interface: deadline override)
    ) -> CheckResult:
        """Check one URL. Never raises for a bad or unreachable URL: every outcome is a result."""
        given = url.strip()
        started = time.perf_counter()
        try:
            target = normalize_url(given)
        except BadUrl as exc:
            return CheckResult(
                url=given,
                status=Status.INVALID,
                reason=exc.reason,
                detail=exc.detail,
                elapsed_ms=int((time.perf_counter() - started) * 1000),
            )
        return await self._flow.check_safely(
            given, target, timeout or self.options.timeout, started
        )

    async def fetch_page(
        self,
        url: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (the agreed interface: deadline override)
    ) -> tuple[CheckResult, Page | None]:
        """Check one URL with GET and read its page: the result (the same verdict ``check``
        gives), and the final answer's page when it was a 2xx (body up to
        ``options.max_page_bytes``, ``Page.complete`` False when cut there)."""
        given = url.strip()
        started = time.perf_counter()
        try:
            target = normalize_url(given)
        except BadUrl as exc:
            return CheckResult.invalid(given, exc.reason, exc.detail), None
        return await self._flow.page_safely(given, target, timeout or self.options.timeout, started)

    async def check_many(
        self,
        urls: Sequence[str],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (per-check deadline, not the batch's)
    ) -> list[CheckResult]:
        """Results in input order; identical normalised URLs are checked once."""
        results: list[CheckResult | None] = [None] * len(urls)

        def keep(index: int, result: CheckResult) -> None:
            results[index] = result

        await self.run_checks(urls, keep, timeout=timeout)
        return [r for r in results if r is not None]

    async def run_checks(
        self,
        urls: Sequence[str],
        on_result: Callable[[int, CheckResult], None],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (per-check deadline, not the batch's)
        budget: float | None = None,
        pages: Collection[int] | None = None,
        on_page: Callable[[int, Page], None] | None = None,
    ) -> None:
        """Call ``on_result(input index, result)`` as each check ends, ``concurrency`` at once.

        Every index gets exactly one result (``batch.run_batch``). ``budget``: the seconds the
        whole batch may take; checks still running then end by their own deadline (clipped to
        the budget) and checks not yet started end as ``not_checked``. ``pages``: the input
        indexes whose page is wanted (a GET, the body read up to ``max_page_bytes``);
        ``on_page(index, page)`` is called for those whose final answer was a 2xx, before
        ``on_result`` for the same index, once per page read: a duplicate gets its result,
        not the page again.
        """
        await run_batch(
            urls,
            on_result,
            self._flow.check_safely,
            concurrency=self.options.concurrency,
            per_host=self.options.per_host,
            per_check=timeout or self.options.timeout,
            budget=budget,
            on_host_done=self._host_done,
            check_page=self._flow.page_safely,
            pages=pages,
            on_page=on_page,
        )

    @contextlib.asynccontextmanager
    async def open_batch(
        self,
        on_result: Callable[[int, CheckResult], None],
        *,
        on_page: Callable[[int, Page], None] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (per-check deadline, not the batch's)
        budget: float | None = None,
    ) -> AsyncIterator[OpenBatch]:
        """A batch that takes URLs while it runs (``OpenBatch.add``, also from inside
        ``on_page`` and ``on_result``): a crawler adds the links of each page it reads.

        ``on_page`` is called once per page read (for the first index that wanted it; a
        duplicate gets its result only), before that index's ``on_result``. Leaving the block
        waits until every URL added, including those added meanwhile, has its result; an
        exception in the block (or a callback) cancels what still runs.
        ``budget`` counts from the block's start.
        """
        urls: list[str] = []
        scheduler = Scheduler(
            urls,
            on_result,
            self._flow.check_safely,
            concurrency=self.options.concurrency,
            per_host=self.options.per_host,
            per_check=timeout or self.options.timeout,
            budget=budget,
            on_host_done=self._host_done,
            check_page=self._flow.page_safely,
            on_page=on_page,
            growing=True,
        )
        batch = OpenBatch(urls, scheduler)
        try:
            yield batch
            await batch.close()
        finally:
            await batch.stop()

    def _host_done(self, host: str) -> None:
        if self._pool is not None:
            self._pool.close_idle(host)

    async def iter_checks(
        self,
        urls: Sequence[str],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (per-check deadline, not the batch's)
        budget: float | None = None,
    ) -> AsyncIterator[tuple[int, CheckResult]]:
        """(input index, result) in completion order, at most ``options.concurrency`` at once.

        ``run_checks`` behind a queue; closing the iterator early stops the checks.
        """
        done: asyncio.Queue[tuple[int, CheckResult] | None] = asyncio.Queue()
        runner = asyncio.create_task(
            self.run_checks(
                urls,
                lambda index, result: done.put_nowait((index, result)),
                timeout=timeout,
                budget=budget,
            )
        )
        runner.add_done_callback(lambda _: done.put_nowait(None))  # after every result
        try:
            while (item := await done.get()) is not None:
                yield item
            runner.result()  # a failed check run raises here, never lost
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)


def check_urls(urls: Sequence[str], options: CheckOptions | None = None) -> list[CheckResult]:
    """Synchronous convenience: check ``urls`` on a fresh event loop (uvloop when available)."""

    async def run() -> list[CheckResult]:
        async with Checker(options) as checker:
            return await checker.check_many(urls)

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(run())


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when installed (measurably less CPU per check), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory
