"""Generic soft-404 and parked-domain detection: dead pages that answer 200.

Precision first (a false ``broken`` is worse than a missed one), cheap signals first:

1. a parked or for-sale domain (``parked.py``)                      -> ``parked_domain``
2. a deep link redirected to the same site's front page              -> ``redirect_to_home``
3. a title or main heading that *is* a not-found phrase, in one of
   several languages (``Page not found | Shop``, ``404``)            -> ``soft_404``
4. a deep link redirected elsewhere on the same site (``/products/old-lamp`` ->
   ``/collections/all``): the detector asks for a random sibling path next to the link (one
   probe, cached per host and directory); when that path, which cannot exist, lands on the
   same final URL with a 2xx, the redirect is the site's answer for missing pages -> ``soft_404``.
   Never for front pages (a link to the home page, or a bounce there: rule 2), cross-site
   redirects, redirects that only changed scheme, ``www.`` or a trailing slash, or bounces to a
   sign-in, consent or region gate (a wall, not an absence).
5. a title or heading that only *contains* one (``How to fix 404 Not Found errors``) is
   ambiguous: the same sibling probe, and the page is a soft-404 only when the sibling gets
   the same page back with a 2xx.
Pages that merely mention "not found" in their text are never judged.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit, urlunsplit

from ..detectors import Page, Probe, ProbeResponse
from ..verdict import Reason, Status, Verdict
from . import html
from .parked import parked_signal

# Folded (lower-case, plain apostrophes) phrases that name a missing page.
NOT_FOUND_PHRASES = (
    # English
    "page not found",
    "not found",
    "404 error",
    "error 404",
    "page doesn't exist",
    "page does not exist",
    "page cannot be found",
    "page can't be found",
    "page could not be found",
    "couldn't find that page",
    "couldn't find the page",
    "couldn't find this page",
    "could not find the page",
    "no longer available",
    "page is missing",
    "nothing was found",
    # other languages
    "página no encontrada",
    "no se encontró la página",
    "page introuvable",
    "page non trouvée",
    "seite nicht gefunden",
    "seite wurde nicht gefunden",
    "pagina non trovata",
    "página não encontrada",
    "pagina niet gevonden",
    "strona nie została znaleziona",
    "nie znaleziono strony",
    "sidan hittades inte",
    "siden blev ikke fundet",
    "sivua ei löytynyt",
    "stránka nenalezena",
    "sayfa bulunamad\u0131",
    "страница не найдена",
    "сторінку не знайдено",
    "ページが見つかりません",
    "页面不存在",
    "找不到页面",
    "頁面不存在",
    "페이지를 찾을 수 없습니다",
    "الصفحة غير موجودة",
    "halaman tidak ditemukan",
)
_FILLER = re.compile(
    r"\b(?:404|error|erreur|fehler|oops|whoops|sorry|uh oh|ooops|the|this|that|we|you|is|"
    r"are|were|the|a|an|requested|you're looking for|looking for)\b|[^\w\s]",
    re.IGNORECASE,
)
_SEPARATORS = re.compile("\\s[|\\-\u2013\u2014\u00b7:\u00bb]\\s|\\s\\|\\s?")
_WORD = re.compile(r"\w+")
# Phrases too common in ordinary titles ("Not Found (2015 film)") to stand alone without a 404.
WEAK_ALONE = frozenset({"not found", "no longer available", "nothing was found"})
MAX_EXTRA_WORDS = 2  # a segment with more than this besides the phrase is prose, not a label
SIMILAR = 0.85  # word-shingle overlap above which two pages are the same template
CACHE_SIZE = 512
# A bounce to one of these is a wall in front of the page (sign-in, consent, region), not a
# sign that it is missing.
_GATE = re.compile(
    r"(?:^|[/_.-])(?:log-?in|sign-?in|sign_in|signon|auth\w*|accounts?|session|sso|consent|"
    r"captcha|challenge|verify|checkpoint|age|gate|region|country|locale|choose)(?:$|[/_.-])",
    re.IGNORECASE,
)


class Signal(Enum):
    NONE = "none"
    WEAK = "weak"  # a phrase inside a longer title/heading: confirm with a sibling probe
    STRONG = "strong"  # the title/heading is a not-found label


def heading_signal(text: str) -> Signal:
    """How strongly the page's title and top headings say "not found"."""
    found = Signal.NONE
    for candidate in [html.title(text) or "", *html.headings(text, "h1")]:
        for segment in _SEPARATORS.split(html.fold(candidate)):
            segment = segment.strip()
            if segment in {"404", "error 404", "404 error"}:
                return Signal.STRONG
            phrase = next((p for p in NOT_FOUND_PHRASES if p in segment), None)
            if phrase is None:
                continue
            rest = _FILLER.sub(" ", segment.replace(phrase, " "))
            # "Page Not Found: A Novel" is a work's title with a subtitle, not a label.
            subtitled = re.search(re.escape(phrase) + r"\s*:\s*\w", segment) is not None
            labelled = (phrase not in WEAK_ALONE or "404" in segment) and not subtitled
            if labelled and len(_WORD.findall(rest)) <= MAX_EXTRA_WORDS:
                return Signal.STRONG
            found = Signal.WEAK
    return found


def is_html(page: Page) -> bool:
    kind = page.headers.get("content-type", "").lower()
    if kind:
        return "html" in kind
    return b"<html" in page.body[:2048].lower()


