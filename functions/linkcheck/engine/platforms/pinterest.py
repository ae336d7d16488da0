"""Pinterest pins and boards (``pinterest.com`` and its country sites, ``pin.it`` short
links): named, not judged.

No documented page marker or keyless endpoint tells a live pin from a gone one: see
``tag_only``.
"""

from __future__ import annotations

from .domains import PINTEREST
from .tag_only import TagOnlyDetector


class PinterestDetector(TagOnlyDetector):
    name = "pinterest"
    label = "Pinterest"
    domains = PINTEREST
