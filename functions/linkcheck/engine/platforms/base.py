"""What every platform detector shares: host matching, the oEmbed lookup, verdict wording.

A platform module subclasses ``PlatformDetector``, names its hosts and implements ``detect``
(and ``behind_wall`` when it has an official endpoint to ask past a generic wall).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from ..detectors import Page, Probe, ProbeResponse
from ..verdict import Reason, Status, Verdict
from . import html


class PlatformDetector:
    """Base of the platform detectors: ``wants`` any URL on one of ``domains``."""

    name: str = ""
    label: str = ""  # how people write the platform's name, for details
    domains: frozenset[str] = frozenset()

    def wants(self, url: str) -> bool:
        return html.host_in(url, self.domains)

    def owns(self, page: Page) -> bool:
        """The page is this platform's (asked about it, or redirected onto it)."""
        return self.wants(page.requested_url) or self.wants(page.final_url)

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:  # pragma: no cover
        raise NotImplementedError

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall answered instead of the page: what the platform's official endpoint
        proves about the content (None: no such endpoint, or no evidence; the wall stands)."""
        return None

    # Verdict wording, so every platform says the same thing the same way.
    def live(self, what: str = "content") -> Verdict:
        return Verdict(Status.OK, Reason.HTTP_2XX, f"The {self.label} {what} is there.")

    def live_past_wall(self, evidence: str) -> Verdict:
        """Live by official evidence, although the page itself refused the checker."""
        return Verdict(
            Status.OK,
            Reason.HTTP_2XX,
            f"{self.label}: {evidence}, although the page refused the checker.",
        )

    def deleted(self, why: str) -> Verdict:
        return Verdict(Status.BROKEN, Reason.PLATFORM_DELETED, f"{self.label}: {why}")

    def private(self, why: str) -> Verdict:
        return Verdict(Status.RESTRICTED, Reason.PLATFORM_PRIVATE, f"{self.label}: {why}")

    def geo_blocked(self, why: str) -> Verdict:
        return Verdict(Status.RESTRICTED, Reason.GEO_BLOCKED, f"{self.label}: {why}")

    def age_restricted(self, why: str) -> Verdict:
        return Verdict(Status.RESTRICTED, Reason.AGE_RESTRICTED, f"{self.label}: {why}")

    def login_required(self, why: str) -> Verdict:
        return Verdict(Status.RESTRICTED, Reason.LOGIN_REQUIRED, f"{self.label}: {why}")

    def to_home(self, why: str) -> Verdict:
        return Verdict(Status.BROKEN, Reason.REDIRECT_TO_HOME, f"{self.label}: {why}")

    def refused(self, why: str, reason: Reason = Reason.BOT_CHALLENGE) -> Verdict:
        return Verdict(
            Status.BLOCKED, reason, f"{self.label}: {why} This says nothing about the link."
        )

    @staticmethod
    def past_wall(verdict: Verdict | None) -> Verdict | None:
        """An official endpoint's verdict, when it is evidence (a refusal of its own is not),
        saying that the page itself was a wall."""
        if verdict is None or verdict.status is Status.BLOCKED:
            return None
        return replace(verdict, detail=f"{verdict.detail} (The page itself was a bot wall.)")


async def oembed(probe: Probe, endpoint: str, url: str, *, extra: str = "") -> ProbeResponse | None:
    """GET ``endpoint?url=URL`` (plus ``extra`` query) through the engine's probe."""
    return await probe(f"{endpoint}?url={quote(url, safe='')}{extra}")


def unwalled(probe: Probe) -> Probe:
    """``probe``, with answers that are walls themselves (a Cloudflare challenge, Google's
    /sorry/ page, DataDome...: see ``refusal``) turned into no answer: never evidence."""
    from .refusal import refusal_signal  # the refusal rules, loaded with the first detectors

    async def asking(url: str) -> ProbeResponse | None:
        answer = await probe(url)
        if answer is None:
            return None
        wall = refusal_signal(answer.status, answer.headers, answer.body, answer.final_url)
        return None if wall is not None else answer

    return asking


def looks_like_page(answer: ProbeResponse) -> bool:
    """An HTML document where the API answers JSON or short text: a wall, not an answer."""
    start = answer.body[:512].lstrip().lower()
    return start.startswith((b"<!doctype", b"<html")) or b"<body" in start


def json_body(response: ProbeResponse) -> dict[str, Any] | None:
    """The response body as a JSON object, or None."""
    try:
        value = json.loads(response.body.decode("utf-8", errors="replace"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def trail(page: Page) -> list[str]:
    """Every URL the check went through: asked, each redirect, final (in that order)."""
    return [page.requested_url, *(hop.url for hop in page.redirects), page.final_url]


def redirected_home(page: Page) -> bool:
    """A deep link that ended on the site's front page (the platform's "gone" redirect)."""
    return (
        page.final_url != page.requested_url
        and not html.is_home_path(html.path(page.requested_url))
        and html.is_home_path(html.path(page.final_url))
    )
