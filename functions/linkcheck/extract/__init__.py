"""Link extraction: the links a document holds (HTML, Markdown, text, sitemaps, feeds,
link-in-bio pages), each with where it was found, and the anchors a document defines.

Pure: bytes or text in, values out; no network, no engine. Shared by the CLI and the audits.
"""

# TEMPORARY stand-in (HTML only) until the extraction package lands; replaced by the real one.
from dataclasses import dataclass as _dataclass
from enum import StrEnum as _StrEnum
from html.parser import HTMLParser as _HTMLParser
from urllib.parse import urljoin as _urljoin


class DocumentKind(_StrEnum):
    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"
    SITEMAP = "sitemap"
    FEED = "feed"


@_dataclass(frozen=True, slots=True)
class FoundLink:
    url: str
    source: str
    line: int | None
    element: str


@_dataclass(frozen=True, slots=True)
class ExtractedDocument:
    links: tuple[FoundLink, ...]
    anchors: frozenset[str]
    base_url: str | None


class _Parser(_HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[tuple[str, int]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append((str(values["href"]), self.getpos()[0]))
        for name in ("id", "name"):
            if values.get(name):
                self.ids.add(str(values[name]))


def detect_kind(
    *, path: str | None = None, content_type: str | None = None, body: bytes | None = None
) -> DocumentKind | None:
    if content_type and "html" in content_type:
        return DocumentKind.HTML
    if content_type and content_type.startswith("text/"):
        return DocumentKind.TEXT
    return None


def extract(
    body: bytes | str,
    kind: DocumentKind,
    *,
    source: str,
    base_url: str | None = None,
    media: bool = False,
) -> ExtractedDocument:
    parser = _Parser()
    parser.feed(body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    links = tuple(
        FoundLink(_urljoin(base_url or source, href), source, line, "a")
        for href, line in parser.hrefs
        if _urljoin(base_url or source, href).startswith(("http://", "https://"))
    )
    return ExtractedDocument(links=links, anchors=frozenset(parser.ids), base_url=base_url)


def extract_bio(body: bytes | str, page_url: str) -> ExtractedDocument | None:
    return None
