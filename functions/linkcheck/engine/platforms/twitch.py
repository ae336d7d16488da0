"""Twitch channels, videos and clips (``twitch.tv``, ``clips.twitch.tv``): named, not judged.

Every Twitch path answers 200 with the same script shell (a missing channel too), and no public
endpoint without an API key tells them apart: see ``tag_only``.
"""

from __future__ import annotations

from .tag_only import TagOnlyDetector


class TwitchDetector(TagOnlyDetector):
    name = "twitch"
    label = "Twitch"
    domains = frozenset({"twitch.tv"})
