"""The seam between the generic engine and platform / soft-404 knowledge.

After the engine has followed redirects and read a bounded prefix of the final body, it builds a
``Page`` and asks each registered ``Detector`` (in order) whether it knows better than the
generic HTTP classification. The first detector that returns a ``Verdict`` wins. Detectors are
pure: they never do I/O themselves. A detector that needs one more request (an oEmbed lookup, a
soft-404 sibling probe) asks for it through ``Probe``, which the engine performs with the same
SSRF rules, deadline and politeness as the check itself.

When detectors are consulted (the engine's cheap rule, so HEAD stays the common path):

- a platform detector (the default) is consulted when ``wants(final_url)`` is True. The engine
  asks ``wants(url)`` for every hop before sending it, and uses GET instead of HEAD for the
  URLs a detector wants, so such a detector always sees a body prefix. Its ``name`` becomes
  the result's ``platform`` even when it keeps the HTTP verdict.
- a generic detector declares the class attribute ``generic = True`` (soft-404, parked
  domains...). It is consulted on every 2xx HTML response obtained by GET (after a HEAD
  fallback, when a platform detector forced GET, or with ``CheckOptions(always_get=True)``),
  whatever ``wants()`` says. It never forces a GET by itself, and never sets ``platform``.

- optional prefilter: a platform detector may declare ``domains: frozenset[str]`` (as
  ``PlatformDetector`` does). The engine then calls ``wants(url)`` only for hosts equal to one
  of them or below one, which keeps HEAD-only checks of other sites cheap. ``wants`` must never
  be true outside ``domains``.
- a URL wanted on any hop makes every later hop of that check a GET, and the detector is
  consulted on the final page even when redirects led off its domains.

- a *first* detector declares ``first = True`` (refusal recognition, interstitials). It is
  consulted before every other detector on the final response whatever its status (200, 403,
  503...), when ``wants(final_url)`` and the response has a body prefix, or refusal headers
  (``REFUSAL_HEADERS``) on an answer without a body that is not 2xx. Its verdict keeps the
  ``platform`` of a consulted platform detector.

First detectors run first, then platform detectors in order, then generic ones; the first
verdict wins, with one exception: walls in front of a platform.

- optional hook ``async def behind_wall(self, page, probe) -> Verdict | None`` on a platform
  detector (``PlatformDetector`` answers None). When a first detector answers a ``blocked``
  verdict (a generic wall: a Cloudflare challenge, DataDome, Google's /sorry/ page...) and
  platform detectors were consulted, the engine asks each of them, in order, through this
  hook instead of ``detect``: the page is the wall, so only the platform's official endpoint
  (oEmbed, an API) can say anything about the content. The first non-None answer wins (its
  detector names the result); without one the wall's verdict stands, named by the first
  platform. A hook answers only on evidence about the content, never from the walled page,
  and never from an endpoint that answered with a wall itself. No wall, no call: checks that
  met no wall never pay for it.

A detector may also answer ``Follow(url)``: the page is a stop on the way (an
interstitial that names its target), and the engine continues the check at ``url`` as if the
page had redirected there (one more hop, counted against ``max_redirects`` and loop detection,
the target vetted like any hop). A detector that raises is a bug: the engine logs it and keeps
the HTTP verdict (one broken detector must not fail a whole batch); a hook that raises is
skipped the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .options import NO_CREDENTIALS, Credentials
from .verdict import Hop, Verdict


@dataclass(frozen=True, slots=True)
class Page:
    """The final response of a check, as a detector sees it."""

    requested_url: str  # the (normalised) URL the user asked about
    final_url: str  # where redirects ended
    status: int  # HTTP status of the final response
    headers: Mapping[str, str]  # lower-cased header names
    body: bytes  # a bounded prefix of the body (empty for HEAD)
    redirects: Sequence[Hop] = ()
    credentials: Credentials = NO_CREDENTIALS  # keys of official endpoints (oEmbed, APIs)
    # Requested and final URL on a site known to be live (``Checker.mark_live_site``): its
    # front page answered with real content, so the page is no parked domain's lander.
    on_live_site: bool = False

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class ProbeResponse:
    status: int
    final_url: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Follow:
    """A detector's answer "judge ``url`` instead": the page only points the way there."""

    url: str
    why: str


# Headers that can prove a refusal on their own (a HEAD answer has no body to read).
REFUSAL_HEADERS = ("cf-mitigated", "x-dd-b", "x-datadome")

# A GET of another URL, done by the engine on the detector's behalf (None: the probe failed).
Probe = Callable[[str], Awaitable[ProbeResponse | None]]


class Detector(Protocol):
    """Platform or soft-404 knowledge plugged into the engine."""

    name: str  # e.g. "tiktok"; reported as the result's ``platform`` (None for generic ones)

    def wants(self, url: str) -> bool:
        """True when this detector may judge ``url`` (decides if a body must be read)."""
        ...

    async def detect(self, page: Page, probe: Probe) -> Verdict | Follow | None:
        """A verdict that overrides the HTTP classification, ``Follow``, or None to keep it."""
        ...


def default_detectors() -> list[Detector]:
    """The detectors the engine uses unless told otherwise (first, platforms, generic last)."""
    try:
        from .platforms import registry
    except ImportError:  # platform knowledge not installed yet
        return []
    return registry.all_detectors()
