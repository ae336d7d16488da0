"""What an audit may read and check: the same-site rule, URL filters and limits (pure).

Same site: the start URL's host and port, whatever the scheme (``http://`` and ``https://``
are one site) and with or without a leading ``www.``; a default port counts as no port.
Filters are regular expressions searched in the whole URL: an excluded URL is neither checked
nor read; when include patterns are given, only URLs matching one of them are. Exclude wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Limits:
    """How far a crawl goes: link depth from the start page, pages read, distinct links."""

    max_depth: int = 10
    max_pages: int = 1000
    max_links: int = 100_000

    def __post_init__(self) -> None:
        if self.max_depth < 0 or self.max_pages < 1 or self.max_links < 1:
            raise ValueError("limits: max_depth >= 0, max_pages >= 1 and max_links >= 1")


@dataclass(frozen=True, slots=True)
class Filters:
    """Include/exclude patterns over URLs (compiled once)."""

    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def compile(cls, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Filters:
        """Raises ``ValueError`` naming the pattern that is not a valid regular expression."""
        return cls(_compiled(include, "include"), _compiled(exclude, "exclude"))

    def allows(self, url: str) -> bool:
        if any(pattern.search(url) for pattern in self.exclude):
            return False
        return not self.include or any(pattern.search(url) for pattern in self.include)


def _compiled(patterns: Iterable[str], what: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ValueError(
                f"--{what} {pattern!r} is not a valid regular expression: {exc}"
            ) from None
    return tuple(compiled)


def site_key(url: str) -> tuple[str, int | None] | None:
    """(host without ``www.``, explicit non-default port) of an http(s) URL, else None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    host = host.removeprefix("www.")
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return host, port


def same_site(url: str, start: str) -> bool:
    """Whether ``url`` is on the start URL's site (see the module docstring)."""
    key = site_key(url)
    return key is not None and key == site_key(start)


@dataclass(frozen=True, slots=True)
class Scope:
    """The site of an audit (its start URLs) and its filters."""

    starts: Sequence[str] = ()
    filters: Filters = Filters()

    def on_site(self, url: str) -> bool:
        return any(same_site(url, start) for start in self.starts)

    def checks(self, url: str) -> bool:
        return self.filters.allows(url)
