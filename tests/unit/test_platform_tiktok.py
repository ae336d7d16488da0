"""TikTok detector on saved-shape pages (pure: Page objects built in the test)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from linkcheck.engine.platforms.tiktok import TikTokDetector, read_state
from linkcheck.engine.verdict import Hop, Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page, read

VIDEO = "https://www.tiktok.com/@alice/video/7300000000000000001"
PROFILE = "https://www.tiktok.com/@alice"
OEMBED = "https://www.tiktok.com/oembed?url="


@pytest.fixture()
def detector() -> TikTokDetector:
    return TikTokDetector()


def test_wants_only_tiktok_hosts(detector: TikTokDetector) -> None:
    assert detector.wants(VIDEO)
    assert detector.wants("https://vm.tiktok.com/ZMabc/")
    assert not detector.wants("https://nottiktok.com/@alice")
    assert not detector.wants("https://www.youtube.com/watch?v=x")


@pytest.mark.parametrize(
    ("fixture", "url", "status", "reason"),
    [
        ("tiktok/video_live.html", VIDEO, Status.OK, Reason.HTTP_2XX),
        ("tiktok/video_live_sigi.html", VIDEO, Status.OK, Reason.HTTP_2XX),
        ("tiktok/video_private.html", VIDEO, Status.RESTRICTED, Reason.PLATFORM_PRIVATE),
        ("tiktok/video_region.html", VIDEO, Status.RESTRICTED, Reason.GEO_BLOCKED),
        ("tiktok/profile_live.html", PROFILE, Status.OK, Reason.HTTP_2XX),
        ("tiktok/profile_missing.html", PROFILE, Status.BROKEN, Reason.PLATFORM_DELETED),
        ("tiktok/profile_private.html", PROFILE, Status.RESTRICTED, Reason.PLATFORM_PRIVATE),
    ],
)
async def test_status_code_decides(
    detector: TikTokDetector, fixture: str, url: str, status: Status, reason: Reason
) -> None:
    probe = StaticProbe()
    verdict = await detector.detect(page(url, fixture), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (status, reason)
    assert probe.calls == []  # unambiguous codes cost no extra request


async def test_10204_confirmed_missing_by_oembed(detector: TikTokDetector) -> None:
    probe = StaticProbe({OEMBED: (400, "tiktok/oembed_missing.json")})
    verdict = await detector.detect(page(VIDEO, "tiktok/video_missing.html"), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BROKEN, Reason.PLATFORM_DELETED)
    assert probe.calls == [OEMBED + quote(VIDEO, safe="")]


async def test_10204_but_oembed_finds_it_means_checker_refused(detector: TikTokDetector) -> None:
    probe = StaticProbe({OEMBED: (200, "tiktok/oembed_live.json")})
    verdict = await detector.detect(page(VIDEO, "tiktok/video_missing.html"), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


async def test_10204_without_oembed_answer_is_never_broken(detector: TikTokDetector) -> None:
    verdict = await detector.detect(page(VIDEO, "tiktok/video_missing.html"), StaticProbe())
    assert verdict is not None
    assert verdict.status is Status.BLOCKED


async def test_short_link_to_home_is_broken(detector: TikTokDetector) -> None:
    short = "https://vm.tiktok.com/ZMdead01/"
    dead = page(
        short,
        "tiktok/home.html",
        final="https://www.tiktok.com/",
        redirects=[Hop(short, 301)],
    )
    verdict = await detector.detect(dead, StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BROKEN, Reason.REDIRECT_TO_HOME)


async def test_short_link_to_live_video_is_ok(detector: TikTokDetector) -> None:
    short = "https://vm.tiktok.com/ZMlive01/"
    live = page(short, "tiktok/video_live.html", final=VIDEO, redirects=[Hop(short, 301)])
    verdict = await detector.detect(live, StaticProbe())
    assert verdict is not None
    assert verdict.status is Status.OK


@pytest.mark.parametrize(
    ("final", "fixture"),
    [
        ("https://www.tiktok.com/login?redirect_url=%2F%40alice", "tiktok/login.html"),
        ("https://www.tiktok.com/captcha/verify?from=video", "tiktok/captcha.html"),
    ],
)
async def test_login_or_captcha_means_blocked(
    detector: TikTokDetector, final: str, fixture: str
) -> None:
    refused = page(VIDEO, fixture, final=final, redirects=[Hop(VIDEO, 302)])
    verdict = await detector.detect(refused, StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


async def test_captcha_page_without_redirect_is_blocked(detector: TikTokDetector) -> None:
    verdict = await detector.detect(page(VIDEO, "tiktok/captcha.html"), StaticProbe())
    assert verdict is not None
    assert verdict.status is Status.BLOCKED


async def test_http_errors_are_left_to_the_engine(detector: TikTokDetector) -> None:
    assert await detector.detect(page(VIDEO, status=404, body=b"gone"), StaticProbe()) is None


async def test_other_hosts_are_ignored(detector: TikTokDetector) -> None:
    other = page("https://example.com/a", "tiktok/video_private.html")
    assert await detector.detect(other, StaticProbe()) is None


async def test_unknown_code_is_unknown_not_broken(detector: TikTokDetector) -> None:
    body = read("tiktok/video_private.html").replace(b"10216", b"19999")
    verdict = await detector.detect(page(VIDEO, body=body), StaticProbe())
    assert verdict is not None
    assert verdict.status is Status.ERROR


def test_truncated_json_still_reads_live_and_dead() -> None:
    live = read("tiktok/video_live.html").decode()
    cut = live[: live.index('"stats"')]  # the body prefix ended inside the JSON
    state = read_state(cut)
    assert state is not None and state.code == 0
    dead = read("tiktok/video_private.html").decode()
    state = read_state(dead[: dead.index('"statusMsg"')])
    assert state is not None and state.code == 10216


def test_no_state_on_unrelated_pages() -> None:
    assert read_state("<html><title>x</title></html>") is None
