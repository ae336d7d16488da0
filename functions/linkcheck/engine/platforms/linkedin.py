"""LinkedIn: answers automated clients with status 999 or an ``/authwall`` redirect.

Both mean the checker was refused (``blocked``), not that the link is dead. A real 404 is
left to the HTTP classification; a 200 page is live.
"""

from __future__ import annotations

from ..detectors import Page, Probe
from ..verdict import Reason, Verdict
from . import html
from .base import PlatformDetector


class LinkedInDetector(PlatformDetector):
    name = "linkedin"
    label = "LinkedIn"
    domains = frozenset({"linkedin.com", "lnkd.in"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        if page.status == 999:
            return self.refused("LinkedIn answered 999 to the checker.", Reason.HTTP_999)
        where = html.path(page.final_url).lower()
        if where.startswith(("/authwall", "/uas/login", "/checkpoint")):
            return self.refused("LinkedIn sent the checker to its sign-in wall.")
        if page.status == 200 and html.host_in(page.final_url, frozenset({"linkedin.com"})):
            return self.live("page")
        return None
