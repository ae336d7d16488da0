"""robots.txt for a crawl: which pages it may read (``urllib.robotparser``).

The rules for our User-Agent apply, else those for ``*``. As search engines do: a robots.txt
that is missing or answers 4xx allows everything; one that answers 5xx or cannot be fetched
at all (timeout, connection refused) disallows everything, since the site may be down or
overloaded. ``Crawl-delay`` is ignored: the engine's per-host connection limit is the
politeness. robots.txt only decides which pages are *read for links*; a link to a disallowed
page is still checked, like any other link (one request, as a visitor following it would).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from ..engine import Checker


@dataclass(frozen=True, slots=True)
class Robots:
    """The robots.txt rules of one site, for one User-Agent."""

    user_agent: str
    parser: RobotFileParser | None  # None: no rules (everything allowed or disallowed)
    allow_all: bool = True
    note: str = ""  # why everything is disallowed, for the user

    def allows(self, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(self.user_agent, url)


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def parse_robots(text: str, user_agent: str) -> Robots:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return Robots(user_agent, parser)


def unrestricted(user_agent: str) -> Robots:
    return Robots(user_agent, None, allow_all=True)


def from_answer(http_status: int | None, body: bytes | None, user_agent: str) -> Robots:
    """The rules given the answer to ``/robots.txt`` (pure; see the module docstring).

    ``body`` is None when no 2xx answer was read. 429 counts as a server error (the site asks
    to slow down), as search engines count it.
    """
    if body is not None:
        return parse_robots(body.decode("utf-8", errors="replace"), user_agent)
    if http_status is not None and 400 <= http_status < 500 and http_status != 429:
        return unrestricted(user_agent)
    why = f"answered {http_status}" if http_status is not None else "could not be fetched"
    return Robots(
        user_agent,
        None,
        allow_all=False,
        note=f"robots.txt {why}: no page is read, as search engines do (--no-robots ignores it)",
    )


async def fetch_robots(checker: Checker, site_url: str) -> Robots:
    """The robots.txt rules of ``site_url``'s origin, fetched through the checker."""
    user_agent = checker.options.user_agent
    result, page = await checker.fetch_page(robots_url(site_url))
    return from_answer(result.http_status, page.body if page is not None else None, user_agent)
