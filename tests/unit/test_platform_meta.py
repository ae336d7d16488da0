"""Meta's Graph oEmbed: what an answer proves, and how the token travels (pure)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from linkcheck.engine.detectors import ProbeResponse
from linkcheck.engine.platforms import meta
from tests.fixtures.pages.corpus import StaticProbe

URL = "https://www.instagram.com/p/Cabc123xyz/"


def answer(status: int, body: bytes) -> ProbeResponse:
    return ProbeResponse(status, "https://graph.facebook.com/v21.0/x", {}, body)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b'{"html": "<blockquote></blockquote>", "author_name": "a"}', meta.Evidence.LIVE),
        (200, b'{"data": []}', meta.Evidence.UNKNOWN),
        (200, b"<html>not json</html>", meta.Evidence.UNKNOWN),
        (
            400,
            b'{"error": {"message": "The requested media does not exist."}}',
            meta.Evidence.MISSING,
        ),
        (
            400,
            b'{"error": {"message": "Object with ID \'x\' does not exist, cannot be loaded due '
            b'to missing permissions, or does not support this operation."}}',
            meta.Evidence.UNKNOWN,
        ),
        (400, b'{"error": {"message": "Invalid OAuth access token."}}', meta.Evidence.UNKNOWN),
        (
            400,
            b'{"error": {"message": "(#4) Application request limit reached"}}',
            meta.Evidence.UNKNOWN,
        ),
        (500, b"", meta.Evidence.UNKNOWN),
    ],
)
def test_what_an_answer_proves(status: int, body: bytes, expected: meta.Evidence) -> None:
    assert meta.read_answer(answer(status, body)) is expected


def test_no_answer_proves_nothing() -> None:
    assert meta.read_answer(None) is meta.Evidence.UNKNOWN


async def test_without_a_token_nothing_is_asked() -> None:
    probe = StaticProbe()
    assert await meta.ask(probe, "instagram_oembed", URL, None) is None
    assert await meta.ask(probe, "instagram_oembed", URL, "") is None
    assert probe.calls == []


def test_the_url_and_token_cannot_inject_parameters() -> None:
    hostile = "https://www.instagram.com/p/C1/?a=1&access_token=evil#frag"
    token = "id|se&cret=x#y"
    sent = urlsplit(meta.graph_url("instagram_oembed", hostile, token))
    assert (sent.scheme, sent.hostname, sent.path) == (
        "https",
        "graph.facebook.com",
        "/v21.0/instagram_oembed",
    )
    assert parse_qs(sent.query) == {"url": [hostile], "access_token": [token]}
    assert sent.fragment == ""
