"""Vimeo: video pages (``vimeo.com/<id>``, channel/group forms) and player URLs.

The oEmbed endpoint answers 200 for a public video and 403 for a private one; its 404 also
covers videos hidden by domain-level privacy, so "deleted" needs the page's own 404 as well.
"""

from __future__ import annotations

import re

from ..detectors import Page, Probe
from ..verdict import Verdict
from . import html
from .base import PlatformDetector, json_body, oembed

OEMBED = "https://vimeo.com/api/oembed.json"
_VIDEO = re.compile(r"^/(?:video/|channels/[^/]+/|groups/[^/]+/videos/|showcase/\d+/video/)?(\d+)")
_PRIVATE_PAGE = ("private video", "this video is private")


def video_url(url: str) -> str | None:
    match = _VIDEO.match(html.path(url))
    return f"https://vimeo.com/{match.group(1)}" if match else None


class VimeoDetector(PlatformDetector):
    name = "vimeo"
    label = "Vimeo"
    domains = frozenset({"vimeo.com"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        if html.path(page.final_url).startswith("/log_in"):
            return self.login_required("the video needs a signed-in viewer.")
        video = video_url(page.requested_url) or video_url(page.final_url)
        if video is None:
            return None
        answer = await oembed(probe, OEMBED, video)
        if answer is None:
            return None
        if answer.status == 200 and json_body(answer):
            return self.live("video")
        if answer.status == 403:
            return self.private("the video is private or restricted to some sites.")
        if answer.status == 404:
            if page.status in (404, 410):
                return self.deleted("the video does not exist.")
            if any(p in html.fold(html.title(page.text) or "") for p in _PRIVATE_PAGE):
                return self.private("the video is private.")
        return None
