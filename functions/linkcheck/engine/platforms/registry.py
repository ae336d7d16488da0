"""The ordered list of detectors. Adding a platform means adding one module and one line here.

Each line names the module, the class and the domains it judges. A detector module is imported
the first time a URL on one of its domains is checked (for the generic soft-404 detector, the
first time an HTML page is judged; for the first detectors, refusals and interstitials, the
first time a response with a body or refusal headers is judged): a bulk run over ordinary
sites never pays the import cost of platform knowledge. ``tests/unit/test_platform_urls.py``
checks that every line matches its class.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .domains import AMAZON_SHORT_LINKS, AMAZON_STORES, PINTEREST

if TYPE_CHECKING:
    from ..detectors import Detector, Follow, Page, Probe
    from ..verdict import Verdict

# Consulted before every other detector, on any status (module, class, name).
FIRST: tuple[tuple[str, str, str], ...] = (
    ("refusal", "RefusalDetector", "refusal"),  # bot walls, captchas: blocked
    ("interstitial", "InterstitialDetector", "interstitial"),  # lnkd.in: follow the target
)
# (module, class, name, domains; None for a generic detector that judges any HTML page)
PLATFORMS: tuple[tuple[str, str, str, frozenset[str] | None], ...] = (
    ("tiktok", "TikTokDetector", "tiktok", frozenset({"tiktok.com", "tiktokv.com"})),
    (
        "youtube",
        "YouTubeDetector",
        "youtube",
        frozenset({"youtube.com", "youtu.be", "youtube-nocookie.com"}),
    ),
    ("instagram", "InstagramDetector", "instagram", frozenset({"instagram.com", "instagr.am"})),
    ("twitter", "TwitterDetector", "twitter", frozenset({"twitter.com", "x.com"})),
    ("vimeo", "VimeoDetector", "vimeo", frozenset({"vimeo.com"})),
    (
        "facebook",
        "FacebookDetector",
        "facebook",
        frozenset({"facebook.com", "fb.com", "fb.watch", "fb.me"}),
    ),
    ("linkedin", "LinkedInDetector", "linkedin", frozenset({"linkedin.com", "lnkd.in"})),
    (
        "linkinbio",
        "LinkInBioDetector",
        "linkinbio",
        frozenset(
            {"linktr.ee", "beacons.ai", "lnk.bio", "bio.link", "campsite.bio", "solo.to", "tap.bio"}
        ),
    ),
    ("spotify", "SpotifyDetector", "spotify", frozenset({"open.spotify.com", "spotify.link"})),
    ("soundcloud", "SoundCloudDetector", "soundcloud", frozenset({"soundcloud.com"})),
    ("twitch", "TwitchDetector", "twitch", frozenset({"twitch.tv"})),
    ("pinterest", "PinterestDetector", "pinterest", PINTEREST),
    ("threads", "ThreadsDetector", "threads", frozenset({"threads.net", "threads.com"})),
    ("snapchat", "SnapchatDetector", "snapchat", frozenset({"snapchat.com"})),
    (
        "google",
        "GoogleDocsDetector",
        "google",
        frozenset({"docs.google.com", "drive.google.com", "forms.gle"}),
    ),
    ("amazon", "AmazonDetector", "amazon", AMAZON_STORES | AMAZON_SHORT_LINKS),
    ("soft404", "Soft404Detector", "soft404", None),  # generic: last, after every platform
)


class LazyDetector:
    """Stands in for a detector class until it is first needed, then delegates to it."""

    __slots__ = ("_class", "_module", "_real", "domains", "first", "generic", "name")

    def __init__(
        self,
        module: str,
        class_name: str,
        name: str,
        domains: frozenset[str] | None,
        *,
        first: bool = False,
    ) -> None:
        self._module = module
        self._class = class_name
        self._real: Detector | None = None
        self.name = name
        self.domains = domains
        self.first = first
        self.generic = domains is None and not first

    @property
    def real(self) -> Detector:
        if self._real is None:
            module = import_module(f"{__package__}.{self._module}")
            self._real = getattr(module, self._class)()
        assert self._real is not None
        return self._real

    def wants(self, url: str) -> bool:
        return self.real.wants(url)

    async def detect(self, page: Page, probe: Probe) -> Verdict | Follow | None:
        return await self.real.detect(page, probe)

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        ask = getattr(self.real, "behind_wall", None)
        if ask is None:
            return None
        found: Verdict | None = await ask(page, probe)
        return found


def all_detectors() -> list[Detector]:
    """Fresh detectors (a detector may cache per host): first ones, platforms, generic last."""
    first: list[Detector] = [
        LazyDetector(module, class_name, name, None, first=True)
        for module, class_name, name in FIRST
    ]
    return [*first, *(LazyDetector(*line) for line in PLATFORMS)]
