"""Every corpus case through every default detector, with the corpus answering in-process.

This is the pure twin of tests/e2e/test_platforms_e2e.py: the same manifest, the same pages,
redirects followed by the corpus itself instead of the engine, so a detector regression shows
up here without TLS or sockets.
"""

from __future__ import annotations

import pytest

from linkcheck.engine.classify import classify_status
from linkcheck.engine.detectors import Follow, default_detectors
from linkcheck.engine.verdict import Status
from tests.fixtures.pages.corpus import Case, Corpus

CORPUS = Corpus()


async def judge(corpus: Corpus, url: str) -> tuple[str, str, str | None]:
    """The engine's order: first detectors (refusals, interstitials), platforms, generic.

    Platforms are asked when they wanted any hop; the first of them names the result. A wall
    (a first detector's ``blocked``) lets each platform's ``behind_wall`` hook answer first.
    """
    for _ in range(5):  # a Follow (interstitial) starts again at the target it names
        page = corpus.page(url)
        # Unwrapped wrapper URLs (status 0) were never requested: no platform wanted them.
        hopped = (hop.url for hop in page.redirects if hop.status)
        visited = (page.requested_url, *hopped, page.final_url)
        detectors = default_detectors()
        wanted = [
            d
            for d in detectors
            if not getattr(d, "first", False)
            and not getattr(d, "generic", False)
            and any(d.wants(where) for where in visited)
        ]
        named = wanted[0].name if wanted else None
        found = None
        for detector in detectors:
            if getattr(detector, "first", False):
                if not detector.wants(page.final_url):
                    continue
            elif getattr(detector, "generic", False):
                if not (detector.wants(page.requested_url) or detector.wants(page.final_url)):
                    continue
            elif detector not in wanted:
                continue
            found = await detector.detect(page, corpus.probe)
            if found is None:
                continue
            if isinstance(found, Follow):
                break
            if getattr(detector, "generic", False):
                return found.status.value, found.reason.value, None
            if not getattr(detector, "first", False):
                return found.status.value, found.reason.value, detector.name
            if wanted and found.status is Status.BLOCKED:  # a wall: the platforms' endpoints
                for behind in wanted:
                    ask = getattr(behind, "behind_wall", None)
                    past = await ask(page, corpus.probe) if ask else None
                    if past is not None:
                        return past.status.value, past.reason.value, behind.name
            return found.status.value, found.reason.value, named
        if isinstance(found, Follow):
            url = found.url
            continue
        verdict = classify_status(page.status)
        return verdict.status.value, verdict.reason.value, named
    raise AssertionError(f"too many interstitials from {url}")


@pytest.mark.parametrize("case", CORPUS.cases, ids=[c.url for c in CORPUS.cases])
async def test_corpus_verdict(case: Case) -> None:
    got = await judge(CORPUS, case.url)
    assert got == (case.status, case.reason, case.platform), case.what


def test_corpus_covers_every_platform_and_state() -> None:
    platforms = {c.platform for c in CORPUS.cases}
    assert platforms >= {
        "tiktok",
        "youtube",
        "instagram",
        "twitter",
        "vimeo",
        "facebook",
        "linkedin",
        "linkinbio",
        "spotify",
        "soundcloud",
        "google",
        "amazon",
        "twitch",
        "pinterest",
        "threads",
        "snapchat",
        None,
    }
    reasons = {c.reason for c in CORPUS.cases}
    assert reasons >= {
        "http_2xx",
        "platform_deleted",
        "platform_private",
        "geo_blocked",
        "login_required",
        "bot_challenge",
        "redirect_to_home",
        "soft_404",
        "parked_domain",
        "http_999",
        "age_restricted",
    }
