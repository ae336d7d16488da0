"""YouTube detector on saved-shape pages and oEmbed / Data API answers (pure: StaticProbe)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from linkcheck.engine.detectors import Page, ProbeResponse
from linkcheck.engine.options import Credentials
from linkcheck.engine.platforms.youtube import (
    Claim,
    YouTubeDetector,
    alerts,
    read_oembed,
    refused_page,
)
from linkcheck.engine.verdict import Reason, Status, Verdict
from tests.fixtures.pages.corpus import StaticProbe, page, read

WATCH = "https://www.youtube.com/watch?v=ZZZZZZZZZZZ"
OEMBED = "https://www.youtube.com/oembed"
API = "https://www.googleapis.com/youtube/v3/videos"
KEY = "unit-test-key-123"


@pytest.fixture()
def detector() -> YouTubeDetector:
    return YouTubeDetector()


def status(kind: str, reason: str = "", **extra: Any) -> dict[str, Any]:
    return {"status": kind, "reason": reason, **extra}


@pytest.mark.parametrize(
    ("playability", "expected"),
    [
        (status("OK"), (Status.OK, Reason.HTTP_2XX)),
        (status("LIVE_STREAM_OFFLINE", "This live event will begin in 3 hours."), Status.OK),
        (status("LIVE_STREAM_OFFLINE", "Premieres in 2 hours"), Status.OK),
        (status("LOGIN_REQUIRED", "Private video"), Reason.PLATFORM_PRIVATE),
        (status("LOGIN_REQUIRED", "Sign in to confirm your age"), Reason.AGE_RESTRICTED),
        (status("AGE_VERIFICATION_REQUIRED"), Reason.AGE_RESTRICTED),
        (status("AGE_CHECK_REQUIRED"), Reason.AGE_RESTRICTED),
        (status("CONTENT_CHECK_REQUIRED"), Reason.AGE_RESTRICTED),
        (
            status("UNPLAYABLE", "Join this channel to get access to members-only content"),
            Reason.LOGIN_REQUIRED,
        ),
        (status("UNPLAYABLE", "only available to Music Premium members"), Reason.LOGIN_REQUIRED),
        (status("ERROR", "This video requires payment to watch."), Reason.LOGIN_REQUIRED),
        (
            status("UNPLAYABLE", "The uploader has not made this video available in your country"),
            Reason.GEO_BLOCKED,
        ),
        # claims that need an official endpoint
        (status("LOGIN_REQUIRED", "Sign in to confirm you\u2019re not a bot"), "refused"),
        (status("LOGIN_REQUIRED", "This helps protect our community"), "refused"),
        (status("LOGIN_REQUIRED", "Sign in"), "refused"),  # a sign-in wall, reason unknown
        (status("ERROR", "x", errorScreen={"playerCaptchaViewModel": {}}), "refused"),
        (status("UNPLAYABLE", "This content isn't available, try again later."), "refused"),
        (status("ERROR", "Video unavailable"), "gone"),
        (status("ERROR", "This video has been removed by the uploader"), "named"),
        (status("SOMETHING_NEW", "?"), "unknown"),
    ],
)
def test_playability_statuses(
    detector: YouTubeDetector, playability: dict[str, Any], expected: object
) -> None:
    got = detector.read_status(playability)
    if isinstance(expected, Status):  # Status and Reason are str enums: test them first
        assert isinstance(got, Verdict) and got.status is expected
    elif isinstance(expected, Reason):
        assert isinstance(got, Verdict) and got.reason is expected
    elif isinstance(expected, str):
        assert isinstance(got, Claim)
        assert got.kind == ("gone" if expected == "named" else expected)
        assert got.named == (expected == "named")
    else:
        assert isinstance(got, Verdict) and (got.status, got.reason) == expected


def test_try_again_later_is_a_rate_limit(detector: YouTubeDetector) -> None:
    got = detector.read_status(
        status("UNPLAYABLE", "This content isn't available, try again later")
    )
    assert isinstance(got, Claim) and got.reason is Reason.RATE_LIMITED


def answer(code: int, body: bytes = b"") -> ProbeResponse:
    return ProbeResponse(status=code, final_url=OEMBED, headers={}, body=body)


@pytest.mark.parametrize(
    ("response", "vid", "says"),
    [
        (answer(404, b"Not Found"), "ZZZZZZZZZZZ", "gone"),
        (answer(200, b"Not Found"), "ZZZZZZZZZZZ", "gone"),
        (answer(400, b"Bad Request"), "bad", "gone"),  # a malformed id
        (answer(400, b"Bad Request"), "ZZZZZZZZZZZ", None),  # well-formed: unknown
        (answer(403, b"Forbidden"), "ZZZZZZZZZZZ", "private"),
        (answer(200, b"Forbidden"), "ZZZZZZZZZZZ", "private"),
        (answer(401, b"Unauthorized"), "ZZZZZZZZZZZ", "found"),
        (answer(200, read("youtube/oembed_live.json")), "ZZZZZZZZZZZ", "found"),
        (answer(429, read("youtube/google_sorry.html")), "ZZZZZZZZZZZ", "refused"),
        (answer(200, read("youtube/google_sorry.html")), "ZZZZZZZZZZZ", "refused"),
        (answer(500, b"error"), "ZZZZZZZZZZZ", None),
        (answer(200, b"<html>not json</html>"), "ZZZZZZZZZZZ", None),
    ],
)
def test_oembed_answers(response: ProbeResponse, vid: str, says: str | None) -> None:
    got = read_oembed(response, vid)
    assert (got.says if got else None) == says


def test_refusal_pages() -> None:
    consent = page(WATCH, "youtube/consent.html", final="https://consent.youtube.com/m?x=1")
    assert refused_page(consent, content=False)
    sorry = page(WATCH, "youtube/google_sorry.html", final="https://www.google.com/sorry/index")
    assert refused_page(sorry, content=False)
    same_host = page(WATCH, "youtube/google_sorry.html", status=429)
    assert refused_page(same_host, content=False)
    # A real page quoting the captcha's words is content, not a refusal.
    quoting = page(WATCH, "youtube/watch_quoting_errors.html")
    assert refused_page(quoting, content=True) is None


def test_alerts_ignore_quoted_text_and_cut_json() -> None:
    assert alerts(read("youtube/channel_quoting.html").decode()) == []
    gone = read("youtube/channel_does_not_exist.html").decode()
    assert any("this channel does not exist" in text for text in alerts(gone))
    assert alerts(gone[: gone.index("This channel")]) == []  # cut by the body prefix


@pytest.mark.parametrize(
    ("fixture", "answers", "expected"),
    [
        # the page names the removal; oEmbed cannot answer
        ("youtube/watch_account_terminated.html", {}, Status.BROKEN),
        # a bare "Video unavailable" needs oEmbed
        ("youtube/watch_unavailable.html", {}, Status.BLOCKED),
        ("youtube/watch_unavailable.html", {OEMBED: (404, b"Not Found")}, Status.BROKEN),
        ("youtube/watch_unavailable.html", {OEMBED: (403, b"Forbidden")}, Status.RESTRICTED),
        # oEmbed finds the video: the error was for the checker
        (
            "youtube/watch_removed_by_uploader.html",
            {OEMBED: (200, "youtube/oembed_live.json")},
            Status.BLOCKED,
        ),
        # bot wall: oEmbed decides, else blocked
        ("youtube/watch_bot_check.html", {}, Status.BLOCKED),
        ("youtube/watch_bot_check.html", {OEMBED: (200, "youtube/oembed_live.json")}, Status.OK),
        (
            "youtube/watch_bot_check.html",
            {OEMBED: (429, "youtube/google_sorry.html")},
            Status.BLOCKED,
        ),
        # precision: a live video quoting error strings asks nobody
        ("youtube/watch_quoting_errors.html", {}, Status.OK),
    ],
)
async def test_watch_page_and_oembed_together(
    detector: YouTubeDetector,
    fixture: str,
    answers: dict[str, tuple[int, str | bytes]],
    expected: Status,
) -> None:
    verdict = await detector.detect(page(WATCH, fixture), StaticProbe(answers))
    assert verdict is not None
    assert verdict.status is expected


async def test_shell_without_player_json_and_no_oembed_is_unknown(
    detector: YouTubeDetector,
) -> None:
    verdict = await detector.detect(page(WATCH, "youtube/watch_shell.html"), StaticProbe())
    assert verdict is not None
    assert verdict.status is Status.ERROR  # never a guessed ok


def with_key(fixture: str) -> Page:
    return replace(page(WATCH, fixture), credentials=Credentials(youtube_api_key=KEY))


@pytest.mark.parametrize(
    ("api", "fixture", "expected"),
    [
        ((200, "youtube/api_empty.json"), "youtube/watch_live.html", Reason.PLATFORM_DELETED),
        (
            (200, "youtube/api_private.json"),
            "youtube/watch_bot_check.html",
            Reason.PLATFORM_PRIVATE,
        ),
        ((200, "youtube/api_public.json"), "youtube/watch_bot_check.html", Reason.HTTP_2XX),
        ((200, "youtube/api_public.json"), "youtube/watch_age.html", Reason.AGE_RESTRICTED),
        ((200, "youtube/api_public.json"), "youtube/watch_unavailable.html", Reason.BOT_CHALLENGE),
        ((403, "youtube/api_quota.json"), "youtube/watch_bot_check.html", Reason.BOT_CHALLENGE),
    ],
)
async def test_data_api_first_when_a_key_is_set(
    detector: YouTubeDetector, api: tuple[int, str], fixture: str, expected: Reason
) -> None:
    probe = StaticProbe({API: api})
    verdict = await detector.detect(with_key(fixture), probe)
    assert verdict is not None
    assert verdict.reason is expected
    assert probe.calls[0] == f"{API}?part=status&id=ZZZZZZZZZZZ&key={KEY}"
    assert KEY not in verdict.detail


async def test_data_api_gone_needs_no_other_request(detector: YouTubeDetector) -> None:
    probe = StaticProbe({API: (200, "youtube/api_empty.json")})
    await detector.detect(with_key("youtube/watch_bot_check.html"), probe)
    assert len(probe.calls) == 1


async def test_no_key_no_data_api(detector: YouTubeDetector) -> None:
    probe = StaticProbe()
    await detector.detect(page(WATCH, "youtube/watch_bot_check.html"), probe)
    assert all(not call.startswith(API) for call in probe.calls)


@pytest.mark.parametrize(
    ("url", "fixture", "status", "expected"),
    [
        (
            "https://www.youtube.com/@x",
            "youtube/channel_terminated_claims.html",
            200,
            Status.BROKEN,
        ),
        ("https://www.youtube.com/@x", "youtube/channel_removed.html", 200, Status.BROKEN),
        ("https://www.youtube.com/@x", "youtube/channel_quoting.html", 200, Status.OK),
        ("https://www.youtube.com/@x", "youtube/channel_does_not_exist.html", 404, Status.BROKEN),
        (
            "https://www.youtube.com/playlist?list=PLx",
            "youtube/playlist_missing.html",
            200,
            Status.BROKEN,
        ),
        (
            "https://www.youtube.com/playlist?list=PLx",
            "youtube/playlist_private.html",
            200,
            Status.RESTRICTED,
        ),
        ("https://www.youtube.com/playlist?list=PLx", "youtube/playlist_live.html", 200, Status.OK),
    ],
)
async def test_channels_and_playlists(
    detector: YouTubeDetector, url: str, fixture: str, status: int, expected: Status
) -> None:
    verdict = await detector.detect(page(url, fixture, status=status), StaticProbe())
    assert verdict is not None
    assert verdict.status is expected


async def test_unknown_handle_is_a_404_and_a_consent_gate_is_blocked(
    detector: YouTubeDetector,
) -> None:
    missing = page("https://www.youtube.com/@nobody", status=404, body=b"<html></html>")
    verdict = await detector.detect(missing, StaticProbe())
    assert verdict is not None and (verdict.status, verdict.reason) == (
        Status.BROKEN,
        Reason.HTTP_404,
    )
    gated = page(
        "https://www.youtube.com/@creator",
        "youtube/consent.html",
        final="https://consent.youtube.com/m?continue=x",
    )
    verdict = await detector.detect(gated, StaticProbe())
    assert verdict is not None and verdict.status is Status.BLOCKED
