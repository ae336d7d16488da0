"""The ordered list of detectors. Adding a platform means adding one module and one line here."""

from __future__ import annotations

from ..detectors import Detector
from .tiktok import TikTokDetector


def all_detectors() -> list[Detector]:
    """Fresh instances (a detector may cache per host), platforms first, generic ones last."""
    return [
        TikTokDetector(),
    ]
