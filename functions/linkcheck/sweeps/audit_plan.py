"""What an audit does with the links of a page it read: pure rules, no I/O.

- Every URL is keyed by its normalised form (the same rule as registered links), plus its
  fragment when the fragment is judged (``audit.fragments.fragment_checked``): two fragments
  of one page are two checks, a JavaScript-driven fragment is not one.
- In ``site`` mode, a link to the start page's site (``audit.scope.same_site``: same host and
  port, ``www.`` and the scheme aside), within ``max_depth`` clicks and allowed by the site's
  robots.txt (``audit.robots``), is a page to read; every other
  link is checked only. A link with a judged fragment to such a page is both: the page is read
  once, and the fragment is checked as a link.
- ``page`` and ``bio`` modes read the start page only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..audit.fragments import fragment_checked, split_fragment
from ..audit.robots import Robots, from_answer, parse_robots
from ..audit.scope import same_site
from ..errors import InvalidInput
from ..registration import link_target
from ..store.audits import FoundUrl, Role

ROBOTS_AGENT = "linkcheck"  # the product token of the engine's User-Agent


class Mode:
    PAGE = "page"
    SITE = "site"
    BIO = "bio"


MODES = (Mode.PAGE, Mode.SITE, Mode.BIO)


def normalised(url: str) -> str | None:
    """The URL as the audit keys it (normalised, fragment kept when judged), or None when it
    cannot be checked at all (not http(s), unreadable)."""
    base, fragment = split_fragment(url)
    try:
        target = link_target(base, allow_private=True)  # the SSRF rule is the engine's, later
    except InvalidInput:
        return None
    if fragment and fragment_checked(url):
        return f"{target.url}#{fragment}"
    return target.url


DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def robots_text(http_status: int | None, body: bytes | None) -> str:
    """What the audit keeps of its site's robots.txt answer: the rules as text, the same rules
    ``audit.robots.from_answer`` reads from the answer (missing or 4xx: everything allowed;
    5xx or no answer: nothing read)."""
    if body is not None:
        return body.decode("utf-8", errors="replace")
    return "" if from_answer(http_status, None, ROBOTS_AGENT).allow_all else DISALLOW_ALL


@dataclass(frozen=True, slots=True)
class Crawl:
    """The audit's rules for following links."""

    mode: str
    start: str  # the start URL (normalised)
    max_depth: int
    robots: Robots | None = None  # None: everything allowed

    def is_page(self, url: str, depth: int) -> bool:
        """Whether a URL found at ``depth`` is read for its links (not only checked)."""
        if self.mode != Mode.SITE or depth > self.max_depth:
            return False
        if not same_site(url, self.start):
            return False
        return self.robots is None or self.robots.allows(url)

    def follows(self, final_url: str, depth: int) -> bool:
        """Whether the links of a page read are followed: the start page's always (it may
        redirect anywhere), another page's only when it did not redirect off the site."""
        return depth == 0 or same_site(final_url, self.start)


def plan_links(crawl: Crawl, source: str, depth: int, raw_links: Iterable[str]) -> list[FoundUrl]:
    """The URLs to claim for the links found on ``source`` (read at ``depth``), each once, in
    document order: pages to read at ``depth + 1`` and links to check."""
    planned: dict[tuple[str, str], FoundUrl] = {}
    for raw in raw_links:
        url = normalised(raw)
        if url is None or url == source:
            continue
        page_url, fragment = split_fragment(url)
        if crawl.is_page(page_url, depth + 1):
            planned.setdefault(
                (page_url, Role.PAGE), FoundUrl(page_url, Role.PAGE, depth + 1, source)
            )
            if fragment is None:
                continue
        planned.setdefault((url, Role.LINK), FoundUrl(url, Role.LINK, depth + 1, source))
    # A URL is one item whatever its role: a page also counts as that link's check.
    pages = {found.url for found in planned.values() if found.role == Role.PAGE}
    return [f for f in planned.values() if f.role == Role.PAGE or f.url not in pages]


def robots_of(text: str | None) -> Robots | None:
    """The rules of the audit's kept robots.txt text (None: not read yet, or no rules)."""
    return parse_robots(text, ROBOTS_AGENT) if text else None
