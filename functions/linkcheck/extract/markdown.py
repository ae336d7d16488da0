"""Links and anchors of Markdown documents, with markdown-it-py (CommonMark, plus GitHub's
tables and strikethrough) for the parsing.

Found: inline links, reference-style links (at the line of use), autolinks, bare URLs and
``www.`` names in text (as GitHub renders them), images (with ``media``), and the links of
raw HTML. Code (fenced, indented, inline) holds none. Line numbers come from the parser's
block map plus the line breaks before the link inside its block.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from . import html as html_links
from . import tags
from .charset import decode_text
from .model import MAX_LINKS, ExtractedDocument, FoundLink
from .resolve import Resolver
from .text import extract_text, find_urls

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_BREAKS = frozenset({"softbreak", "hardbreak"})


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation and symbols removed except
    ``-`` and ``_``, each space a ``-``."""
    kept = (c for c in heading.lower() if c in "-_ " or unicodedata.category(c)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


class _Slugger:
    """Unique slugs the way GitHub makes them: a repeated heading gets ``-1``, ``-2``..."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def add(self, heading: str) -> str:
        result = original = slug(heading)
        while result in self.seen:
            self.seen[original] += 1
            result = f"{original}-{self.seen[original]}"
        self.seen[result] = 0
        return result


def _heading_text(children: Sequence[Token]) -> str:
    return "".join(
        " " if c.type in _BREAKS else c.content
        for c in children
        if c.type in ("text", "code_inline") or c.type in _BREAKS
    )


class _Collector:
    def __init__(self, resolver: Resolver, source: str, media: bool) -> None:
        self.resolver, self.source, self.media = resolver, source, media
        self.links: list[FoundLink] = []

    @property
    def full(self) -> bool:
        return len(self.links) >= MAX_LINKS

    def add(self, raw: str | None, line: int | None, element: str) -> None:
        url = self.resolver.resolve(raw)
        if url is not None and not self.full:
            self.links.append(FoundLink(url=url, source=self.source, line=line, element=element))

    def html(self, found: Iterable[tags.Element]) -> None:
        room = MAX_LINKS - len(self.links)
        if room > 0:
            self.links += html_links.links_of(
                found, self.resolver, source=self.source, media=self.media, limit=room
            )

    def inline(self, children: Sequence[Token], line: int) -> None:
        depth = 0
        for child in children:
            kind = child.type
            if kind in _BREAKS:
                line += 1
            elif kind == "link_open":
                depth += 1
                self.add(str(child.attrGet("href") or ""), line, "markdown")
            elif kind == "link_close":
                depth = max(0, depth - 1)
            elif kind == "image":
                if self.media:
                    self.add(str(child.attrGet("src") or ""), line, "img")
            elif kind == "text":
                if depth == 0:
                    for _offset, url in find_urls(child.content, www=True):
                        self.add(url, line, "markdown")
                line += child.content.count("\n")
            elif kind == "html_inline":
                self.html(tags.scan(child.content, first_line=line))
                line += child.content.count("\n")


def _walk(text: str, collector: _Collector | None, anchors: set[str]) -> None:
    tokens = _parser().parse(text)
    slugger = _Slugger()
    in_heading = False
    for token in tokens:
        if collector is not None and collector.full:
            collector = None
        line = token.map[0] + 1 if token.map else None
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline":
            children = token.children or []
            if in_heading and (heading := slugger.add(_heading_text(children))):
                anchors.add(heading)
            for child in children:
                if child.type == "html_inline":
                    anchors |= html_links.anchors_of(tags.scan(child.content))
            if collector is not None and line is not None:
                collector.inline(children, line)
        elif token.type == "html_block":
            found = list(tags.scan(token.content, first_line=line or 1))
            anchors |= html_links.anchors_of(found)
            if collector is not None:
                collector.html(found)


def extract_markdown(
    body: bytes | str, *, source: str, base_url: str | None, media: bool
) -> ExtractedDocument:
    text = decode_text(body)
    resolver = Resolver(source, base_url)
    collector = _Collector(resolver, source, media)
    anchors: set[str] = set()
    try:
        _walk(text, collector, anchors)
    except Exception:  # a parser defect must not lose the document: read it as text
        return extract_text(text, source=source, base_url=base_url)
    return ExtractedDocument(
        links=tuple(collector.links[:MAX_LINKS]), anchors=frozenset(anchors), base_url=resolver.base
    )


def markdown_anchors(text: str) -> frozenset[str]:
    anchors: set[str] = set()
    try:
        _walk(decode_text(text), None, anchors)
    except Exception:
        return frozenset()
    return frozenset(anchors)
