"""Turns of the event loop for CPU-heavy steps, so that one batch's big pages never starve it.

Judging a large page (the detectors read up to 256 KiB: soft-404, parked domains, walls) is
synchronous work of tens of milliseconds. When hundreds of large pages arrive together, their
checks would all judge in the same turn of the event loop, and for that long no other check
reads its answer and no deadline fires: on a busy machine, checks answered at once end as
timeouts and deadlines pass by seconds (``benchmarks/hostile.py``). ``LoopTurns`` lets at most
one such step begin per turn; I/O, timers and the other checks run in between. It only spaces
the steps' starts: nothing is held across an ``await``.
"""

from __future__ import annotations

import asyncio
from collections import deque


class LoopTurns:
    """``await turns.take()`` before a CPU-heavy step: one caller per turn, first come first."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._busy = False
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def take(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a checker reused under another loop starts afresh
            self._loop, self._busy, self._waiting = loop, False, deque()
        if self._busy:
            future: asyncio.Future[None] = loop.create_future()
            self._waiting.append(future)
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    loop.call_soon(self._next)  # handed the turn, then cancelled: pass it on
                raise
        else:
            self._busy = True
        loop.call_soon(self._next)  # the next caller goes on a later turn

    def _next(self) -> None:
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():  # a waiter cancelled by its deadline is skipped
                future.set_result(None)
                return
        self._busy = False
