"""Route: ``GET /stats``, the caller's links counted by state (one GetItem).

The counts are kept on transitions (store/stats.py): every write that creates, deletes or
changes the state of a link updates them in the same transaction, so reading them never
scans the tenant's links.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from ...store.stats import StatsStore
from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()

DEFERRED = ConfigDict(defer_build=True)  # built on first use, not at cold start


class ByState(BaseModel):
    """Links in each confirmed state (`status` of a link)."""

    model_config = DEFERRED

    unchecked: int = Field(ge=0)
    ok: int = Field(ge=0)
    broken: int = Field(ge=0)
    restricted: int = Field(ge=0)
    down: int = Field(ge=0)


class Stats(BaseModel):
    model_config = DEFERRED

    links: int = Field(ge=0, description="All the tenant's links (the sum of `by_state`).")
    by_state: ByState


@router.route(
    *endpoint("/stats", "GET"),
    summary="How many links, by state",
    tags=["links"],
    responses={200: {"description": "The caller's links counted by state."}},
)
def link_stats() -> Stats:
    tenant = principal_of(router.current_event).tenant
    counted = StatsStore().get(tenant)
    return Stats(
        links=counted.links,
        by_state=ByState(**{state.value: n for state, n in counted.by_state.items()}),
    )
