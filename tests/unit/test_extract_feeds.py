"""Links of sitemaps, sitemap indexes, RSS and Atom feeds."""

from __future__ import annotations

import pytest

from linkcheck.extract import DocumentKind, ExtractedDocument, extract

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc>https://example.com/</loc>
    <lastmod>2026-01-01</lastmod>
    <xhtml:link rel="alternate" hreflang="de" href="https://example.com/de/"/>
    <image:image><image:loc>https://example.com/hero.jpg</image:loc></image:image>
  </url>
  <url><loc>
    https://example.com/about?a=1&amp;b=2
  </loc></url>
</urlset>
"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.com/sitemap-posts.xml</loc></sitemap>
  <sitemap><loc>/sitemap-pages.xml.gz</loc></sitemap>
</sitemapindex>
"""

RSS = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Blog</title>
  <link>https://blog.example.com/</link>
  <item>
    <title>Caf\xe9</title>
    <link>https://blog.example.com/posts/1</link>
    <description><![CDATA[<p>See <a href="https://ref.example.org/">this</a>
    and <a href="/local">that</a>.</p>]]></description>
    <enclosure url="https://blog.example.com/ep1.mp3" length="1" type="audio/mpeg"/>
  </item>
  <item>
    <link>https://blog.example.com/posts/2</link>
    <content:encoded>&lt;a href="https://escaped.example/"&gt;x&lt;/a&gt;</content:encoded>
  </item>
</channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example</title>
  <link href="https://example.org/"/>
  <link rel="self" href="https://example.org/feed.atom"/>
  <entry>
    <title>One</title>
    <link rel="alternate" href="/2026/one"/>
    <link rel="enclosure" href="https://example.org/one.mp4"/>
    <content type="html">&lt;p&gt;&lt;a href="https://html.example/"&gt;x&lt;/a&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <link href="https://example.org/2026/two"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><a href="https://xhtml.example/">y</a></div></content>
  </entry>
</feed>
"""


def read(body: bytes, kind: DocumentKind, *, media: bool = False) -> ExtractedDocument:
    return extract(
        body,
        kind,
        source="https://example.com/feed",
        base_url="https://example.com/feed",
        media=media,
    )


def found(doc: ExtractedDocument) -> list[tuple[str, int | None, str]]:
    return [(link.url, link.line, link.element) for link in doc.links]


def test_sitemap_pages_are_a_links_with_lines() -> None:
    assert found(read(SITEMAP, DocumentKind.SITEMAP)) == [
        ("https://example.com/", 6, "a"),
        ("https://example.com/de/", 8, "a"),
        ("https://example.com/about?a=1&b=2", 11, "a"),
    ]
    images = [
        url for url, _l, e in found(read(SITEMAP, DocumentKind.SITEMAP, media=True)) if e == "img"
    ]
    assert images == ["https://example.com/hero.jpg"]


def test_sitemap_index_entries_are_sitemaps_to_read_next() -> None:
    assert found(read(INDEX, DocumentKind.SITEMAP)) == [
        ("https://example.com/sitemap-posts.xml", 3, "sitemap"),
        ("https://example.com/sitemap-pages.xml.gz", 4, "sitemap"),
    ]


def test_the_root_element_decides_whatever_the_kind_says() -> None:
    assert [e for _u, _l, e in found(read(INDEX, DocumentKind.FEED))] == ["sitemap", "sitemap"]
    assert found(read(RSS, DocumentKind.SITEMAP))[0][2] == "feed"


def test_rss_channel_and_item_links_and_the_links_of_their_html() -> None:
    assert found(read(RSS, DocumentKind.FEED)) == [
        ("https://blog.example.com/", 5, "feed"),
        ("https://blog.example.com/posts/1", 8, "feed"),
        ("https://ref.example.org/", 9, "a"),
        ("https://example.com/local", 10, "a"),
        ("https://blog.example.com/posts/2", 14, "feed"),
        ("https://escaped.example/", 15, "a"),
    ]
    media = [url for url, _l, _e in found(read(RSS, DocumentKind.FEED, media=True))]
    assert "https://blog.example.com/ep1.mp3" in media


def test_atom_links_relative_to_the_feed_and_content_html() -> None:
    assert [(u, e) for u, _l, e in found(read(ATOM, DocumentKind.FEED))] == [
        ("https://example.org/", "feed"),
        ("https://example.com/2026/one", "feed"),
        ("https://html.example/", "a"),
        ("https://example.org/2026/two", "feed"),
        ("https://xhtml.example/", "a"),
    ]
    media = [u for u, _l, _e in found(read(ATOM, DocumentKind.FEED, media=True))]
    assert "https://example.org/one.mp4" in media


def test_rss_1_0_rdf() -> None:
    body = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel><link>https://rdf.example/</link></channel>
<item><link>https://rdf.example/1</link></item></rdf:RDF>"""
    assert [u for u, _l, _e in found(read(body, DocumentKind.FEED))] == [
        "https://rdf.example/",
        "https://rdf.example/1",
    ]


def test_entities_are_not_expanded() -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY a "https://entity.example/">]>
<urlset><url><loc>&a;</loc></url><url><loc>&e;</loc></url><url><loc>https://ok.example/</loc></url></urlset>"""
    assert [u for u, _l, _e in found(read(body, DocumentKind.SITEMAP))] == ["https://ok.example/"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b"<urlset><url><loc>https://a.example/</loc>",
        b"<<<",
        b"\x00\xff" * 100,
    ],
)
def test_broken_xml_never_raises(body: bytes) -> None:
    for kind in (DocumentKind.SITEMAP, DocumentKind.FEED):
        doc = read(body, kind)
        assert all(link.url.startswith("https://") for link in doc.links)


def test_a_truncated_sitemap_still_gives_its_first_links() -> None:
    assert [u for u, _l, _e in found(read(SITEMAP[:-40], DocumentKind.SITEMAP))][:2] == [
        "https://example.com/",
        "https://example.com/de/",
    ]
