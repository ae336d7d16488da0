"""A small, linear scanner of HTML start tags and their attributes.

For the raw HTML inside Markdown, and for HTML the full parser gave up on (nesting past its
depth limit). Comments and the contents of ``script``/``style``/``textarea``/``title`` are
skipped; every search moves forward, so the work is linear in the input.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from .lines import LineIndex

Element = tuple[str, dict[str, str], int | None]  # tag (lower case), attributes, line

_START = re.compile(r"<([a-zA-Z][^\s/>]{0,63})([^>]*)>")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext"})


def attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        name = match.group(1).lower()
        if name not in found:
            value = match.group(2) or match.group(3) or match.group(4) or ""
            found[name] = html.unescape(value) if "&" in value else value
    return found


def scan(text: str, *, first_line: int = 1) -> Iterator[Element]:
    lines = LineIndex(text, first_line)
    position, lower = 0, None
    while (position := text.find("<", position)) >= 0:
        if text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            if end < 0:
                return
            position = end + 3
            continue
        match = _START.match(text, position)
        if match is None:
            position += 1
            continue
        tag = match.group(1).lower()
        yield tag, attributes(match.group(2)), lines.line_of(position)
        position = match.end()
        if tag in _RAW_TEXT:
            if lower is None:
                lower = text.lower()
            end = lower.find("</" + tag, position)
            if end < 0:
                return
            position = end