def redirected_to_home(page: Page) -> bool:
    """A deep link that ended on the same site's front page."""
    return (
        page.final_url != page.requested_url
        and html.same_site(page.requested_url, page.final_url)
        and not html.is_home_path(html.path(page.requested_url))
        and html.is_home_path(html.path(page.final_url))
    )


def bounced_within_site(page: Page) -> bool:
    """A deep link redirected to another deep page of the same site (maybe a section page)."""
    if not page.redirects or page.final_url == page.requested_url:
        return False
    asked, landed = html.path(page.requested_url), html.path(page.final_url)
    return (
        html.same_site(page.requested_url, page.final_url)
        and not html.is_home_path(asked)
        and not html.is_home_path(landed)
        and asked.rstrip("/").lower() != landed.rstrip("/").lower()
        and not _GATE.search(landed)
    )


@dataclass(frozen=True, slots=True)
class Sibling:
    """What a path that cannot exist got: where it ended, and what that page looks like."""

    final_url: str
    fingerprint: Fingerprint


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a page looks like, with the URL's own path taken out (error pages echo it)."""

    status: int
    title: str
    shingles: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, status: int, body: bytes, url: str) -> Fingerprint:
        text = body.decode("utf-8", errors="replace")
        where = html.path(url)
        noise = {w for w in _WORD.findall(html.fold(where))}
        heading = _WORD.findall(html.fold(html.title(text) or ""))
        title = " ".join(w for w in heading if w not in noise)
        words = [w for w in _WORD.findall(html.fold(html.visible_text(text))) if w not in noise]
        shingles = frozenset(tuple(words[i : i + 3]) for i in range(max(len(words) - 2, 1)))
        return cls(status, title, shingles)

    def same_page_as(self, other: Fingerprint) -> bool:
        if self.title != other.title or not (200 <= other.status < 300):
            return False
        union = self.shingles | other.shingles
        if not union:
            return True
        return len(self.shingles & other.shingles) / len(union) >= SIMILAR


def sibling_url(url: str) -> str:
    """A path next to ``url``'s that cannot exist (random), same scheme, host and directory."""
    parts = urlsplit(url)
    directory = parts.path.rsplit("/", 1)[0] if "/" in parts.path else ""
    token = f"linkcheck-{secrets.token_hex(8)}"
    return urlunsplit((parts.scheme, parts.netloc, f"{directory}/{token}", "", ""))


def _cache_key(url: str) -> str:
    parts = urlsplit(url)
    directory = parts.path.rsplit("/", 1)[0] if "/" in parts.path else ""
    return f"{parts.scheme}://{parts.netloc.lower()}{directory}"


class Soft404Detector:
    """Generic: consulted for 2xx HTML pages of any site, after the platform detectors."""

    name = "soft404"
    generic = True  # not a platform: results keep ``platform`` empty

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        # host+directory -> what a page that cannot exist got (None: probe failed)
        self._siblings: OrderedDict[str, Sibling | None] = OrderedDict()
        self._cache_size = cache_size

    def wants(self, url: str) -> bool:
        return url.lower().startswith(("http://", "https://"))

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not (200 <= page.status < 300) or not is_html(page):
            return None
        text = page.text
        # A domain is parked as a whole: on a site whose front page is live (a crawl read it),
        # a page that stayed on it is not scanned (the scan is half of this detector's time).
        parked = (
            None if page.on_live_site else parked_signal(text, page.requested_url, page.final_url)
        )
        if parked:
            return Verdict(Status.BROKEN, Reason.PARKED_DOMAIN, f"The domain is parked: {parked}")
        if redirected_to_home(page):
            return Verdict(
                Status.BROKEN,
                Reason.REDIRECT_TO_HOME,
                "The link redirects to the site's front page: the page it named is gone.",
            )
        signal = heading_signal(text)
        if signal is Signal.STRONG:
            return Verdict(
                Status.BROKEN, Reason.SOFT_404, "The page answers 200 but says it was not found."
            )
        if bounced_within_site(page):
            sibling = await self._sibling(page.requested_url, probe)
            if sibling is not None and sibling.final_url == page.final_url:
                return Verdict(
                    Status.BROKEN,
                    Reason.SOFT_404,
                    f"The link redirects to {html.path(page.final_url)}, where a path that "
                    "cannot exist on the site lands too: the page it named is gone.",
                )
        if signal is Signal.WEAK and await self._sibling_is_same(page, probe):
            return Verdict(
                Status.BROKEN,
                Reason.SOFT_404,
                "The page answers 200 and looks the same as a path that cannot exist on the "
                "site: it is the site's not-found page.",
            )
        return None

    async def _sibling_is_same(self, page: Page, probe: Probe) -> bool:
        sibling = await self._sibling(page.final_url, probe)
        if sibling is None:
            return False
        return Fingerprint.of(page.status, page.body, page.final_url).same_page_as(
            sibling.fingerprint
        )

    async def _sibling(self, url: str, probe: Probe) -> Sibling | None:
        """What a random path next to ``url`` gets (one probe per host and directory)."""
        key = _cache_key(url)
        if key in self._siblings:
            self._siblings.move_to_end(key)
            return self._siblings[key]
        target = sibling_url(url)
        answer: ProbeResponse | None = await probe(target)
        sibling = None
        if answer is not None:
            fingerprint = Fingerprint.of(answer.status, answer.body, target)
            # Only a 2xx landing counts as "the same place" (a 404 there is an honest host).
            landed = answer.final_url if 200 <= answer.status < 300 else ""
            sibling = Sibling(landed, fingerprint)
        self._siblings[key] = sibling
        if len(self._siblings) > self._cache_size:
            self._siblings.popitem(last=False)
        return sibling
