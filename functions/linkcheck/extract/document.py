"""One entry point for every kind of document."""

from __future__ import annotations

from .feeds import extract_xml
from .html import extract_html
from .markdown import extract_markdown
from .model import EMPTY_ANCHORS, DocumentKind, ExtractedDocument
from .text import extract_text


def extract(
    body: bytes | str,
    kind: DocumentKind,
    *,
    source: str,
    base_url: str | None = None,
    media: bool = False,
) -> ExtractedDocument:
    """The links (and anchors) of a document of ``kind``.

    ``source`` is where the body came from (a file path or a page URL): it is recorded in each
    link and, without ``base_url``, relative links of a local file resolve against its path
    (as file:// URLs). ``base_url`` is the page's URL (after redirects); ``<base href>``
    overrides it for HTML. ``media`` adds images, scripts, stylesheets, frames, audio and
    video. Never raises: unreadable input gives fewer links, not an error.
    """
    try:
        if kind is DocumentKind.HTML:
            return extract_html(body, source=source, base_url=base_url, media=media)
        if kind is DocumentKind.MARKDOWN:
            return extract_markdown(body, source=source, base_url=base_url, media=media)
        if kind in (DocumentKind.SITEMAP, DocumentKind.FEED):
            return extract_xml(body, kind, source=source, base_url=base_url, media=media)
        return extract_text(body, source=source, base_url=base_url)
    except Exception:  # the promise is "never raises"; a parser surprise costs the document
        return ExtractedDocument(links=(), anchors=EMPTY_ANCHORS, base_url=base_url)
