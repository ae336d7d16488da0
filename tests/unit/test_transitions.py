"""The "new 404" rule (DESIGN.md section 3) as a pure state machine."""

from __future__ import annotations

from linkcheck.engine.verdict import Status
from linkcheck.sweeps.transitions import (
    EventType,
    LinkState,
    Outcome,
    Tracking,
    apply_result,
    history_worthy,
)


def step(before: Tracking, status: Status, *, confirm: bool = False) -> Outcome:
    return apply_result(before, status, is_confirmation=confirm, down_after=3)


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


def test_blocked_never_changes_anything() -> None:
    for before in (OK, Tracking(state=LinkState.BROKEN), Tracking(pending=LinkState.BROKEN)):
        outcome = step(before, Status.BLOCKED)
        assert outcome.tracking == before and outcome.event is None and not outcome.confirm
    two_errors = Tracking(state=LinkState.OK, failures=2)
    assert step(two_errors, Status.BLOCKED).tracking.failures == 2


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
