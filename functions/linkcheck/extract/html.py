"""Links and anchors of HTML documents, with libxml2 (lxml) for the parsing.

lxml is imported when a document is parsed, never at import: the API's cold start does not
pay for it. Line numbers are libxml2's (``sourceline``); libxml2 stores them in 16 bits, so
past line 65,534 the line is unknown (None).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import tags
from .charset import decode_html
from .model import EMPTY_ANCHORS, MAX_LINKS, ExtractedDocument, FoundLink
from .resolve import Resolver, srcset_urls

Element = tags.Element

# The line libxml2 reports for everything past its 16-bit counter.
_LINE_CEILING = 65535
_ALWAYS = {"a": ("href",), "area": ("href",)}
_MEDIA = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "link": ("href",),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
}
# <link rel> values naming endpoints or origins rather than resources: a GET of them proves
# nothing (a preconnect origin may well answer 404 at "/").
_LINK_RELS_SKIPPED = frozenset(
    {
        "preconnect",
        "dns-prefetch",
        "pingback",
        "webmention",
        "micropub",
        "authorization_endpoint",
        "token_endpoint",
        "openid.server",
        "openid2.provider",
    }
)


# The attributes extraction reads (libxml2 gives HTML attribute names in lower case).
_ATTRIBUTES = ("href", "src", "srcset", "poster", "rel", "id", "name")
_WANTED = frozenset(_ATTRIBUTES)


def _lxml_elements(text: str) -> list[Element] | None:
    """Every element in document order, or None when libxml2 stopped before the end."""
    import lxml.etree

    # lxml.etree's HTML parser: lxml.html's is the same parser with Python element classes
    # looked up for every element, which extraction does not use.
    parser = lxml.etree.HTMLParser(
        recover=True, encoding="utf-8", no_network=True, huge_tree=True, remove_comments=True
    )
    try:
        root = lxml.etree.fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.LxmlError, ValueError):
        return None
    if any(entry.level_name == "FATAL" for entry in parser.error_log):
        return None
    if root is None:
        return []
    found: list[Element] = []
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            continue
        attributes = element.items()  # one call, where a lookup per name costs seven
        if not attributes:
            continue  # holds neither a link nor an anchor
        line = element.sourceline
        if line is not None and line >= _LINE_CEILING:
            line = None
        wanted = {name: str(value) for name, value in attributes if name in _WANTED}
        found.append((tag.lower(), wanted, line))
    return found


def elements(text: str, *, first_line: int = 1) -> Iterable[Element]:
    parsed = _lxml_elements(text)
    if parsed is None:
        return tags.scan(text, first_line=first_line)
    if first_line == 1:
        return parsed
    shift = first_line - 1
    return [(t, a, None if line is None else line + shift) for t, a, line in parsed]


def _references(tag: str, attributes: dict[str, str], media: bool) -> Iterator[str]:
    names = _ALWAYS.get(tag) or (_MEDIA.get(tag) if media else None)
    if not names:
        return
    if tag == "link":
        rels = set(attributes.get("rel", "").lower().split())
        if rels & _LINK_RELS_SKIPPED:
            return
    for name in names:
        value = attributes.get(name)
        if value is None:
            continue
        if name == "srcset":
            yield from srcset_urls(value)
        else:
            yield value


def links_of(
    found: Iterable[Element],
    resolver: Resolver,
    *,
    source: str,
    media: bool,
    limit: int | None = None,
) -> list[FoundLink]:
    limit = MAX_LINKS if limit is None else limit
    links: list[FoundLink] = []
    for tag, attributes, line in found:
        for raw in _references(tag, attributes, media):
            url = resolver.resolve(raw)
            if url is not None:
                links.append(FoundLink(url=url, source=source, line=line, element=tag))
                if len(links) >= limit:
                    return links
    return links


def anchors_of(found: Iterable[Element]) -> frozenset[str]:
    names: set[str] = set()
    for tag, attributes, _line in found:
        if identifier := attributes.get("id"):
            names.add(identifier)
        if tag == "a" and (name := attributes.get("name")):
            names.add(name)
    return frozenset(names) if names else EMPTY_ANCHORS


def _base_href(found: Iterable[Element]) -> str | None:
    for tag, attributes, _line in found:
        if tag == "base" and attributes.get("href"):
            return attributes["href"]
    return None


def extract_html(
    body: bytes | str, *, source: str, base_url: str | None, media: bool
) -> ExtractedDocument:
    found = list(elements(decode_html(body)))
    resolver = Resolver(source, base_url)
    if (base_href := _base_href(found)) is not None:
        resolver.rebase(base_href)
    links = links_of(found, resolver, source=source, media=media)
    return ExtractedDocument(links=tuple(links), anchors=anchors_of(found), base_url=resolver.base)


def html_anchors(body: bytes | str) -> frozenset[str]:
    return anchors_of(elements(decode_html(body)))
