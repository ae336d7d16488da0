"""The ordered list of detectors. Adding a platform means adding one module and one line here."""

from __future__ import annotations

from ..detectors import Detector
from .facebook import FacebookDetector
from .instagram import InstagramDetector
from .linkedin import LinkedInDetector
from .linkinbio import LinkInBioDetector
from .soft404 import Soft404Detector
from .tiktok import TikTokDetector
from .twitter import TwitterDetector
from .vimeo import VimeoDetector
from .youtube import YouTubeDetector


def all_detectors() -> list[Detector]:
    """Fresh instances (a detector may cache per host), platforms first, generic ones last."""
    return [
        TikTokDetector(),
        YouTubeDetector(),
        InstagramDetector(),
        TwitterDetector(),
        VimeoDetector(),
        FacebookDetector(),
        LinkedInDetector(),
        LinkInBioDetector(),
        Soft404Detector(),  # generic: last, after every platform had its say
    ]
