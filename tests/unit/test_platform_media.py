"""Spotify, SoundCloud, Google Docs and the tagged-only platforms (pure: Pages built here)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from linkcheck.engine.platforms.amazon import AmazonDetector
from linkcheck.engine.platforms.google import GoogleDocsDetector
from linkcheck.engine.platforms.pinterest import PinterestDetector
from linkcheck.engine.platforms.snapchat import SnapchatDetector
from linkcheck.engine.platforms.soundcloud import SoundCloudDetector, content_url
from linkcheck.engine.platforms.spotify import SpotifyDetector, item_url
from linkcheck.engine.platforms.tag_only import TagOnlyDetector
from linkcheck.engine.platforms.threads import ThreadsDetector
from linkcheck.engine.platforms.twitch import TwitchDetector
from linkcheck.engine.verdict import Hop, Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page

TRACK = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
SPOTIFY_OEMBED = "https://open.spotify.com/oembed?url="
SOUND = "https://soundcloud.com/dana-harbour/harbour-lights"
SOUND_OEMBED = "https://soundcloud.com/oembed?url="
SHELL = b"<!DOCTYPE html><html><head><title>Spotify</title></head><body></body></html>"


# --- Spotify ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (TRACK, TRACK),
        (f"{TRACK}?si=abc", TRACK),
        ("https://open.spotify.com/intl-pt-br/album/1DFixLWuPkv3KT3TnV35m3",
         "https://open.spotify.com/album/1DFixLWuPkv3KT3TnV35m3"),
        ("https://open.spotify.com/intl-de/album/1DFixLWuPkv3KT3TnV35m3",
         "https://open.spotify.com/album/1DFixLWuPkv3KT3TnV35m3"),
        ("https://open.spotify.com/embed/episode/7makk4oTQel546B0PZlDM5",
         "https://open.spotify.com/episode/7makk4oTQel546B0PZlDM5"),
        ("https://open.spotify.com/", None),
        ("https://open.spotify.com/genre/podcasts-web", None),
        ("https://www.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", None),
    ],
)  # fmt: skip
def test_spotify_item_urls(url: str, expected: str | None) -> None:
    assert item_url(url) == expected


@pytest.mark.parametrize(
    ("page_status", "answer", "expected"),
    [
        (200, (200, b'{"type":"rich","title":"x"}'), (Status.OK, Reason.HTTP_2XX)),
        (404, (404, b'{"error":"not found"}'), (Status.BROKEN, Reason.PLATFORM_DELETED)),
        (200, (404, b'{"error":"not found"}'), (Status.ERROR, Reason.HTTP_4XX)),
        (200, (502, b"Bad Gateway"), (Status.ERROR, Reason.HTTP_5XX)),
        (200, (503, b"Something went wrong"), (Status.ERROR, Reason.HTTP_5XX)),
        (200, (429, b""), (Status.BLOCKED, Reason.RATE_LIMITED)),
        (200, (403, b""), (Status.BLOCKED, Reason.HTTP_403)),
        (200, None, (Status.ERROR, Reason.NOT_CHECKED)),
    ],
)
async def test_spotify_oembed_decides_and_a_shell_never_makes_ok(
    page_status: int, answer: tuple[int, bytes] | None, expected: tuple[Status, Reason]
) -> None:
    probe = StaticProbe({SPOTIFY_OEMBED: answer} if answer else {})
    verdict = await SpotifyDetector().detect(page(TRACK, body=SHELL, status=page_status), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == expected
    (call,) = probe.calls
    assert urlsplit(call).netloc == "open.spotify.com"
    assert parse_qs(urlsplit(call).query)["url"] == [TRACK]


@pytest.mark.parametrize("answer", [None, (503, b""), (429, b""), (403, b"")])
@pytest.mark.parametrize("page_status", [404, 403, 502])
async def test_spotify_pages_that_fail_keep_their_http_verdict_when_oembed_settles_nothing(
    answer: tuple[int, bytes] | None, page_status: int
) -> None:
    probe = StaticProbe({SPOTIFY_OEMBED: answer} if answer else {})
    shown = page(TRACK, body=SHELL, status=page_status)
    assert await SpotifyDetector().detect(shown, probe) is None


async def test_spotify_short_link_that_goes_nowhere_is_asked_about_as_it_is() -> None:
    short = "https://spotify.link/Zz9"
    probe = StaticProbe({SPOTIFY_OEMBED: (200, b'{"type":"rich"}')})
    shown = page(short, body=SHELL, final="https://open.spotify.com/", redirects=[Hop(short, 302)])
    verdict = await SpotifyDetector().detect(shown, probe)
    assert verdict is not None and verdict.status is Status.OK
    assert parse_qs(urlsplit(probe.calls[0]).query)["url"] == [short]


async def test_spotify_browse_pages_are_only_tagged() -> None:
    probe = StaticProbe()
    shown = page("https://open.spotify.com/search", body=SHELL)
    assert await SpotifyDetector().detect(shown, probe) is None
    assert probe.calls == []


# --- SoundCloud -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (SOUND, SOUND),
        (f"{SOUND}?in=dana/sets/x", SOUND),
        ("https://m.soundcloud.com/dana-harbour", "https://soundcloud.com/dana-harbour"),
        ("https://soundcloud.com/dana-harbour/sets/tides", "https://soundcloud.com/dana-harbour/sets/tides"),
        (f"{SOUND}/s-AbCdEfGhIj", f"{SOUND}/s-AbCdEfGhIj"),
        ("https://soundcloud.com/dana-harbour/likes", "https://soundcloud.com/dana-harbour"),
        ("https://soundcloud.com/dana-harbour/sets", "https://soundcloud.com/dana-harbour"),
        ("https://soundcloud.com/discover", None),
        ("https://soundcloud.com/", None),
        ("https://on.soundcloud.com/Xy12Ab", None),
    ],
)  # fmt: skip
def test_soundcloud_content_urls(url: str, expected: str | None) -> None:
    assert content_url(url) == expected


@pytest.mark.parametrize(
    ("page_status", "answer", "expected"),
    [
        (200, (200, b'{"type":"rich"}'), (Status.OK, Reason.HTTP_2XX)),
        (403, (200, b'{"type":"rich"}'), (Status.OK, Reason.HTTP_2XX)),
        (403, (403, b"<html>DataDome</html>"), (Status.BLOCKED, Reason.BOT_CHALLENGE)),
        (200, (403, b""), (Status.BLOCKED, Reason.BOT_CHALLENGE)),
        (403, None, (Status.BLOCKED, Reason.BOT_CHALLENGE)),
        (404, (404, b""), (Status.BROKEN, Reason.PLATFORM_DELETED)),
        (403, (404, b""), (Status.BLOCKED, Reason.BOT_CHALLENGE)),
        (200, (404, b""), (Status.ERROR, Reason.HTTP_4XX)),
        (200, (500, b""), (Status.ERROR, Reason.HTTP_5XX)),
    ],
)
async def test_soundcloud_datadome_is_blocked_and_oembed_decides(
    page_status: int, answer: tuple[int, bytes] | None, expected: tuple[Status, Reason]
) -> None:
    probe = StaticProbe({SOUND_OEMBED: answer} if answer else {})
    verdict = await SoundCloudDetector().detect(page(SOUND, body=SHELL, status=page_status), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == expected
    query = parse_qs(urlsplit(probe.calls[0]).query)
    assert query == {"url": [SOUND], "format": ["json"]}


async def test_soundcloud_own_pages_are_tagged_unless_walled() -> None:
    probe = StaticProbe()
    discover = "https://soundcloud.com/discover"
    assert await SoundCloudDetector().detect(page(discover, body=SHELL), probe) is None
    walled = await SoundCloudDetector().detect(page(discover, body=SHELL, status=403), probe)
    assert walled is not None and walled.reason is Reason.BOT_CHALLENGE
    assert probe.calls == []


# --- Google Docs / Drive / Forms --------------------------------------------------------------

DOC = "https://docs.google.com/document/d/1abc/edit"
FILE = "https://drive.google.com/file/d/1abc/view"
FORM = "https://forms.gle/abc"
SORRY = "https://www.google.com/sorry/index?continue=x"
SIGN_IN = (
    "https://accounts.google.com/ServiceLogin?continue=https://docs.google.com/document/d/1abc/edit"
)


@pytest.mark.parametrize(
    ("requested", "hops", "final", "status"),
    [
        (DOC, [DOC], SIGN_IN, 200),
        (FILE, [FILE], SIGN_IN, 200),
        # a shortener in front: the bounce still belongs to Google Docs
        ("https://bit.ly/harbour", ["https://bit.ly/harbour", DOC], SIGN_IN, 200),
        (FORM, [FORM], SORRY, 429),
    ],
)  # fmt: skip
async def test_google_sign_in_bounce_is_blocked_never_ok(
    requested: str, hops: list[str], final: str, status: int
) -> None:
    shown = page(
        requested,
        body=b"<title>Sign in</title>",
        final=final,
        status=status,
        redirects=[Hop(url, 302) for url in hops],
    )
    verdict = await GoogleDocsDetector().detect(shown, StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


@pytest.mark.parametrize("status", [200, 404])
async def test_google_files_that_answer_keep_their_http_verdict(status: int) -> None:
    shown = page(DOC, body=b"<title>Plan - Google Docs</title>", status=status)
    assert await GoogleDocsDetector().detect(shown, StaticProbe()) is None


async def test_a_sign_in_page_reached_without_google_docs_is_not_judged() -> None:
    shown = page("https://accounts.google.com/ServiceLogin", body=b"<title>Sign in</title>")
    assert await GoogleDocsDetector().detect(shown, StaticProbe()) is None


# --- tagged only ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("detector", "theirs", "not_theirs"),
    [
        (TwitchDetector(), ["https://www.twitch.tv/x", "https://clips.twitch.tv/Clip"],
         ["https://twitch.tv.evil.example/x", "https://nottwitch.tv/x"]),
        (PinterestDetector(), ["https://www.pinterest.com/pin/1/", "https://pin.it/abc",
                               "https://www.pinterest.co.uk/pin/1/"],
         ["https://pinterest.com.evil.example/pin/1/", "https://pin.it.evil.example/"]),
        (ThreadsDetector(), ["https://www.threads.net/@a", "https://www.threads.com/@a/post/x"],
         ["https://threads.example/@a"]),
        (SnapchatDetector(), ["https://www.snapchat.com/add/a", "https://story.snapchat.com/s/a"],
         ["https://snapchat.com.evil.example/add/a"]),
        (AmazonDetector(), ["https://www.amazon.com/dp/B0X", "https://amazon.de/dp/B0X",
                            "https://smile.amazon.co.uk/dp/B0X", "https://amzn.to/3x",
                            "https://a.co/d/x"],
         ["https://aws.amazon.com/lambda/", "https://developer.amazon.com/",
          "https://www.amazon.com.evil.example/dp/B0X", "https://notamazon.com/dp/B0X",
          "https://x.a.co/d/x"]),
    ],
)  # fmt: skip
async def test_tagged_platforms_want_their_own_hosts_only_and_keep_the_http_verdict(
    detector: TagOnlyDetector, theirs: list[str], not_theirs: list[str]
) -> None:
    assert all(detector.wants(url) for url in theirs)
    assert not any(detector.wants(url) for url in not_theirs)
    probe = StaticProbe()
    for status in (200, 403, 404, 503):
        assert await detector.detect(page(theirs[0], body=SHELL, status=status), probe) is None
    assert probe.calls == []
