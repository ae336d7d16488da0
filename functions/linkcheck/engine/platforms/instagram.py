"""Instagram: posts (``/p/``), reels, IGTV and profiles.

Instagram shows anonymous visitors a login wall (a redirect to ``/accounts/login/``) for posts
that are missing or private, so the wall alone cannot tell which: it is reported as
``restricted`` / ``login_required`` (what an anonymous visitor gets). A live post or profile
carries Open Graph tags; a private profile says so; a removed page says "Sorry, this page
isn't available". ``/challenge/`` means the checker itself was challenged.
"""

from __future__ import annotations

from ..detectors import Page, Probe
from ..verdict import Verdict
from . import html
from .base import PlatformDetector

_GONE = ("sorry, this page isn't available", "page not found • instagram")
_PRIVATE = ("this account is private",)


class InstagramDetector(PlatformDetector):
    name = "instagram"
    label = "Instagram"
    domains = frozenset({"instagram.com", "instagr.am"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        where = html.path(page.final_url).lower()
        if where.startswith("/challenge"):
            return self.refused("Instagram challenged the checker.")
        if where.startswith("/accounts/login"):
            return self.login_required(
                "anonymous visitors get a login wall (the post is private, removed, or "
                "Instagram hides it from logged-out visitors)."
            )
        if page.status not in (200, 404):
            return None
        title = html.fold(html.title(page.text) or "")
        text = html.fold(html.visible_text(page.text))
        if any(p in title or p in text for p in _GONE):
            return self.deleted("the page isn't available (removed, or the link is wrong).")
        if page.status != 200:
            return None
        if any(p in text for p in _PRIVATE):
            return self.private("the account is private.")
        if html.meta(page.text, "og:url") or html.meta(page.text, "og:type"):
            return self.live("post" if "/p/" in where or "/reel" in where else "page")
        return None
