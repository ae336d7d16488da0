"""The one bridge from sync Lambda handlers to async code: a long-lived event loop.

Handlers are synchronous (Powertools' resolver, SQS batches); the engine and the webhook
sender are asynchronous. Every handler hands its coroutines to one event loop per execution
environment, running in a daemon thread and started on first use. Because the loop outlives
invocations, so do the connection pools that belong to it: a warm environment reuses its
kept-alive connections (checks, webhook targets) instead of dialling again. Callers in several
threads (parallel deliveries) may submit at once; the loop runs their coroutines concurrently.
The worker's batch is the exception (``run_apart``): it blocks between awaits, so it gets a
loop of its own for the invocation.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

T = TypeVar("T")


class LoopRunner:
    """One event loop in a daemon thread (uvloop when installed), started on first use."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                from .engine import event_loop_factory

                loop = (event_loop_factory() or asyncio.new_event_loop)()
                threading.Thread(
                    target=loop.run_forever, name="linkcheck-loop", daemon=True
                ).start()
                self._loop = loop
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run ``coroutine`` on the loop and wait for it; ``TimeoutError`` after ``timeout``
        seconds (the coroutine is then cancelled, so nothing keeps running unseen)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._ensure())
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise TimeoutError(f"did not finish within {timeout:g} s") from None


_shared = LoopRunner()


def run(coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
    """Run ``coroutine`` on this execution environment's loop (see the module docstring)."""
    return _shared.run(coroutine, timeout)


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on an event loop of its own, in the calling thread.

    For work that blocks between its awaits (the worker records a batch's results with boto3
    calls): on the shared loop it would stall every other caller's coroutines meanwhile, such as
    the api's checks when the local stack serves both from one process.
    """
    from .engine import event_loop_factory

    with asyncio.Runner(loop_factory=event_loop_factory()) as loop:
        return loop.run(coroutine)
