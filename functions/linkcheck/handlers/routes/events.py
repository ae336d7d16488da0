"""Route: ``GET /events``, the newest-first feed of events: confirmed link transitions
(``link.*``) and completed audits (``audit.completed``), optionally of some types only.

Also Zapier's polling trigger: every item has a unique, time-ordered ``id``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from ...domain.events import EventType
from ...store.events import EventStore
from .presenters import EventView
from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()

EVENT_TYPE_NAMES = tuple(t.value for t in EventType)
MAX_TYPE_FILTER_LENGTH = 512
_ONE_TYPE = "|".join(re.escape(name) for name in EVENT_TYPE_NAMES)
# In the schema too, so clients (and schema-driven tests) know the exact accepted form.
TYPE_FILTER_PATTERN = f"^({_ONE_TYPE})(,({_ONE_TYPE}))*$"


class AuditEventView(BaseModel):
    """A completed audit: what it found, in numbers."""

    model_config = ConfigDict(defer_build=True)

    id: str = Field(description="Unique and time-ordered (newest sorts last).")
    type: Literal["audit.completed"]
    audit_id: str = Field(description="The audit (`GET /audits/{audit_id}/links` lists its links).")
    url: str = Field(description="The audited URL.")
    host: str
    mode: str = Field(description="How it was audited.")
    counts: dict[str, int] = Field(description='Links by status, e.g. `{"ok": 40, "broken": 2}`.')
    pages: int = Field(description="Pages read.")
    links: int = Field(description="Distinct links checked.")
    started_at: str
    occurred_at: str = Field(description="When the audit completed.")


class EventPage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    events: list[EventView | AuditEventView] = Field(description="Newest first.")
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null: no more.")


def _view(item: dict[str, Any]) -> EventView | AuditEventView:
    if item.get("type") == EventType.AUDIT_COMPLETED:
        return AuditEventView.model_validate(item)
    return EventView.of(item)


def parse_types(raw: str | None) -> list[str]:
    """``link.broken,audit.completed`` -> the types (the query's pattern admits known ones)."""
    return list(dict.fromkeys(name for name in (raw or "").split(",") if name))


@router.route(
    *endpoint("/events", "GET"),
    summary="Events (link transitions, completed audits), newest first",
    tags=["events"],
    responses={200: {"description": "A page of events and the cursor of the next (or null)."}},
)
def list_events(
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    event_types: Annotated[
        str | None,
        Query(
            alias="type",
            max_length=MAX_TYPE_FILTER_LENGTH,
            pattern=TYPE_FILTER_PATTERN,
            description="Only these event types, comma-separated (e.g. `audit.completed`).",
        ),
    ] = None,
) -> EventPage:
    tenant = principal_of(router.current_event).tenant
    page = EventStore().feed(tenant, limit=limit, cursor=cursor, types=parse_types(event_types))
    return EventPage(events=[_view(e) for e in page.events], cursor=page.cursor)
