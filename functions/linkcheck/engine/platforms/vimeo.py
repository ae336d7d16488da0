"""Vimeo: video pages (``vimeo.com/<id>``, unlisted ``/<id>/<hash>``, channel/group/showcase
forms) and player URLs (``player.vimeo.com/video/<id>?h=<hash>``).

Vimeo bans data-centre ranges: both vimeo.com and the oEmbed API may answer 403 "Vimeo /
CAPTCHA Challenge" ("verify that you are a human"). That says nothing about the video, so it is
``blocked``, never "private". oEmbed is asked first (with the unlisted hash, or it would not find
an unlisted video): 200 live, even with ``"domain_status_code": 403`` (embeds limited to some
sites); 403 private, password-protected or limited to some sites; ``error_code`` 5460 a location
block. Its 404 also covers videos whose embeds are hidden, so "deleted" needs the page's own 404.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from ..detectors import Page, Probe, ProbeResponse
from ..verdict import Reason, Status, Verdict
from . import html
from .base import PlatformDetector, json_body, looks_like_page, oembed, trail, unwalled

OEMBED = "https://vimeo.com/api/oembed.json"
_VIDEO = re.compile(
    r"^/(?:video/|channels/[^/]+/|groups/[^/]+/videos/|showcase/\d+/video/)?(\d+)(?=/|$)"
    r"(?:/([0-9a-f]{10})(?=/|$))?"
)
_HASH = re.compile(r"^[0-9a-f]{6,32}$")
_CHALLENGE_TITLE = "vimeo / captcha challenge"
_CHALLENGE_TEXT = ("verify that you are a human", "you have been temporarily blocked")
_LOCATION_ERROR = re.compile(r'"error_code"\s*:\s*5460\b')
_EMBED_PRIVACY = "because of its privacy settings, this video cannot be played here"
_PRIVATE_TITLE = ("private video", "this video is private")


def video_url(url: str) -> str | None:
    """``https://vimeo.com/<id>`` (``/<id>/<hash>`` for an unlisted link), else None."""
    match = _VIDEO.match(html.path(url))
    if not match:
        return None
    video, unlisted = match.group(1), match.group(2)
    if unlisted is None:
        given = parse_qs(urlsplit(url).query).get("h", [""])[0].lower()
        unlisted = given if _HASH.match(given) else None
    return f"https://vimeo.com/{video}/{unlisted}" if unlisted else f"https://vimeo.com/{video}"


def challenged(status: int, body: bytes) -> bool:
    """Vimeo's "verify that you are a human" wall (how it answers banned address ranges)."""
    text = body.decode("utf-8", errors="replace")
    if html.fold(html.title(text) or "") == _CHALLENGE_TITLE:
        return True
    if status not in (403, 429):
        return False
    seen = html.fold(html.visible_text(text))
    return any(phrase in seen for phrase in _CHALLENGE_TEXT)


class VimeoDetector(PlatformDetector):
    name = "vimeo"
    label = "Vimeo"
    domains = frozenset({"vimeo.com"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        walled = challenged(page.status, page.body)
        video = video_url(page.requested_url) or video_url(page.final_url)
        if video is None:  # profiles, channels...: the page is all there is
            return self.refused("Vimeo asked the checker to prove it is human.") if walled else None
        answer = await oembed(probe, OEMBED, video)
        verdict = self._oembed(answer)
        if verdict is not None:
            return verdict
        if walled:
            return self.refused("Vimeo asked the checker to prove it is human.")
        if html.path(page.final_url).startswith("/log_in"):
            return self.refused("Vimeo sent the checker to its sign-in page.")
        if answer is not None and answer.status == 404:
            return self._unknown_to_oembed(page)
        return None

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall in front of a video: oEmbed (hash kept) by its usual rules. Its 404
        needs the page's own 404, which the wall hides, so it settles nothing here."""
        on_vimeo = (url for url in reversed(trail(page)) if self.wants(url))
        video = next(filter(None, map(video_url, on_vimeo)), None)
        if video is None:
            return None
        return self.past_wall(self._oembed(await oembed(unwalled(probe), OEMBED, video)))

    def _oembed(self, answer: ProbeResponse | None) -> Verdict | None:
        """What the oEmbed answer alone settles (None: it needs the page, or says nothing)."""
        if answer is None:
            return None
        if challenged(answer.status, answer.body):
            return self.refused(
                "Vimeo's oEmbed API asked the checker to prove it is human "
                "(Vimeo bans data-centre addresses)."
            )
        data = json_body(answer)
        if _LOCATION_ERROR.search(answer.body.decode("utf-8", errors="replace")):
            return self.geo_blocked("the video is not available where the check ran.")
        if answer.status == 200 and data:
            return self.live("video")
        if answer.status == 403:
            if looks_like_page(answer):
                return self.refused("Vimeo's oEmbed API refused the checker.", Reason.HTTP_403)
            return self.private(
                "the video is private, password-protected or limited to some sites."
            )
        if answer.status == 429:
            return self.refused("Vimeo's oEmbed API rate-limited the checker.", Reason.RATE_LIMITED)
        return None

    def _unknown_to_oembed(self, page: Page) -> Verdict | None:
        """oEmbed 404: deleted, or a video whose embeds are hidden. The page must agree."""
        text = page.text
        if _EMBED_PRIVACY in html.fold(html.visible_text(text)):
            return self.private("the video's privacy settings keep it off this page.")
        if any(p in html.fold(html.title(text) or "") for p in _PRIVATE_TITLE):
            return self.private("the video is private.")
        if page.status in (404, 410):
            return self.deleted("the video does not exist.")
        if 200 <= page.status < 300:
            return Verdict(
                Status.ERROR,
                Reason.HTTP_4XX,
                "Vimeo: oEmbed does not know the video but its page loads (a video hidden "
                "from embeds, or a page that is not a video); whether it is there is unknown.",
            )
        return None
