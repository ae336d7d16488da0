"""Lambda entry point: the HTTP API's authorizer (simple responses, payload 2.0).

Authenticates only: it looks the key of ``Authorization: Bearer <key>`` up by its SHA-256 hash
and always allows, with ``{tenant, key_id}`` as context (empty for an unknown or revoked key,
which the api function answers with our JSON 401; routes/principal.py). API Gateway caches the
answer per ``Authorization`` value (``ReauthorizeEvery`` in template.yaml), so this function
runs about once per key every few minutes; the per-key rate limit is counted by the api
function, which sees every request. Errors talking to DynamoDB propagate: API Gateway then
answers 500, never letting a request in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..observability import lambda_handler, logger
from ..store.keys import KeyStore
from .routes.principal import Principal, authorizer_context


def bearer_secret(event: Mapping[str, Any]) -> str | None:
    """The raw key of ``Authorization: Bearer <key>`` (header names are case-insensitive)."""
    headers = event.get("headers") or {}
    value = next(
        (v for k, v in headers.items() if isinstance(k, str) and k.lower() == "authorization"),
        None,
    )
    if value is None:
        sources = event.get("identitySource") or []
        value = sources[0] if sources else None
    if not isinstance(value, str):
        return None
    scheme, _, secret = value.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    return secret


@lambda_handler(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    secret = bearer_secret(event)
    key = KeyStore().find(secret) if secret else None
    if key is None:
        # Never log the presented value: it may be a real key with a typo.
        logger.info("unknown or revoked API key", extra={"route": event.get("routeKey")})
        return {"isAuthorized": True, "context": authorizer_context(None)}
    principal = Principal(tenant=key.tenant, key_id=key.key_id)
    return {"isAuthorized": True, "context": authorizer_context(principal)}
