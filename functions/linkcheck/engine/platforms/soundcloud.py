"""SoundCloud: tracks, sets and profiles (``soundcloud.com``; ``on.soundcloud.com`` short links).

SoundCloud's bot protection (DataDome) answers data-centre clients with 403, on the pages and
on the oEmbed endpoint alike: that is ``blocked``, never a verdict on the track. The public
oEmbed endpoint (``soundcloud.com/oembed?format=json``) is the evidence: 200 the track, set or
profile is there; 404 with the page's own 404 deleted. Secret links (``/s-<token>``) keep their
token when asked about.
"""

from __future__ import annotations

from ..detectors import Page, Probe
from ..verdict import Reason, Verdict
from . import html
from .base import PlatformDetector, oembed, unwalled
from .oembed_first import oembed_evidence, oembed_verdict

OEMBED = "https://soundcloud.com/oembed"
_CONTENT_HOSTS = frozenset({"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"})
# First path segments that are SoundCloud's own pages, not a user's.
_RESERVED_WORDS = (
    "discover search stream upload you settings messages notifications charts pages "
    "terms-of-use imprint mobile pro jobs popular people tags stations signin signup login "
    "logout connect oembed feed home artists premium creators for privacy legal"
)
_RESERVED = frozenset(_RESERVED_WORDS.split())
# Tabs of a profile (``/<user>/likes``): asked about as the profile itself.
_PROFILE_TABS = frozenset(
    [
        "tracks",
        "albums",
        "sets",
        "popular-tracks",
        "reposts",
        "likes",
        "followers",
        "following",
        "comments",
        "spotlight",
    ]
)


def content_url(url: str) -> str | None:
    """``https://soundcloud.com/<user>[/<track>|/sets/<set>][/s-<token>]``, else None."""
    if html.host(url) not in _CONTENT_HOSTS:
        return None
    parts = [p for p in html.path(url).split("/") if p]
    if not parts or parts[0].lower() in _RESERVED or len(parts) > 4:
        return None
    if len(parts) == 2 and parts[1].lower() in _PROFILE_TABS:
        parts = parts[:1]
    return "https://soundcloud.com/" + "/".join(parts)


class SoundCloudDetector(PlatformDetector):
    name = "soundcloud"
    label = "SoundCloud"
    domains = frozenset({"soundcloud.com"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        item = content_url(page.final_url) or content_url(page.requested_url)
        if item is None:
            return self._wall(page.status)
        answer = await oembed(probe, OEMBED, item, extra="&format=json")
        if answer is not None and answer.status == 403:
            return self._wall(403)
        return oembed_verdict(self, page, answer, "content") or self._wall(page.status)

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall (DataDome) in front of content: only oEmbed's 200 counts."""
        item = content_url(page.final_url) or content_url(page.requested_url)
        if item is None:
            return None
        answer = await oembed(unwalled(probe), OEMBED, item, extra="&format=json")
        return self.past_wall(oembed_evidence(self, answer, "content"))

    def _wall(self, status: int) -> Verdict | None:
        if status != 403:
            return None
        return self.refused(
            "SoundCloud's bot protection refused the checker (403).", Reason.BOT_CHALLENGE
        )
