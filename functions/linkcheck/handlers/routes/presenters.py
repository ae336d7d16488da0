"""How the API shows what it answers: the response bodies, as pydantic models.

Every model here documents a body in ``/openapi.json`` (Zapier reads ``/events`` by it) and
checks the answer before it leaves (Powertools validates a route's return value against its
annotation). Presentation belongs to the API, so the link's public shape is made here from
the stored :class:`~linkcheck.store.links.Link`, not by the store.

Models are built on first use (``defer_build``), not at import: a cold start of a route never
pays for the models of the others.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...domain import schedule
from ...domain.transitions import LinkState
from ...engine import CheckResult, Reason, Status
from ...store.links import Link

DEFERRED = ConfigDict(defer_build=True)


def _absent_when_none(value: object) -> bool:
    return value is None


class Redirect(BaseModel):
    model_config = DEFERRED

    url: str
    status: int = Field(
        description="the HTTP status of this hop; 0 for a wall URL unwrapped without a request"
    )


class Verdict(BaseModel):
    """The result of one check (see the verdict model in the README)."""

    model_config = DEFERRED

    url: str
    status: Status
    reason: Reason
    detail: str
    final_url: str | None = None
    http_status: int | None = None
    redirects: list[Redirect] = Field(default_factory=list)
    platform: str | None = None
    elapsed_ms: int = 0
    checked_at: str

    @classmethod
    def of(cls, result: CheckResult) -> Verdict:
        return cls.model_validate(result.to_dict())


class HistoryEntry(Verdict):
    """A stored result, with the state the link was in once it was recorded."""

    state: LinkState


class LinkView(BaseModel):
    """A registered link, its state and its latest result."""

    model_config = DEFERRED

    id: str
    url: str = Field(description="The normalised URL that is checked.")
    host: str = Field(description="The host of the normalised URL.")
    platform: str | None = Field(
        description="The platform that judged the latest result (`youtube`...), or null."
    )
    tags: list[str]
    interval_minutes: int
    interval_seconds: int | None = Field(
        default=None,
        exclude_if=_absent_when_none,
        description="Only for intervals that are not whole minutes (local demos).",
    )
    notify: bool
    status: LinkState = Field(description="The confirmed state.")
    pending: LinkState | None = Field(description="A new state awaiting its confirmation.")
    consecutive_failures: int
    blocked_since: str | None = Field(description="Start of the current run of refusals.")
    blocked_checks: int = Field(description="Checks in the current run of refusals.")
    checks: int
    last_result: Verdict | None
    last_checked_at: str | None
    next_check_at: str
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, link: Link, now: int) -> LinkView:
        return cls(
            id=link.id,
            url=link.url,
            host=link.host,
            platform=(link.last_result or {}).get("platform"),
            tags=link.tags,
            interval_minutes=link.interval // 60,
            interval_seconds=link.interval if link.interval % 60 else None,
            notify=link.notify,
            status=link.tracking.state,
            pending=link.tracking.pending,
            consecutive_failures=link.tracking.failures,
            blocked_since=link.tracking.blocked_since,
            blocked_checks=link.tracking.blocked_checks,
            checks=link.checks,
            last_result=(
                Verdict.model_validate(link.last_result) if link.last_result is not None else None
            ),
            last_checked_at=link.last_checked_at,
            next_check_at=schedule.next_due_iso(link.interval, link.phase, now),
            created_at=link.created_at,
            updated_at=link.updated_at,
        )


class LinkPage(BaseModel):
    model_config = DEFERRED

    links: list[LinkView]
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null: no more.")


class ItemError(BaseModel):
    """Why one item of a batch was refused (the shape of an error answer's ``error``)."""

    model_config = DEFERRED

    code: str
    message: str
    field: str | None


class BatchItem(BaseModel):
    model_config = DEFERRED

    index: int = Field(description="Position of the item in the request.")
    status: Literal["created", "existing", "error"]
    link: LinkView | None = Field(
        default=None, exclude_if=_absent_when_none, description="Unless `status` is `error`."
    )
    error: ItemError | None = Field(
        default=None, exclude_if=_absent_when_none, description="Only when `status` is `error`."
    )


class BatchResult(BaseModel):
    model_config = DEFERRED

    results: list[BatchItem] = Field(description="One per item, in input order.")
    created: int
    existing: int
    error: int


class CheckedLink(BaseModel):
    """``POST /links/{id}/check``: the link after the check, the result, the event caused."""

    model_config = DEFERRED

    link: LinkView
    result: Verdict
    event: str | None = Field(description="The confirmed transition (`link.broken`...), if any.")


class HistoryPage(BaseModel):
    model_config = DEFERRED

    results: list[HistoryEntry] = Field(description="Newest first.")
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null: no more.")


class EventView(BaseModel):
    """A confirmed transition of a link."""

    model_config = DEFERRED

    id: str = Field(description="Unique and time-ordered (newest sorts last).")
    type: str = Field(
        description="`link.broken`, `link.restricted`, `link.down` or `link.recovered`."
    )
    link_id: str
    url: str
    host: str
    occurred_at: str
    previous: str | None = Field(description="The link's state before (`ok`, `broken`...).")
    state: str | None = Field(description="The link's state after.")
    notify: bool
    tags: list[str]
    result: Verdict

    @classmethod
    def of(cls, item: dict[str, Any]) -> EventView:
        """Read as leniently as the notifier does (notify/messages.py): events written by
        older versions may lack ``state`` or ``tags``, or hold the previous state as a map."""
        previous = item.get("previous")
        if isinstance(previous, dict):
            previous = previous.get("status")
        return cls.model_validate(
            {
                **item,
                "previous": previous or None,
                "state": item.get("state") or None,
                "tags": item.get("tags") or [],
                "notify": item.get("notify", True) is not False,
            }
        )


class EventPage(BaseModel):
    model_config = DEFERRED

    events: list[EventView] = Field(description="Newest first.")
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null: no more.")


def event_page(events: list[dict[str, Any]], cursor: str | None) -> EventPage:
    return EventPage(events=[EventView.of(e) for e in events], cursor=cursor)
