"""Facebook: posts, videos, pages and ``fb.watch`` short links.

Like Instagram, Facebook answers anonymous visitors with a login wall for content that is
missing or private (and sometimes for live content), so the wall is ``login_required``.
"This content isn't available right now" is Facebook's answer for content that is deleted
*or* shared with a smaller audience: it is reported as ``platform_private`` (restricted),
never as deleted, because it cannot tell. ``/checkpoint/`` means the checker was challenged.
"""

from __future__ import annotations

from ..detectors import Page, Probe
from ..verdict import Verdict
from . import html
from .base import PlatformDetector

_UNAVAILABLE = ("this content isn't available", "content not found")
_GONE = ("this page isn't available", "the link you followed may be broken")


class FacebookDetector(PlatformDetector):
    name = "facebook"
    label = "Facebook"
    domains = frozenset({"facebook.com", "fb.com", "fb.watch"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        where = html.path(page.final_url).lower()
        if where.startswith("/checkpoint"):
            return self.refused("Facebook challenged the checker.")
        if where.startswith(("/login", "/login.php")):
            return self.login_required(
                "anonymous visitors get a login wall (the content is private, removed, or "
                "hidden from logged-out visitors)."
            )
        if page.status not in (200, 404):
            return None
        text = html.fold(f"{html.title(page.text) or ''} {html.visible_text(page.text)}")
        if any(p in text for p in _UNAVAILABLE):
            return self.private(
                "the content isn't available: deleted, or shared with a smaller audience."
            )
        if any(p in text for p in _GONE):
            return self.deleted("the page isn't available (removed, or the link is wrong).")
        if page.status == 200 and html.meta(page.text, "og:url"):
            return self.live()
        return None
