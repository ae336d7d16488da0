"""Raw references to absolute URLs: ``<base href>``, the page URL, or a local file's path.

Only http(s) comes out, plus file:// for the relative links of a local file read without a
base URL (its relative links name files beside it). Other schemes (mailto:, tel:,
javascript:, data:, ...), empty references and references that cannot be parsed are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

from .model import MAX_REFERENCE_CHARS

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_WEB = frozenset({"http", "https"})
# The URL standard strips leading/trailing C0 controls and spaces and removes tabs/newlines.
_STRIP = "".join(chr(c) for c in range(0x21))
_INNER_WHITESPACE = re.compile(r"[\t\n\r]")
# Characters left alone when a URL is made valid: the reserved set, "%" (existing escapes)
# and the unreserved marks; spaces, quotes, non-ASCII and the like are percent-encoded.
_SAFE = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE + "?"


# Characters a valid URL cannot hold as they are (RFC 3986): they are percent-encoded.
_NEEDS_ESCAPE = re.compile(r"[^\x21-\x7e]|[\"<>\\^`{|}]")


def _valid(parts: SplitResult) -> str:
    """The URL of ``parts`` with its path, query and fragment percent-encoded where they must
    be (the host is left alone: internationalised names are the engine's to normalise)."""
    return urlunsplit(
        (
            parts.scheme,
            parts.netloc,
            quote(parts.path, safe=_SAFE),
            quote(parts.query, safe=_SAFE_QUERY),
            quote(parts.fragment, safe=_SAFE_QUERY + "#"),
        )
    )


def _looks_like_url(text: str) -> bool:
    found = _SCHEME.match(text)
    return bool(found and found.group(1).lower() in _WEB and "//" in text[:12])


def file_base(source: str) -> str | None:
    """The file:// URL of a local file path (None when ``source`` is no path)."""
    if not source or source == "-" or "\x00" in source:
        return None
    try:
        return Path(source).absolute().as_uri()
    except ValueError:
        return None


class Resolver:
    """Resolves the references of one document against its base."""

    def __init__(self, source: str, base_url: str | None) -> None:
        self.local = False
        # Pages repeat their references (navigation, footers): each is resolved once.
        self._seen: dict[str, str | None] = {}
        if base_url:
            self.base: str | None = base_url
            self.local = base_url.lower().startswith("file:")
        elif _looks_like_url(source):
            self.base = source
        else:
            self.base = file_base(source)
            self.local = self.base is not None

    def rebase(self, base_href: str) -> None:
        """Apply ``<base href>``: later references resolve against it."""
        resolved = self.resolve(base_href)
        if resolved is not None:
            self.base = resolved
            self.local = resolved.startswith("file:")
            self._seen.clear()

    def resolve(self, raw: str | None) -> str | None:
        if not raw or len(raw) > MAX_REFERENCE_CHARS:
            return None
        if raw in self._seen:
            return self._seen[raw]
        if len(self._seen) < 100_000:
            self._seen[raw] = resolved = self._resolve(raw)
            return resolved
        return self._resolve(raw)

    def _resolve(self, raw: str) -> str | None:
        ref = _INNER_WHITESPACE.sub("", raw.strip(_STRIP))
        if not ref:
            return None
        scheme = _SCHEME.match(ref)
        if scheme and scheme.group(1).lower() not in _WEB and scheme.group(1).lower() != "file":
            return None
        try:
            absolute = scheme is not None and ref.startswith("//", scheme.end())
            joined = urljoin(self.base, ref) if self.base and not absolute else ref
            parts = urlsplit(joined)
            scheme_name = parts.scheme.lower()
            if scheme_name in _WEB:
                if not parts.hostname:
                    return None
            elif scheme_name != "file" or not self.local:
                return None
            return _valid(parts) if _NEEDS_ESCAPE.search(joined) else joined
        except ValueError:  # e.g. an unbalanced "[" in the host
            return None


def srcset_urls(value: str) -> list[str]:
    """Every candidate URL of a ``srcset`` (HTML's parsing rules, without the descriptors)."""
    urls: list[str] = []
    position, end = 0, len(value)
    while position < end:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < end and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        elif url:
            # Skip the descriptors up to the next comma outside parentheses.
            depth = 0
            while position < end:
                char = value[position]
                if char == "(":
                    depth += 1
                elif char == ")":
                    depth = max(0, depth - 1)
                elif char == "," and depth == 0:
                    break
                position += 1
        if url:
            urls.append(url)
    return urls
