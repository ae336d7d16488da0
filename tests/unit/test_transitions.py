"""The "new 404" rule (docs/links-and-sweeps.md) as a pure state machine."""

from __future__ import annotations

from dataclasses import replace

import pytest

from linkcheck.domain.transitions import (
    EventType,
    LinkState,
    Outcome,
    Tracking,
    apply_result,
    history_worthy,
)
from linkcheck.engine.verdict import Status

T1 = "2026-11-26T05:30:00.000Z"
T2 = "2026-11-26T06:30:00.000Z"


def step(before: Tracking, status: Status, *, confirm: bool = False, at: str = T1) -> Outcome:
    return apply_result(before, status, checked_at=at, is_confirmation=confirm, down_after=3)


OK = Tracking(state=LinkState.OK)


def test_a_new_404_is_pending_until_a_second_result_agrees() -> None:
    first = step(OK, Status.BROKEN)
    assert first.tracking.state is LinkState.OK
    assert first.tracking.pending is LinkState.BROKEN
    assert first.confirm and first.event is None

    second = step(first.tracking, Status.BROKEN, confirm=True)
    assert second.tracking == Tracking(state=LinkState.BROKEN)
    assert second.event is EventType.BROKEN and second.previous is LinkState.OK
    assert not second.confirm


def test_a_blip_that_recovers_before_confirmation_changes_nothing() -> None:
    pending = step(OK, Status.BROKEN).tracking
    again = step(pending, Status.OK, confirm=True)
    assert again.tracking == OK and again.event is None


def test_a_disagreeing_confirmation_does_not_ask_for_another() -> None:
    pending = step(OK, Status.BROKEN).tracking
    other = step(pending, Status.RESTRICTED, confirm=True)
    assert other.tracking.pending is LinkState.RESTRICTED
    assert not other.confirm and other.event is None
    assert step(other.tracking, Status.RESTRICTED).event is EventType.RESTRICTED


def test_errors_need_n_in_a_row_to_become_down() -> None:
    tracking = OK
    for _ in range(2):
        outcome = step(tracking, Status.ERROR)
        assert outcome.event is None
        tracking = outcome.tracking
    down = step(tracking, Status.ERROR)
    assert down.event is EventType.DOWN and down.tracking.state is LinkState.DOWN
    assert step(down.tracking, Status.ERROR).event is None  # already down: no second event
    recovered = step(down.tracking, Status.OK)
    assert recovered.event is EventType.RECOVERED and recovered.tracking == OK


def test_an_ok_resets_the_failure_count() -> None:
    tracking = step(step(OK, Status.ERROR).tracking, Status.ERROR).tracking
    tracking = step(tracking, Status.OK).tracking
    assert step(tracking, Status.ERROR).tracking.failures == 1


def test_blocked_changes_no_state_only_the_run_of_refusals() -> None:
    for before in (OK, Tracking(state=LinkState.BROKEN), Tracking(pending=LinkState.BROKEN)):
        outcome = step(before, Status.BLOCKED)
        assert outcome.event is None and not outcome.confirm
        assert outcome.tracking == replace(before, blocked_since=T1, blocked_checks=1)
    two_errors = Tracking(state=LinkState.OK, failures=2)
    assert step(two_errors, Status.BLOCKED).tracking.failures == 2


def test_a_run_of_blocked_results_keeps_its_start_and_counts() -> None:
    first = step(OK, Status.BLOCKED, at=T1).tracking
    second = step(first, Status.BLOCKED, at=T2).tracking
    assert (second.blocked_since, second.blocked_checks) == (T1, 2)
    assert second.state is LinkState.OK


@pytest.mark.parametrize("status", [Status.OK, Status.ERROR, Status.BROKEN, Status.INVALID])
def test_any_other_judged_result_ends_the_run(status: Status) -> None:
    blocked = step(step(OK, Status.BLOCKED).tracking, Status.BLOCKED, at=T2).tracking
    after = step(blocked, status, at=T2).tracking
    assert (after.blocked_since, after.blocked_checks) == (None, 0)


@pytest.mark.parametrize("state", [LinkState.BROKEN, LinkState.RESTRICTED, LinkState.DOWN])
def test_a_dead_link_that_turns_blocked_stays_dead(state: LinkState) -> None:
    tracking = Tracking(state=state, failures=3 if state is LinkState.DOWN else 0)
    for at in (T1, T2):
        outcome = step(tracking, Status.BLOCKED, at=at)
        assert outcome.event is None and outcome.previous is None and not outcome.confirm
        assert outcome.tracking.state is state
        tracking = outcome.tracking
    assert tracking.blocked_checks == 2
    # Only real evidence moves it: an ok recovers it (once), the same verdict keeps it.
    assert step(tracking, Status.OK).event is EventType.RECOVERED
    if state is not LinkState.DOWN:
        again = step(tracking, Status(state.value))
        assert again.event is None and again.tracking == Tracking(state=state)


def test_a_pending_confirmation_survives_blocked_results() -> None:
    pending = step(OK, Status.BROKEN).tracking
    # The delayed re-check is refused: nothing confirmed, nothing dropped, no new re-check.
    refused = step(pending, Status.BLOCKED, confirm=True)
    assert refused.event is None and not refused.confirm
    assert refused.tracking.pending is LinkState.BROKEN and refused.tracking.state is LinkState.OK
    # The next agreeing result confirms it, and ends the run of refusals.
    confirmed = step(refused.tracking, Status.BROKEN)
    assert confirmed.event is EventType.BROKEN
    assert confirmed.tracking == Tracking(state=LinkState.BROKEN)


def test_the_first_result_sets_a_baseline_without_an_event() -> None:
    assert step(Tracking(), Status.OK) == Outcome(tracking=OK)


def test_broken_recovers_with_one_ok() -> None:
    outcome = step(Tracking(state=LinkState.BROKEN), Status.OK)
    assert outcome.event is EventType.RECOVERED and outcome.previous is LinkState.BROKEN


def test_history_records_changes_unless_asked_for_every_check() -> None:
    quiet = Outcome(tracking=OK)
    assert history_worthy(None, "ok", "http_2xx", quiet, every=False)
    assert not history_worthy(("ok", "http_2xx"), "ok", "http_2xx", quiet, every=False)
    assert history_worthy(("ok", "http_2xx"), "ok", "http_2xx", quiet, every=True)
    assert history_worthy(("ok", "http_2xx"), "broken", "http_404", quiet, every=False)
