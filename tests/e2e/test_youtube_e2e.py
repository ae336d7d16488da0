"""YouTube through the real engine: the request quirk on the wire, and the Data API with a key."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from linkcheck.engine import Checker, CheckOptions, CheckResult
from linkcheck.engine.options import ConnectTo, Credentials
from tests.e2e.corpus_server import CorpusServer
from tests.e2e.servers import Reply, ScriptedServer
from tests.fixtures.pages.corpus import read

KEY = "corpus-test-key"  # the key the corpus' Data API routes expect


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[CorpusServer]:
    with CorpusServer() as server:
        yield server


def outcome(result: CheckResult) -> tuple[str, str, str | None]:
    return result.status.value, result.reason.value, result.platform


async def test_youtube_requests_ask_for_english_and_carry_the_consent_cookie() -> None:
    with ScriptedServer(tls_names=("www.youtube.com", "other.test")) as server:
        server.route("/watch", Reply(200, body=read("youtube/watch_live.html")))
        server.route("/page", Reply(200, body=b"<html><title>A page</title></html>"))
        options = CheckOptions(
            allow_private_networks=True,
            ca_bundle=server.ca_pem,
            connect_to=tuple(
                ConnectTo(host, 443, "127.0.0.1", server.port)
                for host in ("www.youtube.com", "other.test")
            ),
            timeout=5.0,
            retries=0,
        )
        async with Checker(options) as checker:
            video = await checker.check("https://www.youtube.com/watch?v=AAAAAAAAAAA&hl=fr#t=3")
            other = await checker.check("https://other.test/page?hl=fr")
        (sent,) = server.hits("/watch")
        (plain,) = server.hits("/page")
    assert sent.path == "/watch?v=AAAAAAAAAAA&hl=en"  # the user's hl=fr is replaced
    assert sent.headers["cookie"] == "SOCS=CAI"
    assert sent.headers["user-agent"].startswith("linkcheck/")  # added to, never instead of
    assert outcome(video) == ("ok", "http_2xx", "youtube")
    # What is reported is what the user gave and where it ended, not the tweaked URL.
    assert video.url == "https://www.youtube.com/watch?v=AAAAAAAAAAA&hl=fr#t=3"
    assert video.final_url == "https://www.youtube.com/watch?v=AAAAAAAAAAA&hl=fr"
    # Other hosts are sent exactly what was asked, without the cookie.
    assert plain.path == "/page?hl=fr"
    assert "cookie" not in plain.headers
    assert other.status.value == "ok"


async def test_every_youtube_request_of_the_corpus_carries_hl_en(
    corpus_server: CorpusServer,
) -> None:
    cases = [c for c in corpus_server.corpus.cases if c.platform == "youtube"]
    async with Checker(corpus_server.check_options()) as checker:
        results = await checker.check_many([c.url for c in cases])
    assert [outcome(r) for r in results] == [(c.status, c.reason, c.platform) for c in cases]
    to_youtube = [path for host, path in corpus_server.requests if host == "www.youtube.com"]
    assert to_youtube
    assert all("hl=en" in path for path in to_youtube)
    assert all("hl=en" not in (r.final_url or "") for r in results)


API_CASES = {
    "https://www.youtube.com/watch?v=APIGONE0001": ("broken", "platform_deleted", "youtube"),
    "https://www.youtube.com/watch?v=APIPRIVATE1": ("restricted", "platform_private", "youtube"),
    # the watch page is a bot wall; the API lists the video as public
    "https://www.youtube.com/watch?v=APIPUBLIC01": ("ok", "http_2xx", "youtube"),
    # quota exceeded: the API says nothing, the bot wall and a failing oEmbed leave it unknown
    "https://www.youtube.com/watch?v=APIQUOTA001": ("blocked", "bot_challenge", "youtube"),
}


async def test_data_api_is_asked_first_with_a_key_that_never_shows(
    corpus_server: CorpusServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    options = corpus_server.check_options(credentials=Credentials(youtube_api_key=KEY))
    async with Checker(options) as checker:
        results = await checker.check_many(list(API_CASES))
    assert {r.url: outcome(r) for r in results} == API_CASES
    asked = [path for host, path in corpus_server.requests if host == "www.googleapis.com"]
    assert "/youtube/v3/videos?part=status&id=APIGONE0001&key=corpus-test-key" in asked
    for result in results:
        assert KEY not in json.dumps(result.to_dict())
    assert KEY not in caplog.text


async def test_without_a_key_the_data_api_is_never_asked(corpus_server: CorpusServer) -> None:
    before = len(corpus_server.requests)
    async with Checker(corpus_server.check_options()) as checker:
        result = await checker.check("https://www.youtube.com/watch?v=APIGONE0001")
    assert outcome(result) == ("blocked", "bot_challenge", "youtube")  # bot wall, no oEmbed
    assert all(host != "www.googleapis.com" for host, _ in corpus_server.requests[before:])
