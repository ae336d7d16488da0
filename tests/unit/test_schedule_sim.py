"""The scheduling simulation of benchmarks/real_web.py on lists small enough to work out by hand."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # a script folder

from schedule_sim import host_ready, slot_first

A, B, C, D = 0, 1, 2, 3


def test_a_slot_waiting_for_its_host_delays_the_next_host() -> None:
    jobs = [(A, 1.0, False), (A, 1.0, False), (B, 1.0, False), (B, 1.0, False)]
    waited = slot_first(jobs, concurrency=2, per_host=1, timeout=10)
    assert waited.seconds == 3.0  # the second A holds a slot the first B could have used
    assert sorted(waited.queued) == [0.0, 0.0, 0.0, 1.0]
    ready = host_ready(jobs, concurrency=2, per_host=1, timeout=10)
    assert ready.seconds == 2.0
    assert ready.queued == [0.0] * 4


def test_a_check_that_waited_past_its_deadline_ends_unanswered() -> None:
    jobs = [(A, 1.0, False), (A, 1.0, False)]
    outcome = slot_first(jobs, concurrency=2, per_host=1, timeout=1.5)
    assert outcome.unanswered == 1  # started at 1 s, would answer at 2 s, deadline 1.5 s
    assert outcome.seconds == 1.5


def test_a_hanging_link_holds_its_connection_until_the_timeout() -> None:
    jobs = [(A, 0.0, True), (A, 0.5, False)]
    outcome = slot_first(jobs, concurrency=2, per_host=1, timeout=1.0)
    assert outcome.unanswered == 1  # the one behind it never got the connection in time
    assert outcome.seconds == 1.0
    assert host_ready(jobs, concurrency=2, per_host=1, timeout=1.0).seconds == 1.5


def test_the_busiest_host_first_ends_sooner_than_list_order() -> None:
    jobs = [(C, 1.0, False), (D, 1.0, False)] + [(B, 1.0, False)] * 3
    assert host_ready(jobs, concurrency=2, per_host=1, timeout=10).seconds == 4.0
    busiest = host_ready(jobs, concurrency=2, per_host=1, timeout=10, busiest_first=True)
    assert busiest.seconds == 3.0  # B's three in a row, C and D beside them
