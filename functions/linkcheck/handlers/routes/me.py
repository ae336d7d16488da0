"""Route: ``GET /me``, who the API key belongs to (also Zapier's authentication test)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()


class Me(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use, not at cold start

    tenant: str = Field(description="The tenant the API key belongs to.")
    key_id: str = Field(description="The id of the API key (never the key itself).")


@router.route(
    *endpoint("/me", "GET"),
    summary="Who this API key belongs to",
    tags=["auth"],
    responses={200: {"description": "The tenant and the key id."}},
)
def who_am_i() -> Me:
    principal = principal_of(router.current_event)
    return Me(tenant=principal.tenant, key_id=principal.key_id)
