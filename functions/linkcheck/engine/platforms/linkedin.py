"""LinkedIn: refuses automated and logged-out clients; a refusal is ``blocked``, never dead.

- HTTP 999 ("Request denied"; the body is a script sending the browser to
  ``/authwall?...&sessionRedirect=<url>``): ``blocked`` / ``http_999``;
- a redirect to ``/authwall``, ``/uas/login``, ``/login`` or ``/checkpoint``, or a page whose
  only job is to send the browser to ``/authwall`` (no Open Graph tags): ``blocked`` /
  ``bot_challenge``. Logged-out visitors get the authwall for public profiles too, so it says
  nothing about the profile;
- 429: ``blocked`` / ``rate_limited``.

A real 404 is left to the HTTP classification; a 200 page on linkedin.com is live.
"""

from __future__ import annotations

import re

from ..detectors import Page, Probe
from ..verdict import Reason, Verdict
from . import html
from .base import PlatformDetector

_WALL = re.compile(r"^/(?:authwall|uas/login|login|checkpoint)(?:/|$)", re.IGNORECASE)
_TO_AUTHWALL = re.compile(r"<script\b[^>]*>[^<]*/authwall\b", re.IGNORECASE)


class LinkedInDetector(PlatformDetector):
    name = "linkedin"
    label = "LinkedIn"
    domains = frozenset({"linkedin.com", "lnkd.in"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        if page.status == 999:
            return self.refused("LinkedIn answered 999 to the checker.", Reason.HTTP_999)
        if not html.host_in(page.final_url, frozenset({"linkedin.com"})):
            return None  # lnkd.in's own page, or a link that left LinkedIn
        if _WALL.match(html.path(page.final_url)):
            return self.refused("LinkedIn sent the checker to its sign-in wall.")
        if page.status == 429:
            return self.refused("LinkedIn rate limited the checker (429).", Reason.RATE_LIMITED)
        if page.status != 200:
            return None
        if html.meta(page.text, "og:url") is None and _TO_AUTHWALL.search(page.text):
            return self.refused("LinkedIn's answer only sends the browser to its sign-in wall.")
        return self.live("page")
