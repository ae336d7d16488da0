"""A scheduled function invoked every ``every`` seconds, and on ``tick()`` (``SchedulePump``)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..functions import ACCOUNT_ID, Function, FunctionFailed, FunctionNotReady


def scheduled_event(schedule_arn: str, region: str) -> dict[str, Any]:
    """What a schedule without an Input delivers: an EventBridge "Scheduled Event"."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [schedule_arn],
        "detail": {},
    }


class SchedulePump:
    def __init__(
        self,
        *,
        name: str,
        function: Function,
        every: float | None,
        payload: Any | None,
        region: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = f"schedule {name} -> {function.name}"
        self.schedule_arn = f"arn:aws:scheduler:{region}:{ACCOUNT_ID}:schedule/default/{name}"
        self.function = function
        self.every = every
        self.payload = payload
        self.region = region
        self.clock = clock
        self.lock = threading.Lock()
        self._next = clock() + every if every else None

    def tick(self) -> Any:
        """Invoke the function now; its result, or None when it failed or is not built."""
        event = (
            self.payload
            if self.payload is not None
            else scheduled_event(self.schedule_arn, self.region)
        )
        with self.lock:
            try:
                return self.function.invoke(event)
            except (FunctionNotReady, FunctionFailed):
                return None  # logged by LocalFunction; the next tick tries again

    def pump_once(self, wait_seconds: int = 0) -> int:
        """Tick when due (the background thread's step; draining never ticks a schedule)."""
        if self._next is None or self.every is None:
            if wait_seconds:  # only ticked on demand: nothing to wait for, but never spin
                time.sleep(wait_seconds)
            return 0
        now = self.clock()
        if now < self._next:
            if wait_seconds:
                time.sleep(min(wait_seconds, self._next - now))
            return 0
        self._next = now + self.every
        self.tick()
        return 1
