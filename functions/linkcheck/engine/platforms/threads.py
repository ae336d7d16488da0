"""Threads profiles and posts (``threads.net``, now ``threads.com``): named, not judged.

No documented page marker or keyless endpoint tells a live post from a gone one: see
``tag_only``.
"""

from __future__ import annotations

from .tag_only import TagOnlyDetector


class ThreadsDetector(TagOnlyDetector):
    name = "threads"
    label = "Threads"
    domains = frozenset({"threads.net", "threads.com"})
