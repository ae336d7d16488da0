"""X / Twitter: post (status) URLs, judged by the public oEmbed endpoint.

The web pages are an empty JavaScript shell for anonymous clients, so the page body says
nothing; ``publish.twitter.com/oembed`` does: 200 the post is there, 404 deleted (or the
account is gone), 403 the account is protected.
"""

from __future__ import annotations

import re

from ..detectors import Page, Probe
from ..verdict import Verdict
from . import html
from .base import PlatformDetector, json_body, oembed

OEMBED = "https://publish.twitter.com/oembed"
_STATUS_PATH = re.compile(r"^/[A-Za-z0-9_]{1,15}/status(?:es)?/(\d+)", re.IGNORECASE)
_STATUS_ONLY = re.compile(r"^/i/(?:web/)?status/(\d+)")


def status_url(url: str) -> str | None:
    """The canonical ``https://twitter.com/<user>/status/<id>`` form, else None."""
    where = html.path(url)
    match = _STATUS_PATH.match(where) or _STATUS_ONLY.match(where)
    if not match:
        return None
    return f"https://twitter.com{where[: match.end()]}"


class TwitterDetector(PlatformDetector):
    name = "twitter"
    label = "X (Twitter)"
    domains = frozenset({"twitter.com", "x.com"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        post = status_url(page.final_url) or status_url(page.requested_url)
        if post is None:
            return None
        answer = await oembed(probe, OEMBED, post)
        if answer is None:
            return None
        if answer.status == 404:
            return self.deleted("the post does not exist (deleted, or its account is gone).")
        if answer.status == 403:
            return self.private("the post is from a protected account.")
        if answer.status == 200 and json_body(answer):
            return self.live("post")
        return None
