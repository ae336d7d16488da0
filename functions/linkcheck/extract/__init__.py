"""Link extraction: the links a document holds (HTML, Markdown, text, sitemaps, feeds,
link-in-bio pages), each with where it was found, and the anchors a document defines.

Pure: bytes or text in, values out; no network, no engine. Shared by the CLI and the audits.
The parsers (lxml, markdown-it-py) are imported when a document is parsed, not when this
package is: importing it costs nothing on the API's cold start.

    kind = detect_kind(path="docs/index.md")                 # DocumentKind.MARKDOWN
    doc = extract(body, kind, source="docs/index.md")         # links, anchors, base_url
    doc = extract(page.body, DocumentKind.HTML, source=page.url, base_url=page.url)
    bio = extract_bio(page.body, page.url)                    # None: not a bio page it knows
"""

from __future__ import annotations

from .bio import extract_bio, is_bio_page
from .document import extract
from .html import html_anchors
from .kind import detect_kind
from .markdown import markdown_anchors
from .model import MAX_LINKS, DocumentKind, ExtractedDocument, FoundLink

__all__ = [
    "MAX_LINKS",
    "DocumentKind",
    "ExtractedDocument",
    "FoundLink",
    "detect_kind",
    "extract",
    "extract_bio",
    "html_anchors",
    "is_bio_page",
    "markdown_anchors",
]
