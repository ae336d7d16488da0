"""Refusals of the checker (bot walls, captchas, WAF block pages): signals only (pure).

A site that refuses an automated or data-centre client answers with a challenge or block page,
at any status (200, 403, 429, 503...). Such a page says nothing about the link: the verdict is
``blocked``, never ``broken`` (a 503 challenge must not count as a server failure either).

Precision first: an article that quotes "Just a moment..." or talks about Cloudflare is not a
wall, so every rule needs a structural marker (a response header, the page title, a script or
form the vendor serves), never a phrase in running text alone:

- Cloudflare: header ``cf-mitigated: challenge`` (any status; headers are enough, so a HEAD
  answer is recognised too); the challenge page (title "Just a moment..." with the
  challenge-platform script, or ``window._cf_chl_opt`` set in a script); the block page
  ("Sorry, you have been blocked" as a heading, on Cloudflare's error page); its rate-limit
  page ("You are being rate limited" there: ``rate_limited``).
- Amazon's Robot Check (200 or 503): the ``/errors/validateCaptcha`` form, or two of: the
  title "Robot Check", an ``opfcaptcha.amazon.com`` resource, "Sorry, we just need to make
  sure you're not a robot".
- DataDome: header ``x-dd-b`` (its block flag), header ``x-datadome`` on a 403/429, or a
  refusal status whose page loads the captcha from ``captcha-delivery.com``.
- Google's /sorry/ page: "Our systems have detected unusual traffic from your computer
  network" on a /sorry/ path, a refusal status, or with its reCAPTCHA.

Cloudflare also puts ``/cdn-cgi/challenge-platform/scripts/jsd/`` on ordinary live pages (bot
detection running in the background): that path alone is not a wall.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..detectors import Page, Probe
from ..verdict import Reason, Status, Verdict
from . import html

SCAN_BYTES = 64 * 1024  # walls are small pages: their markers sit near the top
# Cheap byte markers: the precise rules below run only when one of these is in the prefix.
_HINTS = (
    b"_cf_chl_opt",
    b"challenge-platform",
    b"Just a moment",
    b"have been blocked",
    b"rate limited",
    b"alidateCaptcha",
    b"Robot Check",
    b"opfcaptcha",
    b"not a robot",
    b"captcha-delivery.com",
    b"unusual traffic",
)
_REFUSAL_STATUSES = frozenset({403, 405, 429})

_CF_CHALLENGE_SCRIPT = re.compile(
    r"""<script\b[^>]*>[^<]*window\._cf_chl_opt\s*="""
    r"""|<script\b[^>]*\bsrc\s*=\s*["'][^"']*/cdn-cgi/challenge-platform/(?!scripts/jsd/)""",
    re.IGNORECASE,
)
_CF_ERROR_PAGE = re.compile(
    r"""\bid\s*=\s*["']cf-error-details["']|\bid\s*=\s*["']cf-wrapper["']"""
    r"""|data-translate\s*=\s*["']block_headline["']""",
    re.IGNORECASE,
)
_AMAZON_FORM = re.compile(
    r"""<form\b[^>]*\baction\s*=\s*["'][^"']*/errors/validatecaptcha""", re.IGNORECASE
)
_AMAZON_RESOURCE = re.compile(
    r"""\b(?:src|href|action)\s*=\s*["'](?:https?:)?//opfcaptcha(?:-prod)?\.amazon\.com""",
    re.IGNORECASE,
)
_DATADOME_PAGE = re.compile(
    r"""\bsrc\s*=\s*["'](?:https?:)?//[\w.-]*captcha-delivery\.com"""
    r"""|['"]host['"]\s*:\s*['"][\w.-]*captcha-delivery\.com""",
    re.IGNORECASE,
)
_RECAPTCHA = re.compile(r"""g-recaptcha|recaptcha/api\.js|id\s*=\s*["']captcha-form""", re.I)

