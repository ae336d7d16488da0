"""The phase schedule: due windows, next due times, jitter and shards."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from linkcheck.domain import schedule
from linkcheck.domain.schedule import PhaseRange, due_phases, next_due, phase_for

DAY = 86400


def test_a_link_is_first_due_shortly_after_registration() -> None:
    now = 1_800_000_000
    phase = phase_for("abc", DAY, now)
    first = next_due(DAY, phase, now)
    assert now < first <= now + 1 + schedule.MAX_JITTER_SECONDS
    assert next_due(DAY, phase, first) == first + DAY


def test_jitter_is_stable_and_bounded_by_a_tenth_of_the_interval() -> None:
    assert schedule.jitter_seconds("x", 60) == schedule.jitter_seconds("x", 60)
    assert all(schedule.jitter_seconds(str(i), 60) < 6 for i in range(200))
    spread = {schedule.jitter_seconds(str(i), DAY) for i in range(200)}
    assert len(spread) > 50 and max(spread) < schedule.MAX_JITTER_SECONDS


def test_windows_wrap_around_the_interval() -> None:
    assert due_phases(100, 150, 180) == [PhaseRange(51, 80)]
    assert due_phases(100, 180, 230) == [PhaseRange(81, 99), PhaseRange(0, 30)]
    assert due_phases(100, 0, 500) == [PhaseRange(0, 99)]
    assert due_phases(100, 50, 50) == []


def test_index_keys_sort_numerically() -> None:
    assert schedule.due_at(9) < schedule.due_at(10) < schedule.due_at(86399)
    assert schedule.due_shard(DAY, 3) == "86400#3"
    assert 0 <= schedule.shard_of("some-link") < schedule.SHARDS


@given(
    interval=st.integers(min_value=5, max_value=30 * DAY),
    start=st.integers(min_value=0, max_value=10**10),
    length=st.integers(min_value=0, max_value=3 * DAY),
    phase_seed=st.integers(min_value=0),
)
def test_a_link_is_in_a_window_exactly_when_a_due_time_falls_in_it(
    interval: int, start: int, length: int, phase_seed: int
) -> None:
    phase = phase_seed % interval
    end = start + length
    covered = any(r.low <= phase <= r.high for r in due_phases(interval, start, end))
    assert covered == (next_due(interval, phase, start) <= end)
