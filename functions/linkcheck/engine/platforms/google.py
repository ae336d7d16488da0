"""Google Docs, Sheets, Slides, Forms and Drive files (``docs.google.com``, ``drive.google.com``,
``forms.gle`` short links).

A file that is no longer shared publicly sends an anonymous visitor to the Google sign-in page
(``accounts.google.com``). So can a refusal of a data-centre client, and a sign-in page loads
with 200: from here the bounce cannot be told apart from a refusal, so it is ``blocked`` (never
``ok``, and never ``restricted`` on this evidence alone). Google's "unusual traffic" page
(``/sorry/``) is a refusal too. A deleted file answers 404: the HTTP verdict stands.
"""

from __future__ import annotations

from ..detectors import Page, Probe
from ..verdict import Verdict
from . import html
from .base import PlatformDetector

SIGN_IN_HOST = "accounts.google.com"
_SORRY_HOSTS = frozenset({"google.com", "www.google.com", "ipv4.google.com", "ipv6.google.com"})


class GoogleDocsDetector(PlatformDetector):
    name = "google"
    label = "Google Docs"
    domains = frozenset({"docs.google.com", "drive.google.com", "forms.gle"})

    def involved(self, page: Page) -> bool:
        """Asked about, redirected through, or landed on one of the domains."""
        hops = (hop.url for hop in page.redirects)
        return self.owns(page) or any(self.wants(url) for url in hops)

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.involved(page):
            return None
        landed = html.host(page.final_url)
        if landed == SIGN_IN_HOST:
            return self.refused(
                "Google sent the checker to its sign-in page: the file is not shared with "
                "anonymous visitors any more, or Google refused a data-centre client; from "
                "here the two look the same."
            )
        if landed in _SORRY_HOSTS and html.path(page.final_url).startswith("/sorry/"):
            return self.refused("Google's 'unusual traffic' page answered the checker.")
        return None
