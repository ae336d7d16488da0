"""What kind of document a body is: from the Content-Type, the file name, or the bytes.

The order: a Content-Type that names a kind (HTML, Markdown, RSS, Atom) wins; a generic XML
type is settled by the root element; then the path's suffix (so a ``.md`` file served as
``text/plain`` is read as Markdown); then ``text/plain``; then the body itself. A type that
names something else (an image, a PDF, JSON...) is no document: None.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .model import DocumentKind

_TYPES = {
    "text/html": DocumentKind.HTML,
    "application/xhtml+xml": DocumentKind.HTML,
    "text/markdown": DocumentKind.MARKDOWN,
    "text/x-markdown": DocumentKind.MARKDOWN,
    "application/rss+xml": DocumentKind.FEED,
    "application/atom+xml": DocumentKind.FEED,
    "application/rdf+xml": DocumentKind.FEED,
}
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_SUFFIXES = {
    ".html": DocumentKind.HTML,
    ".htm": DocumentKind.HTML,
    ".xhtml": DocumentKind.HTML,
    ".shtml": DocumentKind.HTML,
    ".md": DocumentKind.MARKDOWN,
    ".markdown": DocumentKind.MARKDOWN,
    ".mdx": DocumentKind.MARKDOWN,
    ".mkd": DocumentKind.MARKDOWN,
    ".txt": DocumentKind.TEXT,
    ".rss": DocumentKind.FEED,
    ".atom": DocumentKind.FEED,
}
_ROOTS = {
    "urlset": DocumentKind.SITEMAP,
    "sitemapindex": DocumentKind.SITEMAP,
    "rss": DocumentKind.FEED,
    "rdf": DocumentKind.FEED,
    "feed": DocumentKind.FEED,
    "html": DocumentKind.HTML,
}
_SNIFF = 4096
# Prolog items before the root element: declaration, processing instructions, comments,
# doctype (bounded, so a body of "<!--" costs one short scan).
_PROLOG = re.compile(r"\s*(?:<\?[^>]{0,1024}\?>|<!--.{0,4096}?-->|<![^>]{0,4096}>)", re.S)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]{0,100})")
_HTML_HINT = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)


def root_name(text: str) -> str | None:
    """The local name of the first element, lower case (None when the text starts otherwise)."""
    position = 0
    while (prolog := _PROLOG.match(text, position)) is not None:
        position = prolog.end()
    found = _ROOT.match(text, position)
    return found.group(1).rsplit(":", 1)[-1].lower() if found else None


def _head(body: bytes) -> str:
    head = body[:_SNIFF]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(codec, "replace")
    return head.decode("utf-8", "replace").lstrip("\ufeff")


def sniff(body: bytes) -> DocumentKind | None:
    """The kind the bytes look like: markup by its root element, text when nothing says
    otherwise, None for binary data."""
    head = _head(body)
    if "\x00" in head:
        return None
    name = root_name(head)
    if name in _ROOTS:
        return _ROOTS[name]
    if _HTML_HINT.search(head):
        return DocumentKind.HTML
    return DocumentKind.TEXT


def _from_path(path: str, body: bytes | None) -> DocumentKind | None:
    if "://" in path:
        try:
            path = urlsplit(path).path
        except ValueError:
            return None
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith(".gz"):
        name = name[:-3]
    dot = name.rfind(".")
    suffix = name[dot:] if dot >= 0 else ""
    if suffix == ".xml":
        if body is not None:
            found = sniff(body)
            if found in (DocumentKind.SITEMAP, DocumentKind.FEED):
                return found
        return DocumentKind.SITEMAP if name.startswith("sitemap") else DocumentKind.FEED
    return _SUFFIXES.get(suffix)


def detect_kind(
    *, path: str | None = None, content_type: str | None = None, body: bytes | None = None
) -> DocumentKind | None:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in _TYPES:
        return _TYPES[media_type]
    if media_type in _XML_TYPES:
        if body is not None and (found := sniff(body)) not in (None, DocumentKind.TEXT):
            return found
        return _from_path(path, None) if path else None
    if path and (by_path := _from_path(path, body)) is not None:
        return by_path
    if media_type == "text/plain":
        return DocumentKind.TEXT
    if media_type and media_type not in ("application/octet-stream", "binary/octet-stream"):
        return None
    return sniff(body) if body is not None else None
