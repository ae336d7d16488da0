"""Who is calling: the contract between the authorizer and the api function.

The authorizer answers every request with a simple response whose context reaches the api
function as ``requestContext.authorizer.lambda``:

- ``{"tenant": T, "key_id": K}`` for a known key within its rate limit;
- the same plus ``"retry_after": N`` (seconds) when the key is over its rate limit;
- ``{"tenant": "", "key_id": ""}`` for an unknown or revoked key.

The api function refuses the last two itself (401, 429 with ``Retry-After``), because an HTTP
API authorizer can only allow or answer a bare 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import Unauthorized


@dataclass(frozen=True, slots=True)
class Principal:
    tenant: str
    key_id: str


def _lambda_context(event: Any) -> dict[str, Any]:
    raw = event.raw_event if hasattr(event, "raw_event") else event
    authorizer = (raw.get("requestContext") or {}).get("authorizer") or {}
    context = authorizer.get("lambda") or {}
    return context if isinstance(context, dict) else {}


def principal_of(event: Any) -> Principal:
    """Read the authorizer's simple-response context (``requestContext.authorizer.lambda``).

    ``event`` is the resolver's ``current_event`` (an ``APIGatewayProxyEventV2``) or a raw dict.
    """
    lambda_context = _lambda_context(event)
    tenant, key_id = lambda_context.get("tenant"), lambda_context.get("key_id")
    if not tenant or not key_id:
        raise Unauthorized("missing or unknown API key: send 'Authorization: Bearer <key>'")
    return Principal(tenant=str(tenant), key_id=str(key_id))


def retry_after_of(event: Any) -> int | None:
    """Seconds the caller must wait when the authorizer found the key over its rate limit."""
    value = _lambda_context(event).get("retry_after")
    if value is None or isinstance(value, bool):
        return None
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def authorizer_context(
    principal: Principal | None, *, retry_after: int | None = None
) -> dict[str, str | int]:
    """The context the authorizer returns for ``principal`` (None: unknown key)."""
    if principal is None:
        return {"tenant": "", "key_id": ""}
    context: dict[str, str | int] = {"tenant": principal.tenant, "key_id": principal.key_id}
    if retry_after:
        context["retry_after"] = retry_after
    return context
