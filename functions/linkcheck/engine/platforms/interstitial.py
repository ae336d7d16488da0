"""Interstitial pages that name the real target (``lnkd.in``): continue the check there.

The reading is pure (``unwrap.interstitial_target``); this detector only hands the target to
the engine as a ``Follow``, which the engine treats like a redirect hop.
"""

from __future__ import annotations

from ..detectors import Follow, Page, Probe
from ..unwrap import INTERSTITIAL_HOSTS, interstitial_target
from ..verdict import Verdict
from . import html


class InterstitialDetector:
    """Consulted first (after refusals) on final responses with a body."""

    name = "interstitial"
    first = True

    def wants(self, url: str) -> bool:
        return html.host(url) in INTERSTITIAL_HOSTS

    async def detect(self, page: Page, probe: Probe) -> Verdict | Follow | None:
        if not (200 <= page.status < 300):
            return None
        target = interstitial_target(page.final_url, page.text)
        if target is None:
            return None
        return Follow(target, "the page is an interstitial that names its target")
