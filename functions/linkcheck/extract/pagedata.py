"""The JSON a page embeds for its scripts: ``<script type="application/json">`` blocks
(Next.js ``__NEXT_DATA__``, Nuxt, TikTok's rehydration data, JSON-LD) and assignments such as
``window.__INITIAL_STATE__ = {...}`` or ``var ytInitialData = {...}``; and a bounded walk of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from . import tags

_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_ASSIGNMENT = re.compile(
    r"(?:window\.|var\s+|let\s+|const\s+|self\.)?(__[A-Za-z_]{1,60}__|ytInitialData)"
    r"""\s*=\s*(?=[{\[])|window\[["'](__[A-Za-z_]{1,60}__|ytInitialData)["']\]\s*=\s*(?=[{\[])"""
)
# A walk visits at most this many JSON values: page data can be megabytes of nested state.
MAX_NODES = 500_000
_DECODER = json.JSONDecoder()


def scripts(text: str) -> Iterator[tuple[dict[str, str], str]]:
    """(attributes, content) of every script element."""
    lower: str | None = None
    position = 0
    while (found := _SCRIPT.search(text, position)) is not None:
        if lower is None:
            lower = text.lower()
        end = lower.find("</script", found.end())
        if end < 0:
            end = len(text)
        yield tags.attributes(found.group(1)), text[found.end() : end]
        position = end


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def page_data(text: str) -> Iterator[tuple[str, Any]]:
    """(name, value) of each JSON value the page embeds; the name is the script's id or the
    assigned variable ("" when unnamed)."""
    for attributes, content in scripts(text):
        kind = attributes.get("type", "").lower()
        if "json" in kind:
            value = _loads(content.strip())
            if value is not None:
                yield attributes.get("id", ""), value
            continue
        for match in _ASSIGNMENT.finditer(content):
            try:
                value, _end = _DECODER.raw_decode(content, match.end())
            except (ValueError, RecursionError):
                continue
            yield match.group(1) or match.group(2) or "", value


def named(text: str, name: str) -> Any:
    """The first embedded value called ``name`` (None when absent)."""
    for found, value in page_data(text):
        if found == name:
            return value
    return None


def walk(value: Any) -> Iterator[tuple[str, Any, Any]]:
    """(key, value, parent) for every value under ``value``, depth first, bounded by
    MAX_NODES (list items have key "")."""
    stack: list[tuple[str, Any, Any]] = [("", value, None)]
    visited = 0
    while stack and visited < MAX_NODES:
        key, current, parent = stack.pop()
        visited += 1
        yield key, current, parent
        if isinstance(current, dict):
            stack.extend((str(k), v, current) for k, v in reversed(list(current.items())))
        elif isinstance(current, list):
            stack.extend(("", v, current) for v in reversed(current))


def dig(value: Any, *keys: str | int) -> Any:
    """``value[k1][k2]...``, or None where a step is missing."""
    for key in keys:
        if isinstance(key, int):
            value = (
                value[key] if isinstance(value, list) and -len(value) <= key < len(value) else None
            )
        else:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
    return value
