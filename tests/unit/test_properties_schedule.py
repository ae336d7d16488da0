"""Properties of the sweep schedule (``domain/schedule.py``), simulated over time.

Random links (ids, intervals, registration times) and a random run of sweeps, each covering
``(previous sweep, this sweep]`` as the sweep function does, some late and some skipped. A link
is found by a sweep exactly when one of its due times falls in that sweep's window (once per
window, never twice); when sweeps come at least once per interval, it is found once per due
time, due times exactly one interval apart; after an outage it is found once, not once per
missed interval. Its first check comes within a tenth of the interval (at most 5 minutes)
after registration.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.domain.schedule import (
    MAX_JITTER_SECONDS,
    PhaseRange,
    due_at,
    due_phases,
    jitter_seconds,
    next_due,
    phase_for,
)
from tests.fuzzing import fuzz_examples

DAY = 24 * 3600
EXAMPLES = settings(max_examples=fuzz_examples(100), deadline=None)

INTERVALS = st.one_of(
    st.sampled_from([5, 60, 300, 3600, DAY, 7 * DAY, 30 * DAY]),
    st.integers(min_value=5, max_value=30 * DAY),
)
LINKS = st.lists(
    st.tuples(st.text(min_size=1, max_size=12), INTERVALS, st.integers(0, 10**6)),
    min_size=1,
    max_size=8,
)
START = st.integers(min_value=1_600_000_000, max_value=2_000_000_000)


def found(ranges: list[PhaseRange], phase: int) -> int:
    """How many of a sweep's queries (``BETWEEN`` on ``due_at`` keys) return the phase."""
    key = due_at(phase)
    return sum(low <= key <= high for low, high in (r.keys for r in ranges))


def due_times(interval: int, phase: int, start: int, end: int) -> list[int]:
    times, t = [], next_due(interval, phase, start)
    while t <= end:
        times.append(t)
        t += interval
    return times


def sweep_times(start: int, gaps: list[int]) -> list[int]:
    times = [start]
    for gap in gaps:
        times.append(times[-1] + gap)
    return times


@EXAMPLES
@given(
    links=LINKS,
    start=START,
    gaps=st.lists(st.integers(min_value=0, max_value=2 * DAY), min_size=1, max_size=30),
)
def test_a_sweep_finds_a_link_once_exactly_when_it_is_due_in_its_window(
    links: list[tuple[str, int, int]], start: int, gaps: list[int]
) -> None:
    sweeps = sweep_times(start, gaps)
    for link_id, interval, registered_before in links:
        phase = phase_for(link_id, interval, start - registered_before)
        for begin, end in itertools.pairwise(sweeps):
            ranges = due_phases(interval, begin, end)
            assert all(0 <= r.low <= r.high < interval for r in ranges)
            hits = found(ranges, phase)
            assert hits <= 1  # the ranges of one sweep never overlap
            assert hits == (next_due(interval, phase, begin) <= end)


@EXAMPLES
@given(link_id=st.text(max_size=12), interval=INTERVALS, start=START, data=st.data())
def test_sweeps_at_least_once_per_interval_find_a_link_once_per_interval(
    link_id: str, interval: int, start: int, data: st.DataObject
) -> None:
    gaps = data.draw(st.lists(st.integers(min_value=0, max_value=interval), max_size=40))
    sweeps = sweep_times(start, gaps)
    phase = phase_for(link_id, interval, start)
    checked = [
        next_due(interval, phase, begin)
        for begin, end in itertools.pairwise(sweeps)
        if found(due_phases(interval, begin, end), phase)
    ]
    assert checked == due_times(interval, phase, sweeps[0], sweeps[-1])
    assert all(later - earlier == interval for earlier, later in itertools.pairwise(checked))


@EXAMPLES
@given(link_id=st.text(max_size=12), interval=INTERVALS, start=START, outage=st.integers(1, 50))
def test_after_an_outage_a_link_is_found_once_not_once_per_missed_interval(
    link_id: str, interval: int, start: int, outage: int
) -> None:
    phase = phase_for(link_id, interval, start)
    end = start + outage * interval  # at least one due time, maybe many, in one window
    assert found(due_phases(interval, start, end), phase) == 1


@EXAMPLES
@given(link_id=st.text(max_size=12), interval=INTERVALS, now=START)
def test_the_first_check_comes_soon_after_registration(
    link_id: str, interval: int, now: int
) -> None:
    first = next_due(interval, phase_for(link_id, interval, now), now)
    jitter = jitter_seconds(link_id, interval)
    assert first == now + 1 + jitter
    assert jitter < max(1, min(MAX_JITTER_SECONDS, interval // 10))
    assert jitter_seconds(link_id, interval) == jitter  # stable: the same link, the same spread
