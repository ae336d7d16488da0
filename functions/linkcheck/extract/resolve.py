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

# References resolved, shared by every document of the process: pages of one site repeat
# their navigation and their links to one another. Keyed by what the result depends on: an
# absolute http(s) reference alone (context ""), a root-relative one with the base's scheme
# and host, a path-relative one with the base's directory. Bounded: emptied when full.
_SHARED: dict[tuple[str, str], str | None] = {}
_SHARED_ENTRIES = 65_536
_SHARED_CHARS = 2048  # longer references are resolved every time (bounded memory)
_MISSING = object()
# An absolute http(s) URL whose host urlsplit finds as it is: kept as written.
_PLAIN_ABSOLUTE = re.compile(
    r"https?://(?:[^@/?#\[\]]*@)?[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#]|$)", re.IGNORECASE
)
# What a reference joined by plain concatenation must not hold: a query, fragment or params
# mark, an empty or dot segment (``urljoin`` rewrites those), or a character to escape.
_NOT_PLAIN = re.compile(r"[?#;]|//|(?:^|/)\.\.?(?:/|$)|[^\x21-\x7e]|[\"<>\\^`{|}]")


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
        self._contexts()

    def _contexts(self) -> None:
        """The keys of ``_SHARED`` this base gives relative references (None: not shared)."""
        self._origin: str | None = None
        self._directory: str | None = None
        base = self.base
        if not base or not base[:8].lower().startswith(("http://", "https://")):
            return
        try:
            parts = urlsplit(base)
        except ValueError:
            return
        self._origin = f"{parts.scheme}://{parts.netloc}"
        # A path-relative reference joins the base's path up to its last "/": that prefix,
        # when nothing (a query, a fragment, ";params") follows the path.
        if parts.path and not any(mark in base for mark in "?#;"):
            self._directory = base[: base.rfind("/") + 1]
        # Plain references are joined by concatenation (``_concatenated``) to a base that is
        # written as urljoin would write it and has a host.
        self._plain = (
            base.startswith(("http://", "https://"))
            and bool(parts.hostname)
            and _NOT_PLAIN.search(parts.path) is None
            and _NEEDS_ESCAPE.search(base) is None
        )

    def rebase(self, base_href: str) -> None:
        """Apply ``<base href>``: later references resolve against it."""
        resolved = self.resolve(base_href)
        if resolved is not None:
            self.base = resolved
            self.local = resolved.startswith("file:")
            self._seen.clear()
            self._contexts()

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
        ref = raw.strip(_STRIP)
        if "\t" in ref or "\n" in ref or "\r" in ref:
            ref = _INNER_WHITESPACE.sub("", ref)
        if not ref:
            return None
        context = self._context(ref) if len(ref) <= _SHARED_CHARS else None
        if context is None:
            return self._join(ref)
        key = (context, ref)
        cached = _SHARED.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        found = self._concatenated(ref, context)
        if found is None:
            found = self._join(ref)
        if len(_SHARED) >= _SHARED_ENTRIES:
            _SHARED.clear()
        _SHARED[key] = found
        return found

    def _context(self, ref: str) -> str | None:
        """What the resolution of ``ref`` depends on besides itself (see ``_SHARED``)."""
        head = ref[:8].lower()
        if head.startswith(("http://", "https://")):
            return ""
        first = ref[0]
        if first == "/":
            return self._origin if not ref.startswith("//") else None
        if first in "?#" or (":" in ref and _SCHEME.match(ref)):
            return None  # the whole base counts, or another scheme (dropped at once)
        return self._directory

    def _concatenated(self, ref: str, context: str) -> str | None:
        """``ref`` resolved without ``urljoin`` and ``urlsplit``, for the plain references where
        the two agree (an absolute URL valid as written, a root- or path-relative path with
        nothing to rewrite); else None (``_join`` then resolves it)."""
        if not context:  # an absolute reference, kept as it is when it is valid as it is
            if _PLAIN_ABSOLUTE.match(ref) and _NEEDS_ESCAPE.search(ref) is None:
                return ref
            return None
        if not self._plain or _NOT_PLAIN.search(ref) is not None:
            return None
        return context + ref if ref[0] != "/" or context == self._origin else None

    def _join(self, ref: str) -> str | None:
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
