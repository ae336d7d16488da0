"""Platforms linkcheck names but does not judge: no documented evidence reads their state.

Their pages answer 200 for most paths (a script shell) and no public endpoint tells a live
item from a gone one, so the HTTP verdict stands (a 404 is still ``broken``, a 403 ``blocked``)
and only the result's ``platform`` says whose link it is. Inventing page markers for them would
trade a missed dead link for false alarms.
"""

from __future__ import annotations

from ..detectors import Page, Probe
from ..verdict import Verdict
from .base import PlatformDetector


class TagOnlyDetector(PlatformDetector):
    """Sets ``platform`` and keeps the HTTP verdict."""

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        return None
