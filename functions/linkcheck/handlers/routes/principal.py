"""Who is calling: the contract between the authorizer and the api function.

The authorizer answers every request with a simple response whose context reaches the api
function as ``requestContext.authorizer.lambda``:

- ``{"tenant": T, "key_id": K}`` for a known key;
- ``{"tenant": "", "key_id": ""}`` for an unknown or revoked key.

The api function refuses the latter itself (401), because an HTTP API authorizer can only allow
or answer a bare 403. The answer is cached by API Gateway per ``Authorization`` value, so the
context carries only what stays true for minutes: never per-request state such as a rate count.
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


def authorizer_context(principal: Principal | None) -> dict[str, str]:
    """The context the authorizer returns for ``principal`` (None: unknown key)."""
    if principal is None:
        return {"tenant": "", "key_id": ""}
    return {"tenant": principal.tenant, "key_id": principal.key_id}
