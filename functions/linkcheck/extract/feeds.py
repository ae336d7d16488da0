"""Links of sitemaps (``urlset``, ``sitemapindex``), RSS (0.9x, 1.0, 2.0) and Atom feeds.

Elements are matched by local name, so any namespace (or none) is read. What comes out:

- a ``urlset``: each ``url/loc`` as element ``a`` (a page), each ``xhtml:link`` alternate as
  ``a``; with ``media``, image and video locations (``image:loc``, ``video:content_loc``...)
  as ``img``/``video``;
- a ``sitemapindex``: each ``sitemap/loc`` as element ``sitemap``: a sitemap to read next,
  not a page;
- RSS: the channel's and each item's ``link`` as ``feed``, and the links of the HTML in
  ``description``/``content:encoded`` with their HTML element; with ``media``, enclosures;
- Atom: ``link href`` of the feed and its entries (alternate, related, via) as ``feed``, and
  the links of ``content``/``summary`` HTML; with ``media``, ``rel="enclosure"`` links.

Entities are not expanded, no DTD or network is loaded (libxml2 with those options off).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import html as html_links
from .charset import decode_xml
from .model import EMPTY_ANCHORS, MAX_LINKS, DocumentKind, ExtractedDocument, FoundLink
from .resolve import Resolver

if TYPE_CHECKING:
    from lxml.etree import _Element

_LINE_CEILING = 65535
_SITEMAP_PAGES = frozenset({"url"})
_SITEMAP_MEDIA = {
    "loc": "img",
    "content_loc": "video",
    "player_loc": "video",
    "thumbnail_loc": "img",
}
_ATOM_RELS = frozenset({"", "alternate", "related", "via"})
_HTML_FIELDS = frozenset({"description", "encoded", "content", "summary"})
# Fallbacks for XML libxml2 could not read at all: plain <loc> and <link> texts.
_LOC = re.compile(r"<(?:[\w.-]{1,40}:)?loc\s*>\s*([^<\s]{1,16384})\s*<")
_LINK_TEXT = re.compile(r"<link\s*>\s*([^<\s]{1,16384})\s*<")


def local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _parse(text: str) -> _Element | None:
    import lxml.etree

    parser = lxml.etree.XMLParser(
        recover=True,
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return lxml.etree.fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.LxmlError, ValueError):
        return None


def _line(element: Any) -> int | None:
    line = element.sourceline
    return None if line is None or line >= _LINE_CEILING else int(line)


class _Links:
    def __init__(self, resolver: Resolver, source: str, media: bool) -> None:
        self.resolver, self.source, self.media = resolver, source, media
        self.found: list[FoundLink] = []

    @property
    def full(self) -> bool:
        return len(self.found) >= MAX_LINKS

    def add(self, raw: str | None, line: int | None, element: str) -> None:
        url = self.resolver.resolve(raw.strip() if raw else None)
        if url is not None and not self.full:
            self.found.append(FoundLink(url=url, source=self.source, line=line, element=element))

    def html(self, markup: str, line: int | None) -> None:
        found = html_links.elements(markup, first_line=line or 1)
        if line is None:
            found = [(tag, attributes, None) for tag, attributes, _ in found]
        room = MAX_LINKS - len(self.found)
        if room > 0:
            self.found += html_links.links_of(
                found, self.resolver, source=self.source, media=self.media, limit=room
            )


def _sitemap(root: Any, links: _Links) -> None:
    for element in root.iter():
        if links.full:
            return
        name = local_name(element.tag)
        parent = local_name(element.getparent().tag) if element.getparent() is not None else ""
        if name == "loc" and parent == "sitemap":
            links.add(element.text, _line(element), "sitemap")
        elif name == "loc" and parent in _SITEMAP_PAGES:
            links.add(element.text, _line(element), "a")
        elif name == "link" and element.get("href") and parent in _SITEMAP_PAGES:
            links.add(element.get("href"), _line(element), "a")
        elif links.media and name in _SITEMAP_MEDIA and parent in ("image", "video"):
            links.add(element.text, _line(element), _SITEMAP_MEDIA[name])


def _content_markup(element: Any) -> str:
    import lxml.etree

    if len(element):  # Atom type="xhtml": the markup is child elements
        return "".join(
            lxml.etree.tostring(child, encoding="unicode", with_tail=True) for child in element
        )
    return str(element.text or "")


def _feed(root: Any, links: _Links) -> None:
    for element in root.iter():
        if links.full:
            return
        name = local_name(element.tag)
        if name == "link":
            href = element.get("href")
            if href is None:  # RSS: the URL is the text
                links.add(element.text, _line(element), "feed")
            else:  # Atom
                rel = (element.get("rel") or "").strip().lower()
                if rel in _ATOM_RELS or (rel == "enclosure" and links.media):
                    links.add(href, _line(element), "feed")
        elif name == "enclosure" and links.media:
            links.add(element.get("url"), _line(element), "feed")
        elif name in _HTML_FIELDS:
            kind = (element.get("type") or "html").lower()
            if kind in ("html", "xhtml", "text/html", "application/xhtml+xml") or name in (
                "description",
                "encoded",
            ):
                markup = _content_markup(element)
                if "<" in markup:
                    links.html(markup, _line(element))


def _fallback(text: str, links: _Links, kind: DocumentKind) -> None:
    pattern = _LOC if kind is DocumentKind.SITEMAP else _LINK_TEXT
    for match in pattern.finditer(text):
        links.add(match.group(1), None, "a" if kind is DocumentKind.SITEMAP else "feed")
        if links.full:
            return


def extract_xml(
    body: bytes | str, kind: DocumentKind, *, source: str, base_url: str | None, media: bool
) -> ExtractedDocument:
    """Links of a sitemap or feed. Which one is decided by the root element, whatever
    ``kind`` says (a sitemap index named like a feed is still read as a sitemap)."""
    text = decode_xml(body)
    resolver = Resolver(source, base_url)
    links = _Links(resolver, source, media)
    root = _parse(text)
    if root is None:
        _fallback(text, links, kind)
    elif local_name(root.tag) in ("urlset", "sitemapindex"):
        _sitemap(root, links)
    elif local_name(root.tag) in ("rss", "rdf", "feed", "channel"):
        _feed(root, links)
    elif kind is DocumentKind.SITEMAP:
        _sitemap(root, links)
    else:
        _feed(root, links)
    return ExtractedDocument(
        links=tuple(links.found), anchors=EMPTY_ANCHORS, base_url=resolver.base
    )
