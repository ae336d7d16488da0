"""Per-site request quirks (pure): which hosts get one, and the URL and headers they send."""

from __future__ import annotations

import pytest

from linkcheck.engine.platforms import html
from linkcheck.engine.quirks import QUIRKS, Quirk, request_for


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("https://www.youtube.com/watch?v=A", "https://www.youtube.com/watch?v=A&hl=en"),
        ("https://www.youtube.com/@creator", "https://www.youtube.com/@creator?hl=en"),
        ("https://www.youtube.com/watch?hl=fr&v=A", "https://www.youtube.com/watch?v=A&hl=en"),
        ("https://www.youtube.com/watch?v=A&hl", "https://www.youtube.com/watch?v=A&hl=en"),
        ("https://m.youtube.com/watch?v=A&t=1#x", "https://m.youtube.com/watch?v=A&t=1&hl=en#x"),
        (
            "https://www.youtube.com/watch?v=A&html=1",
            "https://www.youtube.com/watch?v=A&html=1&hl=en",
        ),
    ],
)
def test_youtube_asks_for_english(url: str, sent: str) -> None:
    got, headers = request_for(url, html.host(url))
    assert got == sent
    assert dict(headers) == {"Cookie": "SOCS=CAI"}


@pytest.mark.parametrize(
    "host",
    ["youtu.be", "consent.youtube.com", "example.com", "notyoutube.com", "www.googleapis.com"],
)
def test_other_hosts_are_sent_as_asked(host: str) -> None:
    url = f"https://{host}/watch?v=A&hl=fr"
    got, headers = request_for(url, host)
    assert (got, dict(headers)) == (url, {})


def test_quirk_headers_are_read_only_and_hosts_exact() -> None:
    quirk = QUIRKS["www.youtube.com"]
    with pytest.raises(TypeError):
        quirk.headers["Cookie"] = "x"  # type: ignore[index]
    assert all(host == host.lower().rstrip(".") for host in QUIRKS)


def test_a_quirk_without_query_keeps_the_url() -> None:
    assert Quirk().url("https://a.example/x?y=1") == "https://a.example/x?y=1"
