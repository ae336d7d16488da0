"""Drives pumps: a background thread for ``linkcheck dev``, ``drain`` for tests (``Runner``)."""

from __future__ import annotations

import logging
import threading

from .base import Pump
from .schedule import SchedulePump

log = logging.getLogger("linkcheck.dev")


class Runner:
    """Drives pumps: one background thread each (``start``), or synchronously (``drain``)."""

    def __init__(self, pumps: list[Pump], *, wait_seconds: int = 1) -> None:
        self.pumps = pumps
        self.wait_seconds = wait_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stop.clear()
        for pump in self.pumps:
            for poller in range(getattr(pump, "pollers", 1)):
                thread = threading.Thread(
                    target=self._loop,
                    args=(pump,),
                    daemon=True,
                    name=f"pump {pump.name}" + (f" #{poller + 1}" if poller else ""),
                )
                thread.start()
                self._threads.append(thread)

    def _loop(self, pump: Pump) -> None:
        while not self._stop.is_set():
            try:
                pump.pump_once(self.wait_seconds)
            # A pump must survive a failing poll (moto restarting, a bad record): log, go on.
            except Exception:
                log.exception("%s: poll failed", pump.name)
                self._stop.wait(1)

    def drain(self, *, max_rounds: int = 50) -> int:
        """Pump until a full round finds nothing (bounded); the number of records handled."""
        total = 0
        for _ in range(max_rounds):
            handled = sum(
                pump.pump_once(0) for pump in self.pumps if not isinstance(pump, SchedulePump)
            )
            total += handled
            if not handled:
                break
        return total

    def request_stop(self) -> None:
        """Ask the pumps to stop after what they are doing (``stop`` waits for them)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
