"""The optional Meta app token through the real engine: Graph oEmbed decides walled posts.

The corpus cases (tests/fixtures/pages/*/manifest.json) run without a token; here the same
links are checked with one, and the token must reach only graph.facebook.com, never a result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from linkcheck.engine import Checker
from linkcheck.engine.options import Credentials
from tests.e2e.corpus_server import CorpusServer

TOKEN = "123456|corpus-app-secret"
IG = "https://www.instagram.com"

WITH_TOKEN = {
    f"{IG}/p/Cwalled000/": ("ok", "http_2xx"),  # the embed decides first: Graph not asked
    f"{IG}/p/Cwalled001/": ("ok", "http_2xx"),  # Graph oEmbed 200
    f"{IG}/p/Cwalled002/": ("broken", "platform_deleted"),  # Graph: the media does not exist
    f"{IG}/p/Cwalled003/": ("blocked", "bot_challenge"),  # Graph's permission error: no proof
    "https://www.facebook.com/KvicklyGrenaa": ("ok", "http_2xx"),  # oembed_page 200
    "https://www.facebook.com/harbourbakery/posts/pfbid0gone": ("blocked", "bot_challenge"),
}


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[CorpusServer]:
    with CorpusServer() as server:
        yield server


async def test_graph_oembed_decides_walled_posts(corpus_server: CorpusServer) -> None:
    async with Checker(
        corpus_server.check_options(credentials=Credentials(meta_app_token=TOKEN))
    ) as checker:
        results = await checker.check_many(list(WITH_TOKEN))
    got = {r.url: (r.status.value, r.reason.value) for r in results}
    assert got == WITH_TOKEN
    for result in results:  # the token is never part of a result
        assert "corpus-app-secret" not in json.dumps(result.to_dict())


async def test_the_token_goes_to_graph_only(corpus_server: CorpusServer) -> None:
    before = len(corpus_server.requests)
    async with Checker(
        corpus_server.check_options(credentials=Credentials(meta_app_token=TOKEN))
    ) as checker:
        await checker.check_many([f"{IG}/p/Cwalled001/"])
    sent = corpus_server.requests[before:]
    graph = [path for host, path in sent if host == "graph.facebook.com"]
    assert len(graph) == 1
    query = parse_qs(urlsplit(graph[0]).query)
    assert query == {"url": [f"{IG}/p/Cwalled001/"], "access_token": [TOKEN]}
    assert all("secret" not in path for host, path in sent if host != "graph.facebook.com")


async def test_without_a_token_graph_is_never_asked(corpus_server: CorpusServer) -> None:
    before = len(corpus_server.requests)
    async with Checker(
        corpus_server.check_options(credentials=Credentials(meta_app_token=None))
    ) as checker:
        results = await checker.check_many(list(WITH_TOKEN))
    assert {r.status.value for r in results} <= {"ok", "blocked"}  # never a guess
    assert all(host != "graph.facebook.com" for host, _ in corpus_server.requests[before:])
