"""Meta's Graph oEmbed endpoints (Instagram and Facebook), asked with the optional app token.

``graph.facebook.com/<version>/{instagram_oembed, oembed_post, oembed_video, oembed_page}``
answer server-side clients that hold a Meta app access token. They are the official way to
learn whether a post exists when the page itself is behind a login wall.

What an answer proves (precision first):

- 200 with an oEmbed object: the content is there (``LIVE``).
- an error whose message says the object does not exist, and names no permission or token
  problem: ``MISSING``. Graph's generic "does not exist, cannot be loaded due to missing
  permissions" is *not* proof (it mentions permissions).
- anything else (rate limits, token problems, private content, network failures):
  ``UNKNOWN``.

The token travels only in the probe's query string: it is never put in a verdict's detail,
never returned, and the probe URL is never logged by the engine.
"""

from __future__ import annotations

from enum import Enum
from urllib.parse import quote

from ..detectors import Probe, ProbeResponse
from . import html
from .base import json_body

GRAPH = "https://graph.facebook.com/v21.0"

_MISSING = ("does not exist", "doesn't exist", "no longer exists", "has been deleted")
_NOT_PROOF = ("permission", "token", "oauth", "rate", "limit", "private")


class Evidence(Enum):
    LIVE = "live"
    MISSING = "missing"
    UNKNOWN = "unknown"


def graph_url(endpoint: str, url: str, token: str) -> str:
    """``GRAPH/endpoint?url=URL&access_token=TOKEN``, both values percent-encoded."""
    return f"{GRAPH}/{endpoint}?url={quote(url, safe='')}&access_token={quote(token, safe='')}"


def read_answer(answer: ProbeResponse | None) -> Evidence:
    """What one Graph oEmbed answer proves about the content (see the module doc)."""
    if answer is None:
        return Evidence.UNKNOWN
    body = json_body(answer)
    if body is None:
        return Evidence.UNKNOWN
    error = body.get("error")
    if answer.status == 200 and error is None and ("html" in body or "author_name" in body):
        return Evidence.LIVE
    if not isinstance(error, dict):
        return Evidence.UNKNOWN
    said = html.fold(
        " ".join(
            str(error.get(key) or "") for key in ("message", "error_user_title", "error_user_msg")
        )
    )
    if any(p in said for p in _MISSING) and not any(p in said for p in _NOT_PROOF):
        return Evidence.MISSING
    return Evidence.UNKNOWN


async def ask(probe: Probe, endpoint: str, url: str, token: str | None) -> Evidence | None:
    """Ask Graph oEmbed about ``url``; None when no token is configured (nothing asked)."""
    if not token:
        return None
    return read_answer(await probe(graph_url(endpoint, url, token)))


def describe(evidence: Evidence | None) -> str:
    """How an oEmbed outcome reads in a verdict's detail (never the token, never the body)."""
    if evidence is None:
        return "Meta's oEmbed was not asked (no Meta app token configured)"
    if evidence is Evidence.LIVE:
        return "Meta's oEmbed finds it"
    if evidence is Evidence.MISSING:
        return "Meta's oEmbed says it does not exist"
    return "Meta's oEmbed could not tell"
