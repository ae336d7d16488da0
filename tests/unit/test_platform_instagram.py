"""Instagram detector on fixture pages (pure: Page objects and a table-driven probe)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from linkcheck.engine.detectors import Page, ProbeResponse
from linkcheck.engine.options import Credentials
from linkcheck.engine.platforms.instagram import InstagramDetector, post_code, read_embed
from linkcheck.engine.verdict import Hop, Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page, read

IG = "https://www.instagram.com"
POST = f"{IG}/p/Cwalled000/"
LOGIN = f"{IG}/accounts/login/?next=%2Fp%2FCwalled000%2F"
EMBED = f"{IG}/p/Cwalled000/embed/captioned/"
GRAPH = "https://graph.facebook.com/v21.0/instagram_oembed?"
TOKEN = "app-id|s3cret-value"


@pytest.fixture()
def detector() -> InstagramDetector:
    return InstagramDetector()


def walled(token: str | None = None) -> Page:
    wall = page(POST, "instagram/login.html", final=LOGIN, redirects=[Hop(POST, 302)])
    return replace(wall, credentials=Credentials(meta_app_token=token))


def test_wants_instagram_and_its_short_host_only(detector: InstagramDetector) -> None:
    assert detector.wants(POST) and detector.wants("https://instagr.am/p/Cabc123xyz/")
    assert not detector.wants("https://notinstagram.com/p/Cabc123xyz/")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{IG}/p/Cabc123xyz/", ("p", "Cabc123xyz")),
        (f"{IG}/reel/Creel12345/?igsh=x", ("reel", "Creel12345")),
        (f"{IG}/reels/Creel12345", ("reel", "Creel12345")),
        (f"{IG}/tv/Ctv0000000/", ("tv", "Ctv0000000")),
        (f"{IG}/alice/p/Cabc123xyz/", ("p", "Cabc123xyz")),
        (f"{IG}/alice/", None),
        ("https://example.com/p/Cabc123xyz/", None),
    ],
)
def test_post_codes(url: str, expected: tuple[str, str] | None) -> None:
    assert post_code(url) == expected


async def test_login_wall_with_a_live_embed_is_ok(detector: InstagramDetector) -> None:
    probe = StaticProbe({EMBED: (200, "instagram/embed_live.html")})
    verdict = await detector.detect(walled(), probe)
    assert verdict is not None and (verdict.status, verdict.reason) == (Status.OK, Reason.HTTP_2XX)
    assert probe.calls == [EMBED]


async def test_login_wall_without_evidence_is_blocked_never_restricted(
    detector: InstagramDetector,
) -> None:
    probe = StaticProbe({EMBED: (200, "instagram/embed_unavailable.html")})
    verdict = await detector.detect(walled(), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)
    assert "not asked" in verdict.detail and "unavailable" in verdict.detail
    assert probe.calls == [EMBED]  # no token: Graph is never asked


@pytest.mark.parametrize(
    ("status", "fixture", "expected"),
    [
        (200, "instagram/oembed_live.json", (Status.OK, Reason.HTTP_2XX)),
        (400, "instagram/oembed_missing.json", (Status.BROKEN, Reason.PLATFORM_DELETED)),
        (400, "instagram/oembed_permissions.json", (Status.BLOCKED, Reason.BOT_CHALLENGE)),
        (429, "instagram/oembed_permissions.json", (Status.BLOCKED, Reason.BOT_CHALLENGE)),
    ],
)
async def test_with_a_token_graph_oembed_decides(
    detector: InstagramDetector, status: int, fixture: str, expected: tuple[Status, Reason]
) -> None:
    probe = StaticProbe(
        {EMBED: (200, "instagram/embed_unavailable.html"), GRAPH: (status, fixture)}
    )
    verdict = await detector.detect(walled(TOKEN), probe)
    assert verdict is not None and (verdict.status, verdict.reason) == expected
    assert TOKEN not in verdict.detail and "s3cret" not in verdict.detail
    asked = parse_qs(urlsplit(probe.calls[1]).query)
    assert asked == {"url": [f"{IG}/p/Cwalled000/"], "access_token": [TOKEN]}


async def test_graph_that_cannot_be_reached_proves_nothing(detector: InstagramDetector) -> None:
    verdict = await detector.detect(walled(TOKEN), StaticProbe())
    assert verdict is not None and verdict.status is Status.BLOCKED


@pytest.mark.parametrize(
    ("url", "fixture", "status", "expected"),
    [
        (f"{IG}/p/Cgone00000/", "instagram/unavailable.html", 404, Status.BROKEN),
        (f"{IG}/bannedcarl/", "instagram/unavailable.html", 200, Status.BROKEN),
        (f"{IG}/p/Cneedlogin/", "instagram/not_found_require_login.html", 404, Status.BLOCKED),
        (f"{IG}/carol/", "instagram/not_found_require_login.html", 404, Status.BLOCKED),
        (f"{IG}/p/Cquote0000/", "instagram/post_quotes_notfound.html", 200, Status.OK),
        (f"{IG}/bob/", "instagram/profile_private.html", 200, Status.RESTRICTED),
        (f"{IG}/reel/Cadults000/", "instagram/restricted_video.html", 200, Status.RESTRICTED),
        (f"{IG}/p/Cloginpage/", "instagram/login.html", 200, Status.BLOCKED),
    ],
)
async def test_page_words(
    detector: InstagramDetector, url: str, fixture: str, status: int, expected: Status
) -> None:
    verdict = await detector.detect(page(url, fixture, status=status), StaticProbe())
    assert verdict is not None and verdict.status is expected


async def test_a_404_carrying_require_login_is_never_broken(detector: InstagramDetector) -> None:
    wall = page(f"{IG}/p/Cneedlogin/", "instagram/not_found_require_login.html", status=404)
    verdict = await detector.detect(wall, StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


@pytest.mark.parametrize(("fixture", "status"), [("instagram/wait.html", 200), (None, 429)])
async def test_rate_limits(detector: InstagramDetector, fixture: str | None, status: int) -> None:
    verdict = await detector.detect(page(POST, fixture, status=status), StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.RATE_LIMITED)


async def test_a_post_sent_home_is_refused_not_redirect_to_home(
    detector: InstagramDetector,
) -> None:
    home = page(POST, "instagram/home.html", final=f"{IG}/", redirects=[Hop(POST, 302)])
    verdict = await detector.detect(home, StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


async def test_a_caption_saying_restricted_video_is_not_a_ruling(
    detector: InstagramDetector,
) -> None:
    body = read("instagram/post_live.html").replace(b"Morning light", b"Restricted Video")
    verdict = await detector.detect(page(POST, body=body), StaticProbe())
    assert verdict is not None and verdict.status is Status.OK


async def test_a_link_that_left_instagram_is_not_judged(detector: InstagramDetector) -> None:
    away = page("https://instagr.am/x", final="https://example.com/", body=b"<title>x</title>")
    assert await detector.detect(away, StaticProbe()) is None


def test_an_embed_that_bounced_to_the_login_page_is_unknown() -> None:
    bounced = ProbeResponse(200, LOGIN, {}, read("instagram/embed_live.html"))
    assert read_embed(bounced) == "unknown"
    assert read_embed(ProbeResponse(200, EMBED, {}, read("instagram/embed_live.html"))) == "live"
    broken = ProbeResponse(200, EMBED, {}, read("instagram/embed_unavailable.html"))
    assert read_embed(broken) == "unavailable"


async def test_an_account_named_like_a_wall_is_not_a_wall(detector: InstagramDetector) -> None:
    body = read("instagram/profile_live.html")
    verdict = await detector.detect(page(f"{IG}/challengeaccepted/", body=body), StaticProbe())
    assert verdict is not None and verdict.status is Status.OK


async def test_a_live_page_whose_config_mentions_require_login_is_live(
    detector: InstagramDetector,
) -> None:
    body = read("instagram/post_live.html") + b'<script>{"require_login":true}</script>'
    probe = StaticProbe()
    verdict = await detector.detect(page(POST, body=body), probe)
    assert verdict is not None and verdict.status is Status.OK
    assert probe.calls == []
