"""Vimeo detector: the data-centre captcha wall, oEmbed answers, unlisted hashes (pure)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from linkcheck.engine.platforms.vimeo import VimeoDetector, challenged, video_url
from linkcheck.engine.verdict import Hop, Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page, read

VIDEO = "https://vimeo.com/200001"
OEMBED = "https://vimeo.com/api/oembed.json?url="
WALL = "vimeo/challenge.html"
LIVE = "vimeo/video_live.html"
OK = (Status.OK, Reason.HTTP_2XX)
PRIVATE = (Status.RESTRICTED, Reason.PLATFORM_PRIVATE)
CHALLENGE = (Status.BLOCKED, Reason.BOT_CHALLENGE)


def asked_about(probe: StaticProbe) -> list[str]:
    return [parse_qs(urlsplit(call).query)["url"][0] for call in probe.calls]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://vimeo.com/200001", "https://vimeo.com/200001"),
        ("https://vimeo.com/200001/abcdef0123", "https://vimeo.com/200001/abcdef0123"),
        ("https://vimeo.com/200001?h=abcdef0123", "https://vimeo.com/200001/abcdef0123"),
        (
            "https://player.vimeo.com/video/200001?h=abcdef0123&badge=0",
            "https://vimeo.com/200001/abcdef0123",
        ),
        ("https://vimeo.com/channels/staffpicks/200001", "https://vimeo.com/200001"),
        ("https://vimeo.com/showcase/77/video/200001", "https://vimeo.com/200001"),
        ("https://vimeo.com/200001?h=not-a-hash", "https://vimeo.com/200001"),
        ("https://vimeo.com/2024showreel", None),
        ("https://vimeo.com/studionorth", None),
    ],
)
def test_video_url_keeps_the_unlisted_hash(url: str, expected: str | None) -> None:
    assert video_url(url) == expected


def test_the_wall_is_recognised_by_its_title_or_its_words_on_a_403() -> None:
    assert challenged(403, read(WALL))
    assert challenged(200, read(WALL))  # the title alone is the wall's
    words = b"<p>You have been temporarily blocked. Please verify that you are a human.</p>"
    assert challenged(403, words)
    assert not challenged(200, words)  # a live page may quote the words
    assert not challenged(200, read("vimeo/video_captcha_topic.html"))
    assert not challenged(403, b"Forbidden")


@pytest.mark.parametrize(
    ("page_status", "page_fixture", "answer", "expected"),
    [
        # the cloud ban: the oEmbed wall is not "private"
        (403, WALL, (403, WALL), CHALLENGE),
        (200, LIVE, (403, WALL), CHALLENGE),
        # oEmbed first: the page wall does not hide a live video
        (403, WALL, (200, "vimeo/oembed_live.json"), OK),
        (200, LIVE, (200, "vimeo/oembed_domain_limited.json"), OK),
        (200, LIVE, (403, b'{"type":"error"}'), PRIVATE),
        (200, LIVE, (403, b""), PRIVATE),
        (200, LIVE, (403, "vimeo/oembed_location.json"), (Status.RESTRICTED, Reason.GEO_BLOCKED)),
        # an unknown HTML 403 from the API is a wall of some kind, not an answer
        (
            200,
            LIVE,
            (403, b"<!DOCTYPE html><html>Denied</html>"),
            (Status.BLOCKED, Reason.HTTP_403),
        ),
        (200, LIVE, (429, b""), (Status.BLOCKED, Reason.RATE_LIMITED)),
        # oEmbed 404: only the page's own 404 makes it deleted
        (404, "vimeo/not_found.html", (404, b"{}"), (Status.BROKEN, Reason.PLATFORM_DELETED)),
        (403, WALL, (404, b"{}"), CHALLENGE),
        (200, LIVE, (404, b"{}"), (Status.ERROR, Reason.HTTP_4XX)),
        (403, "vimeo/player_privacy.html", (404, b"{}"), PRIVATE),
        (200, "vimeo/private.html", (404, b"{}"), PRIVATE),
    ],
)
async def test_oembed_first_then_the_page(
    page_status: int,
    page_fixture: str,
    answer: tuple[int, str | bytes],
    expected: tuple[Status, Reason],
) -> None:
    probe = StaticProbe({OEMBED: answer})
    verdict = await VimeoDetector().detect(page(VIDEO, page_fixture, status=page_status), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == expected
    assert asked_about(probe) == [VIDEO]


@pytest.mark.parametrize("answer", [None, (500, b"oops"), (404, b"{}")])
async def test_without_an_oembed_answer_a_page_404_keeps_its_http_verdict(
    answer: tuple[int, bytes] | None,
) -> None:
    probe = StaticProbe({OEMBED: answer} if answer else {})
    shown = page(VIDEO, "vimeo/not_found.html", status=404)
    verdict = await VimeoDetector().detect(shown, probe)
    if answer is not None and answer[0] == 404:  # both agree: deleted
        assert verdict is not None and verdict.reason is Reason.PLATFORM_DELETED
    else:
        assert verdict is None  # HTTP 404 stands


async def test_the_unlisted_hash_reaches_oembed() -> None:
    probe = StaticProbe({OEMBED: (200, "vimeo/oembed_unlisted.json")})
    unlisted = "https://player.vimeo.com/video/200001?h=abcdef0123"
    verdict = await VimeoDetector().detect(page(unlisted, "vimeo/video_live.html"), probe)
    assert verdict is not None and verdict.status is Status.OK
    assert asked_about(probe) == ["https://vimeo.com/200001/abcdef0123"]


@pytest.mark.parametrize("answer", [None, (404, b"{}"), (503, b"")])
async def test_a_sign_in_redirect_that_oembed_cannot_explain_is_a_refusal(
    answer: tuple[int, bytes] | None,
) -> None:
    probe = StaticProbe({OEMBED: answer} if answer else {})
    bounced = page(
        VIDEO,
        body=b"<html><title>Log in</title></html>",
        final="https://vimeo.com/log_in",
        redirects=[Hop(VIDEO, 302)],
    )
    verdict = await VimeoDetector().detect(bounced, probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


async def test_profiles_are_judged_only_when_walled() -> None:
    probe = StaticProbe()
    profile = "https://vimeo.com/studionorth"
    walled = await VimeoDetector().detect(page(profile, WALL, status=403), probe)
    assert walled is not None and walled.reason is Reason.BOT_CHALLENGE
    quoted = page(profile, "vimeo/profile_captcha_topic.html")
    assert await VimeoDetector().detect(quoted, probe) is None
    assert probe.calls == []


async def test_a_hostile_query_cannot_steer_the_oembed_probe() -> None:
    probe = StaticProbe()
    hostile = "https://vimeo.com/200001?h=abcdef0123&url=http://169.254.169.254/#@evil.example"
    await VimeoDetector().detect(page(hostile, "vimeo/video_live.html"), probe)
    (sent,) = probe.calls
    parts = urlsplit(sent)
    assert (parts.hostname, parts.path) == ("vimeo.com", "/api/oembed.json")
    assert parse_qs(parts.query) == {"url": ["https://vimeo.com/200001/abcdef0123"]}
