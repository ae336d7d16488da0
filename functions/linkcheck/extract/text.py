"""URLs written out in plain text (http and https), with the punctuation around them trimmed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .charset import decode_text
from .lines import LineIndex
from .model import EMPTY_ANCHORS, MAX_LINKS, ExtractedDocument, FoundLink
from .resolve import Resolver

# A run of characters that may be part of a URL written in prose. One pass, no backtracking
# between alternatives: linear in the text. Quotes and angle brackets end a URL.
_URL_CHAR = r"""[^\s<>"`{}|\\^\x00-\x1f\x7f]"""
_TAIL = _URL_CHAR + "{1,8192}"
_MORE = re.compile(_URL_CHAR)  # one more URL character: the run was longer than the cap
_URL = re.compile(r"\bhttps?://" + _TAIL, re.IGNORECASE)
_URL_OR_WWW = re.compile(r"\bhttps?://" + _TAIL + r"|(?<![\w.@/-])www\." + _TAIL, re.IGNORECASE)
_TRAILING = ".,:;!?'\"*_~"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def trim(url: str) -> str:
    """``url`` without the punctuation that ends the sentence around it: trailing ``.,:;!?``
    and quotes, and a closing bracket that has no opening one inside the URL."""
    # Bracket balance counted once, then kept up to date: linear in the URL's length.
    balance = {closer: url.count(closer) - url.count(opener) for closer, opener in _CLOSERS.items()}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _CLOSERS and balance[last] > 0:
            balance[last] -= 1
        elif last in _CLOSERS.values() or last not in _TRAILING:
            break
        end -= 1
    return url[:end]


def find_urls(text: str, *, www: bool = False) -> Iterator[tuple[int, str]]:
    """(offset, url) of every http(s) URL in ``text``; with ``www``, also ``www.`` names
    (given ``http://``, as GitHub renders them)."""
    for match in (_URL_OR_WWW if www else _URL).finditer(text):
        if _MORE.match(text, match.end()):
            continue  # longer than any URL worth checking: a cut one would be wrong
        url = trim(match.group())
        if url[:4].lower() == "www.":
            if "." in url[4:]:
                yield match.start(), "http://" + url
        elif len(url) > url.index("://") + 3:
            yield match.start(), url


def extract_text(body: bytes | str, *, source: str, base_url: str | None) -> ExtractedDocument:
    text = decode_text(body)
    lines = LineIndex(text)
    resolver = Resolver(source, base_url)
    links: list[FoundLink] = []
    for offset, raw in find_urls(text):
        url = resolver.resolve(raw)
        if url is not None:
            links.append(
                FoundLink(url=url, source=source, line=lines.line_of(offset), element="text")
            )
            if len(links) >= MAX_LINKS:
                break
    return ExtractedDocument(links=tuple(links), anchors=EMPTY_ANCHORS, base_url=base_url)
