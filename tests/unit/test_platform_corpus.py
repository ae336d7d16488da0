"""Every corpus case through every default detector, with the corpus answering in-process.

This is the pure twin of tests/e2e/test_platforms_e2e.py: the same manifest, the same pages,
redirects followed by the corpus itself instead of the engine, so a detector regression shows
up here without TLS or sockets.
"""

from __future__ import annotations

import pytest

from linkcheck.engine.classify import classify_status
from linkcheck.engine.detectors import default_detectors
from tests.fixtures.pages.corpus import Case, Corpus

CORPUS = Corpus()


async def judge(corpus: Corpus, url: str) -> tuple[str, str, str | None]:
    page = corpus.page(url)
    visited = (page.requested_url, *(hop.url for hop in page.redirects), page.final_url)
    tag: str | None = None  # as the engine: the first platform that wanted any hop names it
    for detector in default_detectors():
        generic = getattr(detector, "generic", False)
        if not generic and not any(detector.wants(where) for where in visited):
            continue
        if generic and not (detector.wants(page.requested_url) or detector.wants(page.final_url)):
            continue
        if not generic and tag is None:
            tag = detector.name
        verdict = await detector.detect(page, corpus.probe)
        if verdict is not None:
            platform = None if generic else detector.name
            return verdict.status.value, verdict.reason.value, platform
    verdict = classify_status(page.status)
    return verdict.status.value, verdict.reason.value, tag


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
