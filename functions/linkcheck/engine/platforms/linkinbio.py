"""Link-in-bio pages (Linktree and look-alikes): a removed profile.

Linktree profiles are Next.js pages whose ``__NEXT_DATA__`` JSON carries
``props.pageProps.account`` for a live profile; a removed or unknown profile renders the 404
page instead (``page`` "/404" or a not-found title). Other services send a removed profile
to their home page.
"""

from __future__ import annotations

from ..detectors import Page, Probe
from ..verdict import Verdict
from . import html
from .base import PlatformDetector, redirected_home

_GONE = (
    "page not found",
    "doesn't exist",
    "does not exist",
    "no longer available",
    "profile not found",
    "this account has been suspended",
)


class LinkInBioDetector(PlatformDetector):
    name = "linkinbio"
    label = "Link-in-bio"
    domains = frozenset(
        {"linktr.ee", "beacons.ai", "lnk.bio", "bio.link", "campsite.bio", "solo.to", "tap.bio"}
    )

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        if redirected_home(page):
            return self.to_home("the profile link leads to the service's home page.")
        if page.status != 200 or html.is_home_path(html.path(page.final_url)):
            return None
        data = html.script_json(page.text, "__NEXT_DATA__")
        if html.dig(data, "props", "pageProps", "account"):
            return self.live("profile")
        if html.dig(data, "page") == "/404":
            return self.deleted("the profile does not exist (removed or renamed).")
        heading = " ".join([html.title(page.text) or "", *html.headings(page.text)])
        if any(p in html.fold(heading) for p in _GONE):
            return self.deleted("the profile does not exist (removed or renamed).")
        return None
