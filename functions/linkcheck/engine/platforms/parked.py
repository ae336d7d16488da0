"""Registrar parking and "domain for sale" pages: signals only (pure).

A parked domain answers 200 with a page of ads or a sale offer: the site the link pointed to
is gone. Signals, each enough on its own because none appears on ordinary pages:
- the parking providers' loader (``window.park = ...``) or a script/frame served by a parking
  or domain-sale provider;
- a title or main heading that offers the domain for sale or says it is parked;
- a redirect from the link's host onto a domain marketplace.
A mere *link* to a provider is not a signal (blogs write about domain sales).
"""

from __future__ import annotations

import re

from . import html

PROVIDERS = (
    "sedoparking.com",
    "parkingcrew.net",
    "bodis.com",
    "above.com",
    "parklogic.com",
    "domainsponsor.com",
    "dsultra.com",
    "namebrightstatic.com",
    "afternic.com",
    "dan.com",
    "hugedomains.com",
    "undeveloped.com",
    "buydomains.com",
    "sedo.com",
)
MARKETPLACES = frozenset(
    {"sedo.com", "dan.com", "afternic.com", "hugedomains.com", "buydomains.com", "undeveloped.com"}
)
_PROVIDER = "|".join(re.escape(p) for p in PROVIDERS)
_LOADER = re.compile(
    rf"""window\.park\s*=|<(?:script|iframe)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""
    rf"""(?:[\w-]+\.)*(?:{_PROVIDER})[/"'\s>]"""
    r"""|img\d?\.wsimg\.com/parking-lander""",
    re.IGNORECASE,
)
_FOR_SALE = re.compile(
    r"\b(?:domain|this site|[\w-]+\.[a-z]{2,})\s+(?:is|may be|might be)\s+for\s+sale\b"
    r"|\bbuy this domain\b|\bthis domain (?:is|has been) parked\b|\bparked free, courtesy of\b"
    r"|\bdomain (?:name )?for sale\b",
    re.IGNORECASE,
)


def parked_signal(page_text: str, requested_url: str, final_url: str) -> str | None:
    """Why the page looks like a parked or for-sale domain, else None."""
    final_host = html.host(final_url)
    if not html.same_site(requested_url, final_url) and any(
        final_host == m or final_host.endswith("." + m) for m in MARKETPLACES
    ):
        return f"the domain redirects to the domain marketplace {final_host}."
    if _LOADER.search(page_text):
        return "the page is a registrar parking page."
    heading = " ".join([html.title(page_text) or "", *html.headings(page_text)])
    if _FOR_SALE.search(heading):
        return "the page offers the domain for sale."
    return None
