"""Where one check has got to: its hops, cookies and the reply it is judging (data only).

Shared by the hop-by-hop flow (``flow.py``) and the judging (``judging.py``); kept apart so
neither imports the other's internals, and so a timeout can still report how far a check got.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .classify import redirect_loop, too_many_redirects
from .cookies import CookieJar
from .urls import Target
from .verdict import Hop, Verdict


class Stop(Exception):
    """Ends a check early with a verdict (redirect loop, too many redirects)."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.detail)
        self.verdict = verdict


@dataclass(slots=True)
class Reply:
    """What one request got back, with the body prefix already read and the response closed."""

    status: int
    headers: Mapping[str, str]  # case-insensitive get
    body: bytes
    method: str
    refused_wait: float | None = None  # a Retry-After longer than the deadline allowed
    page: bytes | None = None  # a 2xx body read for the caller (``flow.CheckFlow.page_safely``)
    cut: bool = False  # ``page`` stops at ``max_page_bytes``: the body went on


@dataclass(slots=True)
class Trail:
    """Where a check has got to: kept outside the flow so a timeout can still report it."""

    target: Target
    current: Target
    hops: list[Hop]
    http_status: int | None = None
    wanting: set[int] = field(default_factory=set)  # platform detectors (index) a hop wanted
    # The check's cookies, shared by its redirects and its detectors' probes (cookies.py).
    jar: CookieJar = field(default_factory=CookieJar)
    # (URL, cookie jar version) pairs visited: a redirect back to a URL is a loop only if no
    # cookie changed since (cookie-gated pages redirect to themselves once, setting one).
    seen: set[tuple[str, int]] = field(default_factory=set)
    # Where the link really starts: the target of an unwrapped URL or an interstitial, which
    # detectors judge as if it had been asked for (a deep link bounced home is still gone).
    origin: Target | None = None

    def visited(self, target: Target) -> bool:
        version = self.jar.version
        return (target.url, version) in self.seen or (
            target.url == self.target.url and version == 0
        )

    def advance(self, hop: Hop, following: Target, limit: int, *, restart: bool = False) -> None:
        """One more hop (a redirect, an unwrapped URL, an interstitial) towards ``following``."""
        if restart:
            self.origin = following
        self.hops.append(hop)
        if len(self.hops) > limit:
            raise Stop(too_many_redirects(limit))
        if self.visited(following):
            raise Stop(redirect_loop(following.url))
        self.seen.add((following.url, self.jar.version))
        self.current = following
