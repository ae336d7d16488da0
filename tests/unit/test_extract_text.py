"""URLs in plain text: http(s) only, sentence punctuation trimmed, lines."""

from __future__ import annotations

import pytest

from linkcheck.extract import DocumentKind, extract
from linkcheck.extract.text import trim


def text_urls(body: str | bytes) -> list[tuple[str, int | None]]:
    doc = extract(body, DocumentKind.TEXT, source="notes.txt")
    assert all(link.element == "text" and link.source == "notes.txt" for link in doc.links)
    return [(link.url, link.line) for link in doc.links]


def test_urls_in_prose_with_their_lines() -> None:
    body = (
        "First https://a.example/x, then (see https://b.example/y).\n"
        "Quoted: 'https://c.example/z' and \"https://d.example/w\"!\n"
        "Wiki https://en.wikipedia.org/wiki/Foo_(bar): good. <https://e.example/>\n"
        "No scheme www.example.com, no mail mailto:x@example.com, ftp://f.example/.\n"
    )
    assert text_urls(body) == [
        ("https://a.example/x", 1),
        ("https://b.example/y", 1),
        ("https://c.example/z", 2),
        ("https://d.example/w", 2),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", 3),
        ("https://e.example/", 3),
    ]


@pytest.mark.parametrize(
    ("raw", "trimmed"),
    [
        ("https://x.example/a.", "https://x.example/a"),
        ("https://x.example/a...", "https://x.example/a"),
        ("https://x.example/a?b=1,", "https://x.example/a?b=1"),
        ("https://x.example/a)", "https://x.example/a"),
        ("https://x.example/(a)", "https://x.example/(a)"),
        ("https://x.example/(a))", "https://x.example/(a)"),
        ("https://x.example/a]", "https://x.example/a"),
        ("https://x.example/a'", "https://x.example/a"),
        ("https://x.example/a!?", "https://x.example/a"),
        ("https://x.example/a/", "https://x.example/a/"),
        ("https://x.example/#frag", "https://x.example/#frag"),
    ],
)
def test_trailing_punctuation(raw: str, trimmed: str) -> None:
    assert trim(raw) == trimmed


def test_a_scheme_with_no_host_is_no_url() -> None:
    assert text_urls("https:// and http://. and https://?q") == []


def test_bytes_are_decoded_as_utf8_with_replacement() -> None:
    assert text_urls(b"\xff https://a.example/caf\xc3\xa9 \xfe") == [
        ("https://a.example/caf%C3%A9", 1)
    ]


def test_very_long_runs_are_bounded() -> None:
    body = "https://a.example/" + "x" * 50_000 + " https://b.example/"
    assert [url for url, _ in text_urls(body)] == ["https://b.example/"]
