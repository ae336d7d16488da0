"""URL forms each platform recognises, and oEmbed edge cases (pure)."""

from __future__ import annotations

import pytest

from linkcheck.engine.platforms.registry import all_detectors
from linkcheck.engine.platforms.twitter import status_url
from linkcheck.engine.platforms.vimeo import video_url
from linkcheck.engine.platforms.youtube import YouTubeDetector, video_id
from linkcheck.engine.verdict import Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page


@pytest.mark.parametrize(
    ("url", "vid"),
    [
        ("https://www.youtube.com/watch?v=AAAAAAAAAAA&t=10", "AAAAAAAAAAA"),
        ("https://m.youtube.com/watch?v=AAAAAAAAAAA", "AAAAAAAAAAA"),
        ("https://youtu.be/AAAAAAAAAAA?si=x", "AAAAAAAAAAA"),
        ("https://www.youtube.com/shorts/BBBBBBBBBBB", "BBBBBBBBBBB"),
        ("https://www.youtube.com/live/CCCCCCCCCCC", "CCCCCCCCCCC"),
        ("https://www.youtube-nocookie.com/embed/DDDDDDDDDDD", "DDDDDDDDDDD"),
        ("https://www.youtube.com/@creator", None),
        ("https://www.youtube.com/watch", None),
    ],
)
def test_youtube_video_ids(url: str, vid: str | None) -> None:
    assert video_id(url) == vid


def test_twitter_status_urls() -> None:
    assert (
        status_url("https://x.com/alice/status/123?s=20") == "https://twitter.com/alice/status/123"
    )
    assert (
        status_url("https://twitter.com/i/web/status/123") == "https://twitter.com/i/web/status/123"
    )
    assert status_url("https://x.com/alice") is None


def test_vimeo_video_urls() -> None:
    assert video_url("https://vimeo.com/100001") == "https://vimeo.com/100001"
    assert video_url("https://player.vimeo.com/video/100001") == "https://vimeo.com/100001"
    assert video_url("https://vimeo.com/channels/staffpicks/100001") == "https://vimeo.com/100001"
    assert video_url("https://vimeo.com/about") is None


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b"Forbidden", (Status.RESTRICTED, Reason.PLATFORM_PRIVATE)),  # older answer shape
        (401, b"Unauthorized", (Status.OK, Reason.HTTP_2XX)),  # embedding disabled, video live
        (404, b"Not Found", (Status.BROKEN, Reason.PLATFORM_DELETED)),
    ],
)
async def test_youtube_oembed_answers(
    status: int, body: bytes, expected: tuple[Status, Reason]
) -> None:
    watch = "https://www.youtube.com/watch?v=ZZZZZZZZZZZ"
    probe = StaticProbe({"https://www.youtube.com/oembed": (status, body)})
    shell = page(watch, body=b"<html><title>YouTube</title></html>")  # player JSON beyond prefix
    verdict = await YouTubeDetector().detect(shell, probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == expected


def test_every_platform_has_a_distinct_name_and_generic_comes_last() -> None:
    detectors = all_detectors()
    names = [d.name for d in detectors]
    assert len(set(names)) == len(names)
    assert getattr(detectors[-1], "generic", False)
    assert not any(getattr(d, "generic", False) for d in detectors[:-1])


def test_every_registry_line_matches_its_detector_class() -> None:
    # The registry declares names and domains so modules load lazily; they must not drift.
    for detector in all_detectors():
        real = detector.real  # type: ignore[attr-defined]
        assert real.name == detector.name
        assert getattr(real, "domains", None) == detector.domains  # type: ignore[attr-defined]
        assert bool(getattr(real, "generic", False)) == detector.generic  # type: ignore[attr-defined]
        assert bool(getattr(real, "first", False)) == detector.first  # type: ignore[attr-defined]


def test_first_detectors_come_first() -> None:
    kinds = [bool(getattr(d, "first", False)) for d in all_detectors()]
    assert kinds[:2] == [True, True] and not any(kinds[2:])
