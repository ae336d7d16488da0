"""Extraction never raises, and what it returns is well formed, whatever the input."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linkcheck.extract import (
    DocumentKind,
    ExtractedDocument,
    detect_kind,
    extract,
    extract_bio,
    html_anchors,
    markdown_anchors,
)

SOURCE = "/tmp/site/docs/page"
PAGE = "https://example.com/dir/page"

# Fragments that make documents interesting: markup, link syntax, URLs, odd characters.
PIECES = st.sampled_from(
    [
        "<a href='",
        '<a href="',
        "'>",
        '">',
        "</a>",
        "<img src=",
        'srcset="a 1x, b 2x"',
        "<base href='",
        "<!--",
        "-->",
        "<script>",
        "</script>",
        "<",
        ">",
        "&amp;",
        "&#0;",
        "[",
        "](",
        ")",
        "![",
        "]:",
        "<https://",
        "```",
        "`",
        "    ",
        "#",
        "\n",
        "\r\n",
        "\r",
        "https://",
        "http://x.example/",
        "www.",
        "mailto:",
        "javascript:",
        "file:",
        "//",
        "../",
        "?",
        "#frag",
        " ",
        "\t",
        "\x00",
        "\ufeff",
        "\u2028",
        "é",
        "漢",
        "(",
        "]",
        "*",
        "_",
        "<urlset><url><loc>",
        "</loc></url></urlset>",
        "<rss><channel><item><link>",
        "<feed><entry><link href='",
        "id='",
        "name='",
        "<div>",
        "</div>",
        "<h1>",
        "# ",
    ]
)
DOCUMENTS = st.one_of(
    st.text(max_size=300), st.lists(PIECES | st.text(max_size=5), max_size=60).map("".join)
)
BYTES = st.one_of(
    st.binary(max_size=300), DOCUMENTS.map(lambda t: t.encode("utf-8", "surrogatepass"))
)


def line_count(body: str | bytes) -> int:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.count("\n") + 1


def assert_well_formed(doc: ExtractedDocument, body: str | bytes, *, local: bool) -> None:
    lines = (
        line_count(body)
        if not isinstance(body, bytes) or not body.startswith((b"\xff\xfe", b"\xfe\xff"))
        else None
    )
    for link in doc.links:
        parts = urlsplit(link.url)
        if parts.scheme == "file":
            assert local, link
        else:
            assert parts.scheme in ("http", "https") and parts.hostname, link
        assert link.line is None or link.line >= 1
        if lines is not None and link.line is not None:
            assert link.line <= lines, (link, lines)
        assert not any(c in link.url for c in " \t\n\r")


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(DOCUMENTS, st.sampled_from(list(DocumentKind)), st.booleans(), st.booleans())
@example("<a href='x'>\r\r<a href='y'>", DocumentKind.HTML, False, True)
@example("[a](b)\n\n```\n", DocumentKind.MARKDOWN, True, False)
def test_text_documents(body: str, kind: DocumentKind, media: bool, local: bool) -> None:
    doc = extract(
        body, kind, source=SOURCE if local else PAGE, base_url=None if local else PAGE, media=media
    )
    assert_well_formed(doc, body, local=local)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(BYTES, st.sampled_from(list(DocumentKind)), st.booleans())
def test_byte_documents(body: bytes, kind: DocumentKind, media: bool) -> None:
    doc = extract(body, kind, source=PAGE, base_url=PAGE, media=media)
    assert_well_formed(doc, body, local=False)


@settings(max_examples=100, deadline=None)
@given(
    BYTES,
    st.sampled_from(
        [
            "https://linktr.ee/x",
            "https://beacons.ai/x",
            "https://www.tiktok.com/@x",
            "https://www.youtube.com/@x",
            "https://blog.example/",
        ]
    ),
)
def test_bio_pages(body: bytes, url: str) -> None:
    doc = extract_bio(body, url)
    if doc is not None:
        assert all(urlsplit(link.url).scheme in ("http", "https") for link in doc.links)


@settings(max_examples=100, deadline=None)
@given(DOCUMENTS, BYTES, st.text(max_size=30), st.text(max_size=30))
def test_anchors_and_kinds(text: str, body: bytes, path: str, content_type: str) -> None:
    assert isinstance(markdown_anchors(text), frozenset)
    assert isinstance(html_anchors(body), frozenset)
    assert isinstance(html_anchors(text), frozenset)
    kind = detect_kind(path=path, content_type=content_type, body=body)
    assert kind is None or isinstance(kind, DocumentKind)
