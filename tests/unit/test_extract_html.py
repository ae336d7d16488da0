"""Links of HTML documents: which elements, resolution, line numbers, charsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.extract import DocumentKind, ExtractedDocument, extract

PAGE = "https://example.com/docs/page.html"


def html(
    body: bytes | str, *, media: bool = False, base_url: str | None = PAGE
) -> ExtractedDocument:
    return extract(
        body, DocumentKind.HTML, source=base_url or "page.html", base_url=base_url, media=media
    )


def urls(doc: ExtractedDocument) -> list[str]:
    return [link.url for link in doc.links]


def test_anchors_and_areas_are_always_links_with_their_lines() -> None:
    doc = html(
        "<html><body>\n<a href='a.html'>a</a>\n<map><area href='/b' alt=b></map>\n"
        "<a href='https://other.example/c?x=1&amp;y=2'>c</a></body></html>"
    )
    assert [(link.url, link.line, link.element) for link in doc.links] == [
        ("https://example.com/docs/a.html", 2, "a"),
        ("https://example.com/b", 3, "area"),
        ("https://other.example/c?x=1&y=2", 4, "a"),
    ]
    assert all(link.source == PAGE for link in doc.links)
    assert doc.base_url == PAGE


def test_media_only_with_the_flag_including_every_srcset_candidate() -> None:
    body = """<html><head>
<link rel="stylesheet" href="/site.css"><link rel="preconnect" href="https://fonts.example">
<script src="app.js"></script></head><body>
<img src="a.png" srcset="a-1x.png 1x, a-2x.png 2x,a-3x.png 3x">
<picture><source srcset="/p.webp 100w, /p,comma.webp 200w" type="image/webp"></picture>
<iframe src="https://player.example/embed/1"></iframe>
<video src="v.mp4" poster="poster.jpg"><source src="v.webm"></video><audio src="s.ogg"></audio>
<img srcset="data:image/png;base64,AAAA 1x, b.png 2x">
</body></html>"""
    assert urls(html(body)) == []
    found = [
        (link.element, link.url.rsplit("/", 1)[-1], link.line)
        for link in html(body, media=True).links
    ]
    assert found == [
        ("link", "site.css", 2),
        ("script", "app.js", 3),
        ("img", "a.png", 4),
        ("img", "a-1x.png", 4),
        ("img", "a-2x.png", 4),
        ("img", "a-3x.png", 4),
        ("source", "p.webp", 5),
        ("source", "p,comma.webp", 5),
        ("iframe", "1", 6),
        ("video", "v.mp4", 7),
        ("video", "poster.jpg", 7),
        ("source", "v.webm", 7),
        ("audio", "s.ogg", 7),
        ("img", "b.png", 8),
    ]


def test_base_href_changes_what_relative_links_resolve_against() -> None:
    doc = html("<head><base href='/v2/'></head><a href='guide.html'>g</a><a href='#top'>t</a>")
    assert urls(doc) == ["https://example.com/v2/guide.html", "https://example.com/v2/#top"]
    assert doc.base_url == "https://example.com/v2/"


@pytest.mark.parametrize(
    "href",
    [
        "mailto:someone@example.com",
        "tel:+15555555",
        "javascript:void(0)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "ftp://example.com/file",
        "",
        "   ",
        "file:///etc/passwd",
        "http://",
        "https://[::1",
    ],
)
def test_skipped_references(href: str) -> None:
    assert urls(html(f"<a href='{href}'>x</a>")) == []


def test_a_fragment_link_resolves_to_the_page_itself_plus_the_fragment() -> None:
    assert urls(html("<a href='#install'>x</a>")) == [PAGE + "#install"]
    assert urls(html("<a href='?q=1#a'>x</a>")) == ["https://example.com/docs/page.html?q=1#a"]


def test_whitespace_in_references_is_removed_and_spaces_are_escaped() -> None:
    doc = html("<a href='  /a b\n/c\t.html  '>x</a><a href='/caf\u00e9'>y</a>")
    assert urls(doc) == ["https://example.com/a%20b/c.html", "https://example.com/caf%C3%A9"]


def test_local_file_relative_links_become_file_urls(tmp_path: Path) -> None:
    page = tmp_path / "site" / "index.html"
    body = "<a href='guide/intro.html#setup'>a</a><a href='#top'>b</a><a href='https://x.example/'>c</a>"
    doc = extract(body, DocumentKind.HTML, source=str(page))
    assert urls(doc) == [
        (tmp_path / "site" / "guide" / "intro.html").as_uri() + "#setup",
        page.as_uri() + "#top",
        "https://x.example/",
    ]
    assert all(link.source == str(page) for link in doc.links)


def test_a_page_url_as_source_is_the_base_when_none_is_given() -> None:
    doc = extract("<a href='b'>b</a>", DocumentKind.HTML, source="https://example.com/a/")
    assert urls(doc) == ["https://example.com/a/b"]


def test_meta_charset_decodes_the_document() -> None:
    body = "<meta charset='iso-8859-1'><a href='/caf\u00e9' id='r\u00e9sum\u00e9'>x</a>".encode(
        "latin-1"
    )
    doc = html(body)
    assert urls(doc) == ["https://example.com/caf%C3%A9"]
    assert doc.anchors == {"r\u00e9sum\u00e9"}


def test_a_utf16_document_with_its_bom() -> None:
    body = "<a href='/x'>x</a>".encode("utf-16")
    assert urls(html(body)) == ["https://example.com/x"]


def test_undecodable_bytes_are_replaced_not_fatal() -> None:
    assert urls(html(b"<a href='/ok'>\xff\xfe\xfa</a>")) == ["https://example.com/ok"]


def test_links_in_comments_are_not_links() -> None:
    assert urls(html("<!-- <a href='/hidden'>h</a> --><a href='/shown'>s</a>")) == [
        "https://example.com/shown"
    ]


def test_nesting_deeper_than_the_parser_allows_still_gives_every_link() -> None:
    body = "<a href='/before'>b</a>\n" + "<div>" * 5000 + "<a href='/deep'>d</a>" + "</div>" * 5000
    body += "\n<a href='/after'>a</a>"
    assert [(link.url, link.line) for link in html(body).links] == [
        ("https://example.com/before", 1),
        ("https://example.com/deep", 2),
        ("https://example.com/after", 3),
    ]


def test_carriage_returns_count_as_line_breaks() -> None:
    doc = html("<p>\r\n<a href='/a'>a</a>\r<a href='/b'>b</a>")
    assert [link.line for link in doc.links] == [2, 3]


def test_lines_past_libxml2_s_counter_are_unknown_not_wrong() -> None:
    body = "<p>x</p>\n" * 70_000 + "<a href='/late'>x</a>"
    (link,) = html(body).links
    assert link.url == "https://example.com/late"
    assert link.line is None


def test_huge_attributes_are_skipped() -> None:
    doc = html("<a href='/" + "x" * 100_000 + "'>x</a><a href='/ok'>ok</a>")
    assert urls(doc) == ["https://example.com/ok"]


def test_empty_and_garbage_documents() -> None:
    for body in (
        b"",
        b"   ",
        b"\x00\x01\x02",
        b"<",
        b"<<<>>>",
        b"<a href",
        "\ud800".encode("utf-8", "surrogatepass"),
    ):
        assert html(body).links == ()
