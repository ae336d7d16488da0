"""The links of a fetched document, from its URL, Content-Type and body (pure).

Shared by the audit (``crawl.document_links``) and the parsing process (``parse_worker``),
which imports this and ``linkcheck.extract`` only, not the engine.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..extract import ExtractedDocument, detect_kind, extract, extract_bio, is_bio_page


def read_document(
    url: str, content_type: str | None, body: bytes, *, media: bool
) -> ExtractedDocument | None:
    """The links of a document (bio page, HTML, sitemap, feed, Markdown, text), None when
    the body is no document (an image, a PDF...)."""
    if is_bio_page(url):
        bio = extract_bio(body, url)
        if bio is not None:
            return bio
    kind = detect_kind(path=urlsplit(url).path, content_type=content_type, body=body)
    if kind is None:
        return None
    return extract(body, kind, source=url, base_url=url, media=media)
