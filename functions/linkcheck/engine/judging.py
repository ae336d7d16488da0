"""Judging a check's final answer: its status, then the detectors that know better.

``Judges`` holds one checker's detectors, sorted by kind (``detectors.py``): first detectors
(refusals, interstitials) read any answer, platform detectors the URLs of their domains
(found through a ``domains`` prefilter), generic detectors (soft-404, parked domains) 2xx HTML
pages. A detector that fails is logged and skipped: the HTTP verdict stands.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace

from .classify import classify_status
from .detectors import REFUSAL_HEADERS, Detector, Follow, Page, Probe
from .exchange import BodyWanted
from .options import Credentials
from .trail import Reply, Trail
from .turns import LoopTurns
from .urls import Target
from .verdict import Status, Verdict

log = logging.getLogger(__name__)

# Non-2xx answers whose page may be a refusal (a challenge, a captcha, a WAF block page).
REFUSAL_STATUSES = frozenset({403, 405, 429, 999})
# Judging a body this large takes long enough (milliseconds) to wait for its own loop turn.
HEAVY_BODY_BYTES = 64 * 1024


def is_generic(detector: Detector) -> bool:
    """Generic detectors (soft-404...) judge 2xx HTML pages fetched by GET; see detectors.py."""
    return bool(getattr(detector, "generic", False))


def is_first(detector: Detector) -> bool:
    """First detectors (refusals, interstitials) judge any final response first."""
    return bool(getattr(detector, "first", False))


class Judges:
    """One checker's detectors, and the verdict they reach on a final answer."""

    def __init__(self, chosen: Sequence[Detector], credentials: Credentials) -> None:
        self._credentials = credentials
        self._turns = LoopTurns()  # large pages are judged one per turn of the event loop
        self._first_detectors = tuple(d for d in chosen if is_first(d))
        self._platform_detectors = tuple(d for d in chosen if not is_generic(d) and not is_first(d))
        # The ``domains`` prefilter (detectors.py): detector index by domain, and the
        # detectors without ``domains`` that must always be asked.
        self._by_domain: dict[str, list[int]] = {}
        self._unfiltered: list[int] = []
        self._candidates: dict[str, tuple[int, ...]] = {}  # host -> detectors to ask
        for index, detector in enumerate(self._platform_detectors):
            domains = getattr(detector, "domains", None)
            if not domains:
                self._unfiltered.append(index)
            for domain in domains or ():
                self._by_domain.setdefault(domain.lower().rstrip("."), []).append(index)
        self._generic_detectors = tuple(d for d in chosen if is_generic(d))
        self._live_sites: set[tuple[str, int]] = set()  # (host, port): ``mark_live_site``
        # Generic detectors read 2xx HTML pages fetched by GET, first detectors (refusals) also
        # the HTML of refusal and 5xx answers; without either, no unwanted body is read.
        self.body_wanted: BodyWanted | None = (
            _page_or_refusal
            if self._first_detectors
            else _generic_page
            if self._generic_detectors
            else None
        )

    def mark_live_site(self, target: Target) -> None:
        """Pages of ``target``'s host and port are on a live site (``Page.on_live_site``)."""
        self._live_sites.add((target.host, target.port))

    def _on_live_site(self, trail: Trail) -> bool:
        if not self._live_sites:
            return False
        asked, final = trail.origin or trail.target, trail.current
        live = self._live_sites
        return (asked.host, asked.port) in live and (final.host, final.port) in live

    def wanting(self, target: Target) -> tuple[int, ...]:
        """Indexes of the platform detectors that want ``target`` (``domains`` prefilter)."""
        if not self._platform_detectors:
            return ()
        candidates = self._candidates.get(target.host)
        if candidates is None:
            labels = target.host.split(".")
            found = set(self._unfiltered)
            for start in range(len(labels)):
                found.update(self._by_domain.get(".".join(labels[start:]), ()))
            candidates = tuple(sorted(found))
            if len(self._candidates) < 4096:  # bounded memory on huge batches
                self._candidates[target.host] = candidates
        if not candidates:
            return ()
        return tuple(
            index for index in candidates if self._platform_detectors[index].wants(target.url)
        )

    async def judge(
        self, trail: Trail, reply: Reply, probe: Probe
    ) -> tuple[Verdict | Follow, str | None]:
        """The verdict on the final ``reply``: its status, then the detectors that apply
        (first detectors, the platform's, generic ones), each able to override it; with the
        name of the platform that judged, if any."""
        verdict = classify_status(reply.status)
        if reply.refused_wait is not None:
            verdict = replace(
                verdict,
                detail=f"{verdict.detail[:-1]}; it asked to retry after "
                f"{reply.refused_wait:g} s, beyond the check's deadline.",
            )
        final_url = trail.current.url
        # Consulted: detectors that want the final URL or wanted any hop (a platform URL that
        # redirected away is still that platform's business: its home page, a login wall...).
        consulted = trail.wanting.union(self.wanting(trail.current))
        platform = [self._platform_detectors[index] for index in sorted(consulted)]
        generic = (
            self._generic_detectors
            if reply.method == "GET"
            and 200 <= reply.status < 300
            and _is_html(reply.headers.get("content-type", ""))
            else ()
        )
        # First detectors need something to read: a body prefix, or refusal headers on an
        # answer without one (walls answer 403/429/503: a bodiless 2xx, the bulk of HEAD-only
        # checks, is not looked at, which keeps that path free of header lookups).
        first = (
            tuple(d for d in self._first_detectors if d.wants(final_url))
            if self._first_detectors
            and (reply.body or (reply.status >= 300 and _refusal_headers(reply.headers)))
            else ()
        )
        if not first and not platform and not generic:
            return verdict, None
        page = Page(
            requested_url=(trail.origin or trail.target).url,
            final_url=final_url,
            status=reply.status,
            headers={k.lower(): v for k, v in reply.headers.items()},
            body=reply.body,
            redirects=tuple(trail.hops),
            credentials=self._credentials,
            on_live_site=bool(generic) and self._on_live_site(trail),
        )

        if len(reply.body) >= HEAVY_BODY_BYTES:
            await self._turns.take()
        named = platform[0].name if platform else None
        for detector in (*first, *platform, *generic):
            try:
                found = await detector.detect(page, probe)
            except Exception:  # a detector bug must not fail the check: keep the HTTP verdict
                log.exception("detector %s failed on %s", detector.name, final_url)
                continue
            if found is not None:
                if is_generic(detector):
                    return found, None
                if not is_first(detector):
                    return found, detector.name
                if platform and isinstance(found, Verdict) and found.status is Status.BLOCKED:
                    return await self._past_wall(found, platform, page, probe)
                return found, named
        return verdict, named

    async def _past_wall(
        self, wall: Verdict, platform: Sequence[Detector], page: Page, probe: Probe
    ) -> tuple[Verdict, str]:
        """A generic wall stood in front of a platform's URL: its official endpoint may know.

        Each consulted platform detector with a ``behind_wall`` hook is asked in order; the
        first answer wins, else the wall's verdict stands (named by the first platform).
        """
        for detector in platform:
            ask = getattr(detector, "behind_wall", None)
            if ask is None:
                continue
            try:
                found: Verdict | None = await ask(page, probe)
            except Exception:  # a detector bug must not fail the check: keep the wall's verdict
                log.exception(
                    "detector %s failed behind a wall on %s", detector.name, page.final_url
                )
                continue
            if found is not None:
                return found, detector.name
        return wall, platform[0].name


def _generic_page(status: int, content_type: str) -> bool:
    return 200 <= status < 300 and _is_html(content_type)


def _refusal_headers(headers: Mapping[str, str]) -> bool:
    return any(headers.get(name) is not None for name in REFUSAL_HEADERS)


def _page_or_refusal(status: int, content_type: str) -> bool:
    """2xx pages, and the pages of answers a refusal hides behind (403, 429, 5xx...)."""
    return (200 <= status < 300 or status in REFUSAL_STATUSES or 500 <= status < 600) and _is_html(
        content_type
    )


def _is_html(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in {"text/html", "application/xhtml+xml"} or not kind
