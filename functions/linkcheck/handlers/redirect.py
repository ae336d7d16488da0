"""Lambda entry point: the public redirect of smart links, ``GET /r/{slug}`` (no API key).

Answers 302 to the URL the slug item says to serve (``serving``: the target, or the fallback
while the target is dead; the worker switches it inside the target's transition transaction),
and a plain HTML 404 page for a slug nobody has. Only stored URLs are ever sent: nothing of the
request (query, headers, path beyond the slug) reaches the ``Location`` header, so this is no
open redirect (docs/smartlinks.md).

What a hit costs: at most one ``GetItem`` (eventually consistent, half a read unit), none
while the slug is in this environment's cache (``REDIRECT_CACHE_SECONDS``, 30 s, at most a
minute: a switch reaches every visitor within it, far inside the 5-minute sweep rhythm), and
one ``UpdateItem`` ``ADD`` on the slug's counter of the day. Both go through the boto3-free
client (SigV4 over http.client): this function imports nothing heavy (no boto3, no
Powertools, no pydantic, no engine), so its cold start stays small
(tests/integration/test_redirect_cold_start.py).

Failures never raise (a raise would be a bare 500 from API Gateway): an unreadable table serves
the last known answer for the slug if this environment has one, else a 503 page; a click that
cannot be counted is logged and the visitor is redirected anyway.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from html import escape
from typing import Any

from ..awsrequest import DynamoDBError, DynamoDBHttpClient
from ..awsrequest.dynamodb_codec import from_item, to_item, values
from ..domain.slugs import click_expiry, click_key, day_of, is_slug, slug_key

CACHE_SECONDS = 30.0  # a known slug's answer is reused this long (REDIRECT_CACHE_SECONDS)
MAX_CACHE_SECONDS = 60.0  # whatever is configured: a switch is never hidden longer than this
MISS_CACHE_SECONDS = 10.0  # an unknown slug's 404 (a new smart link is live within this)
MAX_CACHED = 10_000  # slugs remembered per environment (then the oldest half is dropped)

logger = logging.getLogger("linkcheck.redirect")
_client = DynamoDBHttpClient()


@dataclass(frozen=True, slots=True)
class Destination:
    """What a slug redirects to now, and the id its clicks are counted under."""

    location: str
    smart_id: str


@dataclass(frozen=True, slots=True)
class _Cached:
    destination: Destination | None  # None: no such slug
    fresh_until: float  # time.monotonic()


_cache: dict[str, _Cached] = {}

# Headers of every answer: never stored by a browser or a shared cache (a switch to the
# fallback must reach people who clicked before), no referrer beyond the linking page's origin.
COMMON_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
}
HTML = "text/html; charset=utf-8"
NOT_FOUND_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Link not found</title>"
    "<h1>Link not found</h1><p>This short link does not exist, or it was deleted.</p></html>"
)
UNAVAILABLE_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Try again</title>"
    "<h1>Try again in a moment</h1><p>This short link cannot be followed right now.</p></html>"
)


def destination_of(item: dict[str, Any]) -> Destination | None:
    """Where a slug item (plain values) redirects now; None for an item that cannot serve."""
    serving = item.get("serving")
    url = item.get("fallback_url") if serving == "fallback" else item.get("target_url")
    smart_id = item.get("id")
    if not isinstance(url, str) or not url or not isinstance(smart_id, str):
        return None
    return Destination(location=url, smart_id=smart_id)


def _table() -> str:
    return os.environ["TABLE_NAME"]


def cache_seconds() -> float:
    """How long a known slug's answer is reused (``REDIRECT_CACHE_SECONDS``, 0 to 60)."""
    try:
        seconds = float(os.environ.get("REDIRECT_CACHE_SECONDS", CACHE_SECONDS))
    except ValueError:
        return CACHE_SECONDS
    return min(max(seconds, 0.0), MAX_CACHE_SECONDS)


def _read(slug: str) -> Destination | None:
    pk, sk = slug_key(slug)
    response = _client.get_item(TableName=_table(), Key=to_item({"pk": pk, "sk": sk}))
    item = response.get("Item")
    return destination_of(from_item(item)) if item else None


def lookup(slug: str, *, now: float | None = None) -> Destination | None:
    """The slug's destination, from the cache while fresh; raises ``DynamoDBError`` only when
    the table cannot be read and nothing was ever known about the slug here."""
    now = time.monotonic() if now is None else now
    cached = _cache.get(slug)
    if cached is not None and cached.fresh_until > now:
        return cached.destination
    try:
        destination = _read(slug)
    except DynamoDBError:
        if cached is None:
            raise
        logger.warning("slug item unreadable: serving the last known answer", exc_info=True)
        return cached.destination
    if len(_cache) >= MAX_CACHED:
        for old in list(_cache)[: MAX_CACHED // 2]:  # dicts keep insertion order: oldest first
            del _cache[old]
    ttl = cache_seconds() if destination is not None else min(MISS_CACHE_SECONDS, cache_seconds())
    _cache.pop(slug, None)
    _cache[slug] = _Cached(destination=destination, fresh_until=now + ttl)
    return destination


def count_click(slug: str, smart_id: str, *, epoch: float | None = None) -> None:
    """One atomic ``ADD`` on the slug's counter of the day (UTC); logged, never raised."""
    day = day_of(time.time() if epoch is None else epoch)
    pk, sk = click_key(slug, smart_id, day)
    try:
        _client.update_item(
            TableName=_table(),
            Key=to_item({"pk": pk, "sk": sk}),
            UpdateExpression="ADD #count :one SET kind = :kind, expires_at = :expires",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues=values(one=1, kind="clicks", expires=click_expiry(day)),
        )
    except DynamoDBError:
        logger.warning("click not counted", extra={"slug": slug}, exc_info=True)


def _page(status: int, body: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**COMMON_HEADERS, "Content-Type": HTML},
        "body": body,
        "isBase64Encoded": False,
    }


def redirect_to(location: str) -> dict[str, Any]:
    """A 302 to a stored URL (a tiny page with the link, for clients that show bodies)."""
    link = escape(location, quote=True)
    return {
        "statusCode": 302,
        "headers": {**COMMON_HEADERS, "Location": location, "Content-Type": HTML},
        "body": f'<!doctype html><title>Redirecting</title><a href="{link}">{link}</a>',
        "isBase64Encoded": False,
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    slug = str((event.get("pathParameters") or {}).get("slug") or "")
    if not is_slug(slug):  # not even a possible slug: no read
        return _page(404, NOT_FOUND_PAGE)
    try:
        destination = lookup(slug)
    except DynamoDBError:
        logger.exception("slug item unreadable")
        page = _page(503, UNAVAILABLE_PAGE)
        page["headers"]["Retry-After"] = "5"
        return page
    if destination is None:
        return _page(404, NOT_FOUND_PAGE)
    count_click(slug, destination.smart_id)
    return redirect_to(destination.location)
