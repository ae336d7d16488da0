"""What kind of document a body is, from its path, its Content-Type or its bytes."""

from __future__ import annotations

import pytest

from linkcheck.extract import DocumentKind, detect_kind

K = DocumentKind


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.html", K.HTML),
        ("docs/page.HTM", K.HTML),
        ("a.xhtml", K.HTML),
        ("README.md", K.MARKDOWN),
        ("notes.markdown", K.MARKDOWN),
        ("page.mdx", K.MARKDOWN),
        ("links.txt", K.TEXT),
        ("sitemap.xml", K.SITEMAP),
        ("sitemap_index.xml", K.SITEMAP),
        ("sitemap-posts.xml.gz", K.SITEMAP),
        ("feed.rss", K.FEED),
        ("blog.atom", K.FEED),
        ("feed.xml", K.FEED),
        ("https://example.com/blog/index.xml?x=1", K.FEED),
        ("https://example.com/docs/guide.md#x", K.MARKDOWN),
        ("image.png", None),
        ("Makefile", None),
    ],
)
def test_by_path(path: str, expected: DocumentKind | None) -> None:
    assert detect_kind(path=path) is expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html; charset=utf-8", K.HTML),
        ("application/xhtml+xml", K.HTML),
        ("text/markdown", K.MARKDOWN),
        ("text/plain", K.TEXT),
        ("application/rss+xml", K.FEED),
        ("application/atom+xml; charset=utf-8", K.FEED),
        ("image/png", None),
        ("application/pdf", None),
        ("image/svg+xml", None),
    ],
)
def test_by_content_type(content_type: str, expected: DocumentKind | None) -> None:
    assert detect_kind(content_type=content_type) is expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'<?xml version="1.0"?>\n<urlset xmlns="x"><url/></urlset>', K.SITEMAP),
        (b"\xef\xbb\xbf<?xml version='1.0'?><!-- c --><sitemapindex/>", K.SITEMAP),
        (b"<?xml version='1.0'?><rss version='2.0'/>", K.FEED),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", K.FEED),
        (b"<rdf:RDF xmlns:rdf='x'/>", K.FEED),
        (b"<!DOCTYPE html><html></html>", K.HTML),
        (b"  <html><body>", K.HTML),
    ],
)
def test_generic_xml_is_sniffed_by_its_root_element(body: bytes, expected: DocumentKind) -> None:
    assert detect_kind(content_type="application/xml", body=body) is expected
    assert detect_kind(content_type="text/xml", body=body) is expected
    assert detect_kind(body=body) is expected


def test_path_suffix_beats_text_plain() -> None:
    # Raw file hosts serve Markdown as text/plain.
    assert detect_kind(path="README.md", content_type="text/plain") is K.MARKDOWN
    assert detect_kind(path="README.md", content_type="text/html") is K.HTML


def test_xml_suffix_with_a_body_is_settled_by_the_root() -> None:
    assert detect_kind(path="feed.xml", body=b"<urlset/>") is K.SITEMAP
    assert detect_kind(path="sitemap.xml", body=b"<rss/>") is K.FEED


def test_bodies_without_other_clues() -> None:
    assert detect_kind(body=b"just some text https://x.example/") is K.TEXT
    assert detect_kind(body=b"\x89PNG\r\n\x1a\n\x00\x00") is None
    assert detect_kind(body=b"", content_type="application/octet-stream") is K.TEXT
    assert detect_kind() is None
