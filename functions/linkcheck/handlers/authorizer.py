"""Lambda entry point: the HTTP API's authorizer (simple responses, payload 2.0).

Runs on every request (the template disables result caching, so the per-key rate limit can
count each request and a revoked key stops working at once). It identifies the caller from
``Authorization: Bearer <key>`` and counts the request; the api function refuses unknown keys
(401) and keys over their limit (429) from the context returned here (routes/principal.py).
Errors talking to DynamoDB propagate: API Gateway then answers 500, never letting a request in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..observability import logger
from ..settings import get_settings
from ..store.keys import KeyStore
from ..store.ratelimit import RateLimiter
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


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    secret = bearer_secret(event)
    key = KeyStore().find(secret) if secret else None
    if key is None:
        # Never log the presented value: it may be a real key with a typo.
        logger.info("unknown or revoked API key", extra={"route": event.get("routeKey")})
        return {"isAuthorized": True, "context": authorizer_context(None)}

    principal = Principal(tenant=key.tenant, key_id=key.key_id)
    decision = RateLimiter().hit(key.key_id, limit=get_settings().rate_limit_per_minute)
    if not decision.allowed:
        logger.info(
            "API key over its rate limit",
            extra={"key_id": key.key_id, "tenant": key.tenant, "count": decision.count},
        )
    return {
        "isAuthorized": True,
        "context": authorizer_context(principal, retry_after=decision.retry_after or None),
    }
