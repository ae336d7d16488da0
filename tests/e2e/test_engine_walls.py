"""A generic wall in front of a platform URL: the ``behind_wall`` hook, through the real engine.

Refusal recognition (a first detector) answers ``blocked``; the consulted platform detectors are
then asked, in order, through ``behind_wall``, whose probe is a real request. Without evidence
the wall's verdict stands, named by the first platform.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from linkcheck.engine import Checker, CheckResult, Reason, Status
from linkcheck.engine.detectors import Detector, Page, Probe
from linkcheck.engine.options import Credentials
from linkcheck.engine.platforms.refusal import RefusalDetector
from linkcheck.engine.verdict import Verdict
from tests.e2e.corpus_server import CorpusServer

from .engine_helpers import fast_options
from .servers import Reply, ScriptedServer

HTML = {"content-type": "text/html; charset=utf-8"}
CHALLENGE = Reply(403, {**HTML, "cf-mitigated": "challenge"}, b"<html>Just a moment...</html>")
LIVE = Verdict(Status.OK, Reason.HTTP_2XX, "The video is there (its endpoint says so).")


class Platform:
    """A platform detector for ``/video`` URLs whose hook asks ``/oembed`` through the probe."""

    def __init__(self, name: str, answer: str = "oembed") -> None:
        self.name = name
        self.answer = answer  # "oembed" (ask it), "none", or "raise"
        self.detected: list[str] = []
        self.walled: list[str] = []

    def wants(self, url: str) -> bool:
        return "/video" in url

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        self.detected.append(page.final_url)
        return None

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        self.walled.append(page.final_url)
        if self.answer == "raise":
            raise RuntimeError("a bug in a hook")
        if self.answer == "none":
            return None
        said = await probe(page.final_url.replace("/video", "/oembed"))
        return LIVE if said is not None and said.status == 200 else None


class Plain:
    """A platform detector without the optional hook."""

    name = "plain"

    def wants(self, url: str) -> bool:
        return "/video" in url

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        raise AssertionError("never asked behind a wall")


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/video/1", CHALLENGE)
        running.route("/oembed/1", Reply(200, {"content-type": "application/json"}, b"{}"))
        running.route("/video/live", Reply(200, HTML, b"<html><title>A video</title></html>"))
        running.route("/shop", CHALLENGE)
        yield running


async def check(url: str, *platforms: Detector) -> CheckResult:
    """One check with refusal recognition first, then ``platforms`` in order."""
    async with Checker(fast_options(retries=0), detectors=[RefusalDetector(), *platforms]) as c:
        return await c.check(url)


async def test_the_platform_endpoint_answers_past_a_wall(server: ScriptedServer) -> None:
    platform = Platform("tube")
    result = await check(server.url("/video/1"), platform)
    assert (result.status, result.reason, result.platform) == (Status.OK, Reason.HTTP_2XX, "tube")
    assert result.detail == LIVE.detail
    assert platform.detected == []  # the walled page is never read as the platform's page
    assert len(server.hits("/oembed/1")) == 1  # the hook's probe is a real request


async def test_without_evidence_the_wall_stands_named_by_the_first_platform(
    server: ScriptedServer,
) -> None:
    first, second = Platform("first", "none"), Platform("second", "none")
    result = await check(server.url("/video/1"), first, second)
    assert (result.status, result.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)
    assert result.platform == "first"
    assert "Cloudflare" in result.detail
    assert len(first.walled) == len(second.walled) == 1  # each asked once, in order


async def test_the_first_answer_wins_in_order(server: ScriptedServer) -> None:
    quiet, answering, later = Platform("quiet", "none"), Platform("answering"), Platform("later")
    result = await check(server.url("/video/1"), quiet, Plain(), answering, later)
    assert (result.status, result.platform) == (Status.OK, "answering")
    assert later.walled == []


async def test_a_failing_hook_is_logged_and_skipped(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="linkcheck.engine.judging")
    broken, answering = Platform("broken", "raise"), Platform("answering")
    result = await check(server.url("/video/1"), broken, answering)
    assert (result.status, result.platform) == (Status.OK, "answering")
    assert "broken failed behind a wall" in caplog.text
    lone = await check(server.url("/video/1"), Platform("broken", "raise"))
    assert (lone.status, lone.reason, lone.platform) == (
        Status.BLOCKED,
        Reason.BOT_CHALLENGE,
        "broken",
    )


async def test_no_wall_no_hook(server: ScriptedServer) -> None:
    platform = Platform("tube")
    live = await check(server.url("/video/live"), platform)
    assert (live.status, live.platform) == (Status.OK, "tube")
    assert platform.walled == [] and len(platform.detected) == 1
    # A wall on a URL no platform wants: nobody to ask, the wall is the verdict.
    shop = await check(server.url("/shop"), platform)
    assert (shop.status, shop.reason, shop.platform) == (
        Status.BLOCKED,
        Reason.BOT_CHALLENGE,
        None,
    )
    assert platform.walled == []


# -- the default detectors, with credentials, against the fixture corpus -----------------------


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[CorpusServer]:
    with CorpusServer() as running:
        yield running


async def test_the_youtube_data_api_is_asked_past_a_wall(corpus_server: CorpusServer) -> None:
    url = "https://www.youtube.com/watch?v=WALLAPIGONE"  # Cloudflare wall, oEmbed fails
    key = Credentials(youtube_api_key="corpus-test-key")
    async with Checker(corpus_server.check_options(credentials=key)) as checker:
        result = await checker.check(url)
    assert (result.status, result.reason, result.platform) == (
        Status.BROKEN,
        Reason.PLATFORM_DELETED,
        "youtube",
    )
    assert "corpus-test-key" not in result.detail
    assert "wall" in result.detail


async def test_meta_oembed_is_asked_past_a_wall_only_with_the_token(
    corpus_server: CorpusServer,
) -> None:
    url = "https://www.facebook.com/HarbourWalled"  # Cloudflare wall, Graph's oembed_page 200
    token = Credentials(meta_app_token="123456|corpus-app-secret")
    async with Checker(corpus_server.check_options(credentials=token)) as checker:
        result = await checker.check(url)
    assert (result.status, result.reason, result.platform) == (
        Status.OK,
        Reason.HTTP_2XX,
        "facebook",
    )
    assert "secret" not in result.detail
    before = len(corpus_server.requests)
    async with Checker(corpus_server.check_options(credentials=Credentials())) as checker:
        unknown = await checker.check(url)
    assert (unknown.status, unknown.platform) == (Status.BLOCKED, "facebook")
    assert all(host != "graph.facebook.com" for host, _ in corpus_server.requests[before:])
