"""Facebook detector on fixture pages (pure: Page objects and a table-driven probe)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from linkcheck.engine.detectors import Page
from linkcheck.engine.options import Credentials
from linkcheck.engine.platforms.facebook import FacebookDetector, content_url, oembed_endpoint
from linkcheck.engine.verdict import Hop, Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page

FB = "https://www.facebook.com"
GRAPH = "https://graph.facebook.com/v21.0/"
TOKEN = "app-id|fb-s3cret"

NOTICES = [
    (f"{FB}/harbourbakery/posts/pfbid0gone", "facebook/unavailable.html", 200),
    (f"{FB}/KvicklyGrenaa", "facebook/page_unavailable.html", 200),
    (f"{FB}/story.php?story_fbid=1&id=2", "facebook/content_not_found_mobile.html", 200),
    (f"{FB}/harbourbakery/videos/1234567890", "facebook/login_inline.html", 200),
    (f"{FB}/harbourbakery/photos/a.1/2", "facebook/unsupported_browser.html", 200),
    (f"{FB}/watch/?v=900000000000002", "facebook/video_interstitial.html", 200),
    (f"{FB}/jus.guessit/posts/", "facebook/login.html", 404),
]


@pytest.fixture()
def detector() -> FacebookDetector:
    return FacebookDetector()


def with_token(p: Page) -> Page:
    return replace(p, credentials=Credentials(meta_app_token=TOKEN))


def test_wants_facebook_and_its_short_hosts(detector: FacebookDetector) -> None:
    for url in (f"{FB}/x", "https://m.facebook.com/x", "https://fb.watch/a/", "https://fb.me/x"):
        assert detector.wants(url)
    assert not detector.wants("https://notfacebook.com/x")


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        (f"{FB}/harbourbakery/posts/pfbid0abc", "oembed_post"),
        (f"{FB}/permalink.php?story_fbid=1&id=2", "oembed_post"),
        (f"{FB}/story.php?story_fbid=1&id=2", "oembed_post"),
        (f"{FB}/harbourbakery/photos/a.1/2", "oembed_post"),
        (f"{FB}/share/p/1AbC/", "oembed_post"),
        (f"{FB}/harbourbakery/videos/1234567890", "oembed_video"),
        (f"{FB}/watch/?v=1", "oembed_video"),
        (f"{FB}/reel/123", "oembed_video"),
        (f"{FB}/share/v/1AbC/", "oembed_video"),
        ("https://fb.watch/abc/", "oembed_video"),
        (f"{FB}/harbourbakery", "oembed_page"),
        (f"{FB}/profile.php?id=1", "oembed_page"),
        (f"{FB}/", None),
        (f"{FB}/groups/x/about/", None),
    ],
)
def test_oembed_endpoints(url: str, endpoint: str | None) -> None:
    assert oembed_endpoint(url) == endpoint


def test_the_content_url_is_the_last_one_before_the_wall() -> None:
    share = f"{FB}/share/p/1AbC/"
    post = f"{FB}/harbourbakery/posts/pfbid0abc"
    walled = page(
        share,
        "facebook/login.html",
        final=f"{FB}/login/?next=x",
        redirects=[Hop(share, 302), Hop(post, 302)],
    )
    assert content_url(walled) == post
    short = page(
        "https://fb.watch/a/", final=f"{FB}/login/", redirects=[Hop("https://fb.watch/a/", 302)]
    )
    assert content_url(short) == "https://fb.watch/a/"


@pytest.mark.parametrize(("url", "fixture", "status"), NOTICES)
async def test_notices_without_evidence_are_blocked(
    detector: FacebookDetector, url: str, fixture: str, status: int
) -> None:
    probe = StaticProbe()
    verdict = await detector.detect(page(url, fixture, status=status), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)
    assert probe.calls == []  # no token: nothing asked


@pytest.mark.parametrize(("url", "fixture", "status"), NOTICES)
async def test_notices_with_a_live_oembed_are_ok(
    detector: FacebookDetector, url: str, fixture: str, status: int
) -> None:
    probe = StaticProbe({GRAPH: (200, "facebook/oembed_live.json")})
    verdict = await detector.detect(with_token(page(url, fixture, status=status)), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.OK, Reason.HTTP_2XX)
    assert TOKEN not in verdict.detail


async def test_content_unavailable_is_never_broken_or_restricted_on_its_own(
    detector: FacebookDetector,
) -> None:
    unavailable = page(f"{FB}/harbourbakery/posts/pfbid0gone", "facebook/unavailable.html")
    probe = StaticProbe({GRAPH: (400, "facebook/oembed_permissions.json")})
    verdict = await detector.detect(with_token(unavailable), probe)
    assert verdict is not None and verdict.status is Status.BLOCKED
    assert "could not tell" in verdict.detail and TOKEN not in verdict.detail


async def test_content_unavailable_and_oembed_saying_missing_is_deleted(
    detector: FacebookDetector,
) -> None:
    unavailable = page(f"{FB}/harbourbakery/posts/pfbid0gone", "facebook/unavailable.html")
    probe = StaticProbe({GRAPH: (400, "instagram/oembed_missing.json")})
    verdict = await detector.detect(with_token(unavailable), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BROKEN, Reason.PLATFORM_DELETED)
    assert probe.calls[0].startswith(f"{GRAPH}oembed_post?")


@pytest.mark.parametrize(
    ("final", "path"),
    [
        ("/login/?next=x", "facebook/login.html"),
        ("/checkpoint/?next=x", "facebook/checkpoint.html"),
        ("/unsupportedbrowser", "facebook/unsupported_browser.html"),
    ],
)
async def test_walls_are_refusals(detector: FacebookDetector, final: str, path: str) -> None:
    url = f"{FB}/harbourbakery/posts/pfbid0abc"
    walled = page(url, path, final=f"{FB}{final}", redirects=[Hop(url, 302)])
    verdict = await detector.detect(walled, StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


async def test_rate_limited(detector: FacebookDetector) -> None:
    verdict = await detector.detect(page(f"{FB}/x/posts/1", status=429), StaticProbe())
    assert verdict is not None and verdict.reason is Reason.RATE_LIMITED


@pytest.mark.parametrize(
    ("url", "fixture"),
    [
        (f"{FB}/harbourbakery/posts/pfbid0abc", "facebook/post_live.html"),
        (f"{FB}/harbourbakery/posts/pfbid0quote", "facebook/post_quotes_unavailable.html"),
        (f"{FB}/harbourbakery", "facebook/page_live.html"),
    ],
)
async def test_live_content(detector: FacebookDetector, url: str, fixture: str) -> None:
    verdict = await detector.detect(page(url, fixture), StaticProbe())
    assert verdict is not None and verdict.status is Status.OK


async def test_a_short_link_that_left_facebook_is_not_judged(detector: FacebookDetector) -> None:
    away = page("https://fb.me/x", final="https://example.com/", body=b"<title>x</title>")
    assert await detector.detect(away, StaticProbe()) is None


async def test_a_page_named_like_a_wall_is_not_a_wall(detector: FacebookDetector) -> None:
    verdict = await detector.detect(
        page(f"{FB}/loginradius", "facebook/page_live.html"), StaticProbe()
    )
    assert verdict is not None and verdict.status is Status.OK
