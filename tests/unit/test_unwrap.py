"""Wrapper URLs and interstitial pages that carry the real target (pure)."""

from __future__ import annotations

import pytest

from linkcheck.engine.detectors import Follow
from linkcheck.engine.platforms.interstitial import InterstitialDetector
from linkcheck.engine.unwrap import interstitial_target, unwrap_url
from tests.fixtures.pages.corpus import StaticProbe, page, read

TARGET = "https://news.harbour.example/2024/field-notes?a=1&b=2"
ENCODED = "https%3A%2F%2Fnews.harbour.example%2F2024%2Ffield-notes%3Fa%3D1%26b%3D2"


@pytest.mark.parametrize(
    "wrapper",
    [
        f"https://www.linkedin.com/safety/go?url={ENCODED}&trk=flagship-messaging-web",
        f"https://linkedin.com/safety/go/?url={ENCODED}",
        f"https://www.linkedin.com/redir/redirect?url={ENCODED}&urlhash=Ab1x",
        f"https://www.linkedin.com/authwall?trk=bf&trkInfo=AQ&sessionRedirect={ENCODED}",
        f"https://bitly.com/a/warning?hash=3xYzAb1&url={ENCODED}",
    ],
)
def test_wrappers_give_their_target(wrapper: str) -> None:
    assert unwrap_url(wrapper) == TARGET


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/someone",  # an ordinary LinkedIn page
        "https://www.linkedin.com/authwall?trk=bf",  # a wall without a target
        "https://www.linkedin.com/safety/go?url=javascript%3Aalert(1)",  # not http(s)
        "https://www.linkedin.com/safety/go?url=%2Ffeed%2F",  # relative: nothing to check
        f"https://evil-linkedin.com/safety/go?url={ENCODED}",  # not LinkedIn
        f"https://linkedin.com.evil.example/safety/go?url={ENCODED}",
        f"https://bitly.com/a/other?url={ENCODED}",
        "https://news.harbour.example/2024/field-notes",
    ],
)
def test_other_urls_are_left_alone(url: str) -> None:
    assert unwrap_url(url) is None


def test_lnkd_in_interstitial_names_its_target() -> None:
    text = read("generic/lnkd_interstitial_notes.html").decode()
    assert (
        interstitial_target("https://lnkd.in/gHarb02", text)
        == "https://news.harbour.example/2024/field-notes?utm_source=linkedin&utm_medium=social"
    )
    # The same page on another host is not LinkedIn's interstitial.
    assert interstitial_target("https://lnkd.in.evil.example/x", text) is None
    assert (
        interstitial_target("https://lnkd.in/gHarb03", "<a href='https://x.example/'>x</a>") is None
    )


async def test_interstitial_detector_answers_follow() -> None:
    shown = page("https://lnkd.in/gHarb01", "generic/lnkd_interstitial_ferry.html")
    found = await InterstitialDetector().detect(shown, StaticProbe())
    assert found == Follow(
        "https://news.harbour.example/2019/ferry-strike",
        "the page is an interstitial that names its target",
    )
    gone = page("https://lnkd.in/gHarb01", "generic/lnkd_interstitial_ferry.html", status=404)
    assert await InterstitialDetector().detect(gone, StaticProbe()) is None
