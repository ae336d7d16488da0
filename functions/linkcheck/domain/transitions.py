"""The "new 404" rule (docs/links-and-sweeps.md), as a pure state machine.

A link's stored ``state`` changes only on confirmed transitions:

- a new ``broken``/``restricted`` result becomes ``pending``; a second agreeing result (the
  delayed confirmation re-check, or any later check) changes the state and emits one event;
- ``error`` (and ``invalid``, a URL that became uncheckable, e.g. resolving to a private
  address) counts consecutive failures; the Nth makes an ``ok``/``unchecked`` link ``down``;
- ``blocked`` changes no state, pending verdict or failure count (it says nothing about the
  link, so a broken link stays broken and never "recovers" on it); it only extends the run of
  refusals (``blocked_since``, ``blocked_checks``), which any other result ends;
- one ``ok`` result recovers a ``broken``/``restricted``/``down`` link (``link.recovered``).

Results that judged nothing (``CheckResult.judged`` is False: ``not_checked``) never reach this
machine: the recorder leaves the link untouched and the sweep checks it again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from ..engine.verdict import Status
from .events import EventType


class LinkState(StrEnum):
    UNCHECKED = "unchecked"  # registered, no conclusive result yet
    OK = "ok"
    BROKEN = "broken"
    RESTRICTED = "restricted"
    DOWN = "down"  # N consecutive errors


DEAD_STATES = frozenset({LinkState.BROKEN, LinkState.RESTRICTED, LinkState.DOWN})
_CONFIRMABLE = {Status.BROKEN: LinkState.BROKEN, Status.RESTRICTED: LinkState.RESTRICTED}
_EVENT_OF = {
    LinkState.BROKEN: EventType.BROKEN,
    LinkState.RESTRICTED: EventType.RESTRICTED,
    LinkState.DOWN: EventType.DOWN,
    LinkState.OK: EventType.RECOVERED,
}


@dataclass(frozen=True, slots=True)
class Tracking:
    """What the state machine remembers about a link between checks."""

    state: LinkState = LinkState.UNCHECKED
    pending: LinkState | None = None  # a broken/restricted verdict awaiting confirmation
    failures: int = 0  # consecutive error/invalid results
    blocked_since: str | None = None  # checked_at of the first of the current run of refusals
    blocked_checks: int = 0  # consecutive blocked results


@dataclass(frozen=True, slots=True)
class Outcome:
    tracking: Tracking
    event: EventType | None = None  # set on a confirmed transition (exactly one event item)
    previous: LinkState | None = None  # the state before a transition
    confirm: bool = False  # schedule a delayed re-check to confirm ``tracking.pending``

    @property
    def changed(self) -> bool:
        return self.event is not None


def _still_blocked(before: Tracking, checked_at: str) -> Tracking:
    return replace(
        before,
        blocked_since=before.blocked_since or checked_at,
        blocked_checks=before.blocked_checks + 1,
    )


def _transition(before: Tracking, to: LinkState, failures: int) -> Outcome:
    after = Tracking(state=to, pending=None, failures=failures)
    return Outcome(tracking=after, event=_EVENT_OF[to], previous=before.state)


def apply_result(
    before: Tracking,
    status: Status,
    *,
    checked_at: str,
    is_confirmation: bool,
    down_after: int,
) -> Outcome:
    """How one judged check result moves a link (pure; ``is_confirmation``: a delayed re-check,
    ``checked_at``: when the result was taken, the start of a run of refusals)."""
    if status is Status.BLOCKED:
        return Outcome(tracking=_still_blocked(before, checked_at))
    # Any other verdict ends a run of refusals.
    before = replace(before, blocked_since=None, blocked_checks=0)
    if status is Status.OK:
        if before.state in DEAD_STATES:
            return _transition(before, LinkState.OK, failures=0)
        return Outcome(tracking=Tracking(state=LinkState.OK))
    target = _CONFIRMABLE.get(status)
    if target is not None:
        if before.state is target:
            return Outcome(tracking=Tracking(state=target))
        if before.pending is target:
            return _transition(before, target, failures=0)
        # First sight: remember it, and re-check after a delay unless this already was the
        # re-check (then the next regular check decides, so confirmations cannot loop).
        pending = replace(before, pending=target, failures=0)
        return Outcome(tracking=pending, confirm=not is_confirmation)
    # error / invalid: unknown on its own; only a run of them counts.
    failures = before.failures + 1
    if failures >= down_after and before.state in (LinkState.OK, LinkState.UNCHECKED):
        return _transition(before, LinkState.DOWN, failures=failures)
    return Outcome(tracking=replace(before, failures=failures))


def history_worthy(
    previous: tuple[str, str] | None, status: str, reason: str, outcome: Outcome, *, every: bool
) -> bool:
    """Record a history item for every check, or (default) only when the result changed.

    ``previous`` is the (status, reason) of the link's latest result before this one.
    """
    return every or outcome.changed or previous != (status, reason)
