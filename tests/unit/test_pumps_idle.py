"""Idle pumps wait instead of spinning: a background thread per pump loops on ``pump_once``,
and one that returned at once with nothing to do held a core (and the GIL) for good."""

from __future__ import annotations

from typing import Any

import pytest

from linkcheck.local.pumps import queue as queue_pump
from linkcheck.local.pumps import schedule as schedule_pump
from linkcheck.local.pumps import stream as stream_pump


class NotBuilt:
    name = "WorkerFunction"
    ready = False

    def invoke(self, event: Any) -> Any:  # pragma: no cover - never reached
        raise AssertionError("not ready: never invoked")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []
    for module in (queue_pump, schedule_pump, stream_pump):
        monkeypatch.setattr(module.time, "sleep", waited.append)
    return waited


def test_a_schedule_ticked_only_on_demand_waits(sleeps: list[float]) -> None:
    pump = schedule_pump.SchedulePump(
        name="s", function=NotBuilt(), every=None, payload=None, region="us-east-1"
    )
    assert pump.pump_once(1) == 0
    assert sleeps == [1]


def test_a_queue_whose_function_is_not_built_waits(sleeps: list[float]) -> None:
    pump = queue_pump.QueuePump(
        sqs=None,
        queue_url="q",
        queue_arn="arn:aws:sqs:us-east-1:123456789012:q",
        function=NotBuilt(),  # type: ignore[arg-type]
        batch_size=10,
        report_item_failures=True,
        retry_after_seconds=None,
        region="us-east-1",
    )
    assert pump.pump_once(1) == 0
    assert sleeps == [1]
