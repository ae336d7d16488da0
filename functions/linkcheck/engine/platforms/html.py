"""Small, forgiving readers for the bits of HTML and URLs that detectors look at.

Pure functions over text. They never raise on malformed or truncated input (the engine hands
detectors a bounded body prefix, so a page may be cut anywhere): they return None or empty.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile(
    r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:-]+)\s*=\s*("([^"]*)"|'([^']*)')""")
# Typographic apostrophes and quotes fold to ASCII so phrase lists stay short.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00a0": " ", "\u201c": '"', "\u201d": '"'})


def fold(text: str) -> str:
    """Case-folded, whitespace-collapsed text with typographic quotes made plain."""
    return _SPACE.sub(" ", text.translate(_FOLD)).strip().casefold()


def _clean(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def title(text: str) -> str | None:
    """The document title, unescaped and trimmed (None when there is none)."""
    match = _TITLE.search(text)
    return _clean(match.group(1)) if match else None


def headings(text: str, tag: str = "h1") -> list[str]:
    """The text of every ``<h1>`` (or another tag), in order."""
    pattern = re.compile(rf"<{tag}\b[^>]*>(.*?)</{tag}\s*>", re.IGNORECASE | re.DOTALL)
    return [cleaned for m in pattern.finditer(text) if (cleaned := _clean(m.group(1)))]


def visible_text(text: str) -> str:
    """Roughly what a reader sees: scripts, styles and tags removed, whitespace collapsed."""
    return _clean(_INVISIBLE.sub(" ", text))


def meta(text: str, name: str) -> str | None:
    """The content of ``<meta property=NAME>`` or ``<meta name=NAME>``, whatever the order."""
    wanted = name.casefold()
    for tag in _META.finditer(text):
        attrs = {
            m.group(1).casefold(): m.group(3) if m.group(3) is not None else m.group(4)
            for m in _ATTR.finditer(tag.group(0))
        }
        key = attrs.get("property") or attrs.get("name") or ""
        if key.casefold() == wanted and "content" in attrs:
            return html.unescape(attrs["content"]).strip()
    return None


def script_json(text: str, element_id: str) -> Any | None:
    """The JSON inside ``<script id=ELEMENT_ID>``; None when absent, cut off or not JSON."""
    pattern = re.compile(
        rf"""<script\b[^>]*\bid\s*=\s*["']{re.escape(element_id)}["'][^>]*>(.*?)</script\s*>""",
        re.IGNORECASE | re.DOTALL,
    )
    match = pattern.search(text)
    if not match:
        return None
    body = match.group(1).strip()
    start = body.find("{")
    return _decode_object(body, start) if start >= 0 else None


def assigned_json(text: str, marker: str) -> Any | None:
    """The JSON object that follows ``marker`` (e.g. ``var ytInitialPlayerResponse =``)."""
    at = text.find(marker)
    if at < 0:
        return None
    start = text.find("{", at + len(marker))
    return _decode_object(text, start) if start >= 0 else None


def _decode_object(text: str, start: int) -> Any | None:
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError:  # truncated prefix or not JSON: callers fall back to cheaper signals
        return None
    return value


def dig(value: Any, *keys: str) -> Any | None:
    """``value[k1][k2]...`` through nested dicts, None as soon as a step is missing."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# --- URLs -----------------------------------------------------------------------------------


def host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def path(url: str) -> str:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "/"


def host_in(url: str, domains: frozenset[str]) -> bool:
    """True when the URL's host is one of ``domains`` or a subdomain of one."""
    name = host(url)
    return any(name == d or name.endswith("." + d) for d in domains)


def same_site(a: str, b: str) -> bool:
    """Same host, ignoring a leading ``www.``."""
    return host(a).removeprefix("www.") == host(b).removeprefix("www.")


_LOCALE_ROOT = re.compile(r"^/(?:([a-z]{2})(?:[-_][a-z]{2})?)?/?$", re.IGNORECASE)
_INDEX = re.compile(r"^/(index|default|home)(\.[a-z]{2,5})?/?$", re.IGNORECASE)
# Only real language codes make a locale root: "/ok" or "/go" are deep pages (precision first).
_LANGUAGE_CODES = (
    "ar bg bn ca cs cy da de el en es et eu fa fi fr ga gl he hi hr hu hy id is it ja ka kk "
    "ko lt lv mk ms mt nb nl nn no pl pt ro ru sk sl sq sr sv sw ta th tl tr uk ur uz vi zh"
)
_LANGUAGES = frozenset(_LANGUAGE_CODES.split())


def is_home_path(p: str) -> bool:
    """``/``, ``/en/``, ``/index.html``, ``/home``: a site's front page, not a deep page."""
    if _INDEX.match(p):
        return True
    locale = _LOCALE_ROOT.match(p)
    if locale is None:
        return False
    language = locale.group(1)
    return language is None or language.lower() in _LANGUAGES
