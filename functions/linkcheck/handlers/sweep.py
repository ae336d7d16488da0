"""Lambda entry point: sweep (EventBridge schedule) - enqueue the links due since last time."""

from __future__ import annotations

import time
from typing import Any

from ..observability import lambda_handler, logger, new_correlation_id
from ..store import SweepState
from ..sweeps.enqueue import run_sweep
from ..sweeps.queue import CheckQueue


@lambda_handler(traced=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    correlation = new_correlation_id()  # put on every message this run sends (CheckQueue)
    report = run_sweep(SweepState(), CheckQueue(), now=int(time.time()))
    summary: dict[str, Any] = {
        "acquired": report.acquired,
        "window": [report.start, report.end],
        "links": report.links,
        "messages": report.messages,
        "queries": report.queries,
        "correlation_id": correlation,
    }
    if report.acquired:
        logger.info("sweep done", extra=summary)
    else:
        logger.info("another sweep holds the lease; nothing to do")
    return summary
