"""The values extraction returns, and the limits it keeps to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# At most this many links come out of one document: a bigger one is cut (its first links
# kept), so a hostile or generated page costs bounded memory and checks.
MAX_LINKS = 100_000
# A raw reference longer than this is not a link anyone can follow (the engine refuses URLs
# past 8 KiB too); it is skipped before any parsing work is spent on it.
MAX_REFERENCE_CHARS = 16 * 1024


class DocumentKind(StrEnum):
    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"
    SITEMAP = "sitemap"
    FEED = "feed"


@dataclass(frozen=True, slots=True)
class FoundLink:
    """One link of a document.

    ``url`` is absolute (fragment kept): http(s), or file:// for a relative link of a local
    file read without a base URL. ``source`` is the file path or page URL it was found in,
    ``line`` its 1-based line there when known, ``element`` what held it: an HTML tag name
    (``a``, ``area``, ``img``, ``script``, ``link``, ``iframe``, ``source``, ``video``,
    ``audio``), ``markdown``, ``text``, ``sitemap`` (a sitemap to read next), ``feed`` or
    ``bio``.
    """

    url: str
    source: str
    line: int | None
    element: str


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    links: tuple[FoundLink, ...]  # document order, duplicates kept (callers dedupe)
    anchors: frozenset[str]  # ids/names (HTML), heading slugs + explicit ids (Markdown)
    base_url: str | None  # what relative links were resolved against (after <base href>)


EMPTY_ANCHORS: frozenset[str] = frozenset()
