"""Snapchat profiles, stories and Spotlight (``snapchat.com``): named, not judged.

No documented page marker or public endpoint tells a live item from a gone one: see
``tag_only``.
"""

from __future__ import annotations

from .tag_only import TagOnlyDetector


class SnapchatDetector(TagOnlyDetector):
    name = "snapchat"
    label = "Snapchat"
    domains = frozenset({"snapchat.com"})
