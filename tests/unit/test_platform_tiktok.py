"""TikTok detector on saved-shape pages (pure: Page objects built in the test)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from linkcheck.engine.platforms.tiktok import (
    TikTokDetector,
    is_short_link,
    read_state,
    video_id,
    waf_challenge,
)
from linkcheck.engine.verdict import Hop, Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page, read

VIDEO = "https://www.tiktok.com/@alice/video/7300000000000000001"
PROFILE = "https://www.tiktok.com/@alice"
OEMBED = "https://www.tiktok.com/oembed?url="
EMBED = "https://www.tiktok.com/embed/"


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
        ("tiktok/video_region.html", VIDEO, Status.BLOCKED, Reason.BOT_CHALLENGE),  # 10231
        ("tiktok/video_age_gate.html", VIDEO, Status.RESTRICTED, Reason.AGE_RESTRICTED),
        ("tiktok/video_friends_only.html", VIDEO, Status.RESTRICTED, Reason.PLATFORM_PRIVATE),
        ("tiktok/video_self_only.html", VIDEO, Status.RESTRICTED, Reason.PLATFORM_PRIVATE),
        ("tiktok/video_subscribers_only.html", VIDEO, Status.RESTRICTED, Reason.PLATFORM_PRIVATE),
        ("tiktok/video_live_quoting.html", VIDEO, Status.OK, Reason.HTTP_2XX),
        ("tiktok/profile_not_found.html", PROFILE, Status.BROKEN, Reason.PLATFORM_DELETED),
        ("tiktok/profile_10221.html", PROFILE, Status.RESTRICTED, Reason.PLATFORM_PRIVATE),
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


async def test_10204_confirmed_missing_by_oembed_404(detector: TikTokDetector) -> None:
    probe = StaticProbe({OEMBED: (404, b"Not Found")})
    verdict = await detector.detect(page(VIDEO, "tiktok/video_missing.html"), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BROKEN, Reason.PLATFORM_DELETED)
    assert probe.calls == [OEMBED + quote(VIDEO, safe="")]


@pytest.mark.parametrize(
    ("oembed_status", "embed_status", "expected"),
    [
        (400, 400, Status.BROKEN),  # ambiguous oEmbed 400, backed by the embed page
        (400, 200, Status.BLOCKED),  # they disagree
        (400, None, Status.BLOCKED),  # the embed page cannot answer: no agreement
        (500, 400, Status.BROKEN),  # oEmbed cannot answer, the embed page agrees
        (None, None, Status.BLOCKED),  # nobody can answer
    ],
)
async def test_10204_needs_an_official_endpoint_to_agree(
    detector: TikTokDetector, oembed_status: int | None, embed_status: int | None, expected: Status
) -> None:
    answers: dict[str, tuple[int, str | bytes]] = {}
    if oembed_status is not None:
        answers[OEMBED] = (oembed_status, "tiktok/oembed_missing.json")
    if embed_status is not None:
        answers[EMBED] = (embed_status, b"")
    probe = StaticProbe(answers)
    verdict = await detector.detect(page(VIDEO, "tiktok/video_missing.html"), probe)
    assert verdict is not None
    assert verdict.status is expected
    assert probe.calls[-1] == EMBED + "7300000000000000001"


async def test_audience_only_10204_is_private_and_asks_nobody(detector: TikTokDetector) -> None:
    probe = StaticProbe({OEMBED: (404, b"Not Found")})
    verdict = await detector.detect(page(VIDEO, "tiktok/video_friends_only.html"), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.RESTRICTED, Reason.PLATFORM_PRIVATE)
    assert probe.calls == []


@pytest.mark.parametrize("fixture", ["tiktok/video_status_deleted.html", "tiktok/video_vigo.html"])
async def test_deleted_status_messages_still_defer_to_oembed(
    detector: TikTokDetector, fixture: str
) -> None:
    found = StaticProbe({OEMBED: (200, "tiktok/oembed_live.json")})
    verdict = await detector.detect(page(VIDEO, fixture), found)
    assert verdict is not None and verdict.status is Status.BLOCKED
    gone = StaticProbe({OEMBED: (404, b"Not Found")})
    verdict = await detector.detect(page(VIDEO, fixture), gone)
    assert verdict is not None and verdict.status is Status.BROKEN


def test_age_gate_needs_the_classification_flag() -> None:
    # A live item without "video" (a photo post, a cut prefix) is not an age gate by itself.
    body = read("tiktok/video_age_gate.html").decode()
    plain = body.replace('"isContentClassified":true', '"isContentClassified":false')
    plain = plain.replace("content_classification", "")
    state = read_state(plain)
    assert state is not None and (state.code, state.age_gated) == (0, False)
    state = read_state(body)
    assert state is not None and state.age_gated


@pytest.mark.parametrize(
    "strip",
    [
        (),  # the page as TikTok sends it
        ("SlardarWAF",),  # without the SDK's name
        ("SlardarWAF", "_wafchallengeid"),  # only the challenge elements cs and wci
    ],
)
async def test_waf_challenge_page_is_blocked(
    detector: TikTokDetector, strip: tuple[str, ...]
) -> None:
    body = read("tiktok/waf_challenge.html")
    for marker in strip:
        body = body.replace(marker.encode(), b"x")
    for status in (200, 403):
        verdict = await detector.detect(page(VIDEO, body=body, status=status), StaticProbe())
        assert verdict is not None
        assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


def test_please_wait_alone_is_not_a_waf_page() -> None:
    assert not waf_challenge("<title>Please wait...</title><p>Loading your order</p>")


def test_share_hosts_and_short_links() -> None:
    detector = TikTokDetector()
    assert detector.wants("https://www.tiktokv.com/share/video/7300000000000000001")
    assert is_short_link("https://vt.tiktok.com/ZSabc/")
    assert is_short_link("https://www.tiktok.com/t/ZTabc/")
    assert not is_short_link(VIDEO)
    assert video_id("https://www.tiktok.com/@/video/7300000000000000001?_r=1") == (
        "7300000000000000001"
    )
    assert video_id("https://www.tiktok.com/share/video/7300000000000000001") == (
        "7300000000000000001"
    )


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
