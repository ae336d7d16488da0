"""What every platform detector shares: host matching, the oEmbed lookup, verdict wording.

A platform module subclasses ``PlatformDetector``, names its hosts and implements ``detect``.
"""

from __future__ import annotations

import json
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

    # Verdict wording, so every platform says the same thing the same way.
    def live(self, what: str = "content") -> Verdict:
        return Verdict(Status.OK, Reason.HTTP_2XX, f"The {self.label} {what} is there.")

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


async def oembed(probe: Probe, endpoint: str, url: str, *, extra: str = "") -> ProbeResponse | None:
    """GET ``endpoint?url=URL`` (plus ``extra`` query) through the engine's probe."""
    return await probe(f"{endpoint}?url={quote(url, safe='')}{extra}")


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
