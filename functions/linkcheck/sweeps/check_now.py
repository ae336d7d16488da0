"""Check one registered link now and record the result with a sweep's rules (``POST .../check``).

The caller supplies the check itself (the api runs the engine on its shared event loop); the
result is recorded by the same :class:`Recorder` as the worker's: a new broken verdict is only
pending until a confirmation re-check (queued here) confirms it. A result that judged nothing
(``not_checked``) is answered but not stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..engine.verdict import CheckResult
from ..observability import count_results, count_transitions
from ..settings import get_settings
from ..store.links import Link, LinkStore
from ..store.results import ResultStore
from .process import Recorder
from .queue import CheckQueue

CheckOne = Callable[[str], CheckResult]  # a URL in, its result out (never raises for the URL)


@dataclass(frozen=True, slots=True)
class CheckedNow:
    """The link as it is after the check, the result, and the event it caused (or None)."""

    link: Link
    result: CheckResult
    event: str | None


def check_now(
    tenant: str, link_id: str, check: CheckOne, *, store: LinkStore | None = None
) -> CheckedNow:
    """Check the tenant's link with ``check`` (``NotFound`` for an unknown or another tenant's
    id) and record the result."""
    store = store or LinkStore()
    link = store.get(tenant, link_id)
    result = check(link.url)
    count_results([result])
    if not result.judged:
        return CheckedNow(link=link, result=result, event=None)
    recorder = Recorder(
        store=store, results=ResultStore(), queue=CheckQueue(), settings=get_settings()
    )
    outcome = recorder.record(link, result, is_confirmation=False)
    recorder.flush()
    count_transitions(recorder.transitions)
    if outcome is None:  # deleted while it was being checked
        return CheckedNow(link=link, result=result, event=None)
    event = outcome.event.value if outcome.event else None
    return CheckedNow(link=store.get(tenant, link_id), result=result, event=event)
