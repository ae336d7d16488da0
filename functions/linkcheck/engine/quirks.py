"""Per-site request tweaks ("quirks"): what a few sites need to answer a checker plainly.

Some platforms answer the same URL differently depending on language or consent: YouTube
localises its error strings from the client's region and shows EU clients a consent wall
(``consent.youtube.com``) instead of the video. Its detector reads English reason strings, so
every request to YouTube asks for English (``hl=en``, as yt-dlp does) and carries the cookie
that records a consent choice (``SOCS=CAI``).

Pure and cheap: the engine looks the request's host up in ``QUIRKS`` (one dict lookup; most
hosts have no entry and pay nothing else). A quirk changes only what goes on the wire: the
check still reports the URL as given and the URL where redirects ended, never the tweaked one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class Quirk:
    """Query parameters forced on the URL, and headers added to the request."""

    query: tuple[tuple[str, str], ...] = ()  # (name, value): replaces any value already there
    # Extra request headers; never one of the headers every check sends (exchange.py).
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def url(self, url: str) -> str:
        """``url`` with this quirk's query parameters set (the rest kept byte for byte)."""
        if not self.query:
            return url
        base, hash_, fragment = url.partition("#")
        path, _, query = base.partition("?")
        names = {name for name, _ in self.query}
        kept = [part for part in query.split("&") if part and part.split("=", 1)[0] not in names]
        kept += [f"{name}={value}" for name, value in self.query]
        return f"{path}?{'&'.join(kept)}{hash_}{fragment}"


_YOUTUBE = Quirk(query=(("hl", "en"),), headers=MappingProxyType({"Cookie": "SOCS=CAI"}))

# Exact host names (requests name one host; no suffix walk on the hot path). A plain dict,
# read-only by convention: the checker looks every request's host up here.
QUIRKS: Final[Mapping[str, Quirk]] = {
    host: _YOUTUBE
    for host in (
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    )
}


def request_for(url: str, host: str) -> tuple[str, Mapping[str, str]]:
    """(URL to send, extra request headers) for ``url`` on ``host``: unchanged when no quirk."""
    quirk = QUIRKS.get(host)
    if quirk is None:
        return url, MappingProxyType({})
    return quirk.url(url), quirk.headers