JUST_A_MOMENT = frozenset({"just a moment...", "just a moment\u2026", "just a moment"})
AMAZON_PHRASE = "sorry, we just need to make sure you're not a robot"
GOOGLE_PHRASE = "our systems have detected unusual traffic from your computer network"


def _wall(vendor: str, what: str) -> Verdict:
    return Verdict(
        Status.BLOCKED,
        Reason.BOT_CHALLENGE,
        f"{vendor} answered with {what} instead of the page: the checker was refused, "
        "which says nothing about the link.",
    )


def _rate_limited(vendor: str) -> Verdict:
    return Verdict(
        Status.BLOCKED,
        Reason.RATE_LIMITED,
        f"{vendor} rate limited the checker, which says nothing about the link.",
    )


def header_refusal(status: int, headers: Mapping[str, str]) -> Verdict | None:
    """A refusal that the response headers alone prove (works on HEAD answers)."""
    if "challenge" in headers.get("cf-mitigated", "").lower():
        return _wall("Cloudflare", "a challenge")
    flag = headers.get("x-dd-b", "").strip()
    if flag and flag != "0":
        return _wall("DataDome", "a challenge")
    if status in _REFUSAL_STATUSES and "x-datadome" in headers:
        return _wall("DataDome", "a block")
    return None


def refusal_signal(
    status: int, headers: Mapping[str, str], body: bytes, url: str
) -> Verdict | None:
    """The refusal this response is, or None (an ordinary page, live or dead)."""
    found = header_refusal(status, headers)
    if found is not None or not body:
        return found
    prefix = body[:SCAN_BYTES]
    if not any(hint in prefix for hint in _HINTS):
        return None
    text = prefix.decode("utf-8", errors="replace")
    return (
        _cloudflare(text) or _amazon(text) or _datadome(status, text) or _google(status, text, url)
    )


def _cloudflare(text: str) -> Verdict | None:
    title = html.fold(html.title(text) or "")
    if _CF_CHALLENGE_SCRIPT.search(text):
        return _wall("Cloudflare", "a challenge")
    if title in JUST_A_MOMENT and "challenge-platform" in text:
        return _wall("Cloudflare", "a challenge")
    if _CF_ERROR_PAGE.search(text):
        said = html.fold(" ".join([title, *html.headings(text, "h1"), *html.headings(text, "h2")]))
        if "you are being rate limited" in said:
            return _rate_limited("Cloudflare")
        if "sorry, you have been blocked" in said:
            return _wall("Cloudflare", "a block page")
    return None


def _amazon(text: str) -> Verdict | None:
    if _AMAZON_FORM.search(text):
        return _wall("Amazon", "its Robot Check")
    signals = [
        html.fold(html.title(text) or "") == "robot check",
        bool(_AMAZON_RESOURCE.search(text)),
        AMAZON_PHRASE in html.fold(html.visible_text(text)),
    ]
    return _wall("Amazon", "its Robot Check") if sum(signals) >= 2 else None


def _datadome(status: int, text: str) -> Verdict | None:
    if (status in _REFUSAL_STATUSES or status >= 500) and _DATADOME_PAGE.search(text):
        return _wall("DataDome", "a captcha")
    return None


def _google(status: int, text: str, url: str) -> Verdict | None:
    if GOOGLE_PHRASE not in html.fold(html.visible_text(text)):
        return None
    sorry_page = html.path(url).startswith("/sorry/")
    if sorry_page or status in _REFUSAL_STATUSES or status >= 500 or _RECAPTCHA.search(text):
        return _wall("Google", "its unusual-traffic captcha")
    return None


class RefusalDetector:
    """Consulted first, on every final response that has a body or refusal headers."""

    name = "refusal"
    first = True  # before platform and generic detectors, whatever the status

    def wants(self, url: str) -> bool:
        return True

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        return refusal_signal(page.status, page.headers, page.body, page.final_url)
