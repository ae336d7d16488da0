"""Who is calling: the tenant and key id the authorizer put into the request context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import Unauthorized


@dataclass(frozen=True, slots=True)
class Principal:
    tenant: str
    key_id: str


def principal_of(event: Any) -> Principal:
    """Read the authorizer's simple-response context (``requestContext.authorizer.lambda``).

    ``event`` is the resolver's ``current_event`` (an ``APIGatewayProxyEventV2``) or a raw dict.
    """
    raw = event.raw_event if hasattr(event, "raw_event") else event
    context = (raw.get("requestContext") or {}).get("authorizer") or {}
    lambda_context = context.get("lambda") or {}
    tenant, key_id = lambda_context.get("tenant"), lambda_context.get("key_id")
    if not tenant or not key_id:
        raise Unauthorized("missing or unknown API key")
    return Principal(tenant=str(tenant), key_id=str(key_id))
