"""Route: ``GET /events``, the newest-first feed of confirmed link transitions.

Also Zapier's polling trigger: every item has a unique, time-ordered ``id``.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ...store.events import EventStore
from .presenters import EventPage, event_page
from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()


@router.route(
    *endpoint("/events", "GET"),
    summary="Link events, newest first",
    tags=["events"],
    responses={200: {"description": "A page of events and the cursor of the next (or null)."}},
)
def list_events(
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> EventPage:
    tenant = principal_of(router.current_event).tenant
    page = EventStore().feed(tenant, limit=limit, cursor=cursor)
    return event_page(page.events, page.cursor)
