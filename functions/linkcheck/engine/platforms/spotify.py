"""Spotify: tracks, albums, playlists, artists, episodes, shows, audiobooks; ``spotify.link``.

``open.spotify.com`` answers every path with the same script shell, so the page proves nothing;
the public oEmbed endpoint (``open.spotify.com/oembed``, which also takes ``spotify.link`` short
links) is the evidence. Its 5xx answers are frequent and mean nothing (unknown).
"""

from __future__ import annotations

import re

from ..detectors import Page, Probe
from ..verdict import Verdict
from . import html
from .base import PlatformDetector, oembed, unwalled
from .oembed_first import oembed_evidence, oembed_verdict

OEMBED = "https://open.spotify.com/oembed"
_ITEM = re.compile(
    r"^/(?:intl-[a-z]{2}(?:-[a-z]{2})?/)?(?:embed/)?"
    r"(track|album|playlist|artist|episode|show|audiobook)/([A-Za-z0-9]+)/?$",
    re.IGNORECASE,
)
_SHORT_HOST = "spotify.link"


def item_url(url: str) -> str | None:
    """``https://open.spotify.com/<kind>/<id>`` for a content URL, else None."""
    if html.host(url) != "open.spotify.com":
        return None
    match = _ITEM.match(html.path(url))
    return f"https://open.spotify.com/{match.group(1).lower()}/{match.group(2)}" if match else None


def short_link(url: str) -> str | None:
    """A ``spotify.link/<code>`` short link (oEmbed takes it as it is), else None."""
    if html.host(url) != _SHORT_HOST or html.path(url).strip("/") == "":
        return None
    return f"https://{_SHORT_HOST}{html.path(url)}"


class SpotifyDetector(PlatformDetector):
    name = "spotify"
    label = "Spotify"
    domains = frozenset({"open.spotify.com", "spotify.link"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        item = self._item(page)
        if item is None:  # the home page, search, genres...: nothing to ask about
            return None
        return oembed_verdict(self, page, await oembed(probe, OEMBED, item), "item")

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall in front of an item: only oEmbed's 200 (the item is there) counts."""
        item = self._item(page) if self.owns(page) else None
        if item is None:
            return None
        answer = await oembed(unwalled(probe), OEMBED, item)
        return self.past_wall(oembed_evidence(self, answer, "item"))

    @staticmethod
    def _item(page: Page) -> str | None:
        item = item_url(page.final_url) or item_url(page.requested_url)
        return item or short_link(page.requested_url)
