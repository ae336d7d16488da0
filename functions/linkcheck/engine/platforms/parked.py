"""Registrar parking and "domain for sale" pages: signals only (pure).

A parked domain answers 200 with a page of ads or a sale offer: the site the link pointed to
is gone. Signals, each enough on its own because none appears on ordinary pages:
- the parking providers' loader (``window.park = ...``, Sedo's ``sedoParkingUrl``) or a
  script, frame or stylesheet served by a parking or domain-sale provider (Namecheap's
  ``i.cdnpark.com``, GoDaddy's ``parking-lander``, ``dsparking.com``...);
- a title or main heading that offers the domain for sale or says it is parked (Namecheap's
  "NAME - Registered at Namecheap.com");
- a provider's own boilerplate sentence ("This Web page is parked for FREE, courtesy of
  GoDaddy.com", "This domain has expired.") on a short page: parking pages are a few lines,
  an article that quotes the sentence is not;
- a redirect from the link's host onto a domain marketplace.
Weak on their own (ad landers and sale pages share them with ordinary pages): "Related
Searches:", "inquire about this domain", sponsored listings, a title that is just the host
name; two of them together are a parked page.
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
    "cdnpark.com",
    "dsparking.com",
    "domainmarket.com",
    "sav.com",
    "domainlore.com",
)
MARKETPLACES = frozenset(
    {
        "sedo.com",
        "dan.com",
        "afternic.com",
        "hugedomains.com",
        "buydomains.com",
        "undeveloped.com",
        "domainmarket.com",
        "sav.com",
        "domainlore.com",
        "dsparking.com",
    }
)
_PROVIDER = "|".join(re.escape(p) for p in PROVIDERS)
_LOADER = re.compile(
    rf"""window\.park\s*=|\bsedoParkingUrl\b"""
    rf"""|<(?:script|iframe|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    rf"""(?:[\w-]+\.)*(?:{_PROVIDER})[/"'\s>]"""
    r"""|img\d?\.wsimg\.com/parking-lander""",
    re.IGNORECASE,
)
# Every match of _LOADER contains one of these (lower case): a plain substring search rules
# most pages out at once, where the regex alone tries its alternatives at every position
# (~70 ms on a 256 KiB page, enough for a batch of big pages to starve the event loop).
_LOADER_WORDS = ("window.park", "sedoparkingurl", "parking-lander", *PROVIDERS)
_FOR_SALE = re.compile(
    r"\b(?:domain|this site|[\w-]+\.[a-z]{2,})\s+(?:is|may be|might be)\s+for\s+sale\b"
    r"|\bbuy this domain\b|\bthis domain (?:is|has been) parked\b|\bparked free, courtesy of\b"
    r"|\bdomain (?:name )?for sale\b|\bregistered at namecheap\.com\b|\bthis domain is parked\b"
    r"|\bthis domain has expired\b|\bdomain registration has expired\b",
    re.IGNORECASE,
)
# Providers' boilerplate, folded (lower case, plain apostrophes): decisive on a short page.
BOILERPLATE = (
    "this web page is parked for free, courtesy of godaddy.com",
    "this domain name may be for sale",  # Afternic
    "this domain may be for sale!",  # Sedo
    "the sponsored listings displayed above are served automatically by a third party",
    "there are millions of other domains available on dan.com",
    "this domain is parked free of charge with namesilo.com",
    "the owner has not put up a site yet",  # Porkbun
    "this site is parked with dreamhost",
    "this domain is parked",  # easyDNS
    "this domain has expired.",
    "domain registration has expired.",
)
# Shared with ordinary pages: only two of them together say "parked".
WEAK = ("related searches:", "inquire about this domain", "sponsored listings")
SHORT_PAGE_WORDS = 400  # parking pages are a few lines; an article quoting them is longer


def parked_signal(page_text: str, requested_url: str, final_url: str) -> str | None:
    """Why the page looks like a parked or for-sale domain, else None."""
    final_host = html.host(final_url)
    if not html.same_site(requested_url, final_url) and any(
        final_host == m or final_host.endswith("." + m) for m in MARKETPLACES
    ):
        return f"the domain redirects to the domain marketplace {final_host}."
    if _has_loader(page_text):
        return "the page is a registrar parking page."
    title = html.title(page_text) or ""
    heading = " ".join([title, *html.headings(page_text)])
    if _FOR_SALE.search(heading):
        return "the page offers the domain for sale or says it is parked."
    visible = html.visible_text(page_text)
    # The signals left hold on short pages only; folding changes no word count.
    if len(visible.split()) > SHORT_PAGE_WORDS:
        return None
    text = html.fold(visible)
    if any(_stated(sentence, text) for sentence in BOILERPLATE):
        return "the page is a registrar's parking or expiry page."
    weak = sum(marker in text for marker in WEAK)
    if title and html.fold(title) in {html.host(requested_url), final_host}:
        weak += 1  # a lander titled with the bare domain name
    if weak >= 2:
        return "the page is an advertising lander for the domain."
    return None


def _has_loader(page_text: str) -> bool:
    """``_LOADER.search(page_text)``, the regex run only when one of its words is there."""
    folded = page_text.casefold()  # like IGNORECASE for the ASCII the words are made of
    return any(word in folded for word in _LOADER_WORDS) and bool(_LOADER.search(page_text))


def _stated(sentence: str, text: str) -> bool:
    """``sentence`` is in ``text`` and not inside quotation marks (a page quoting it is not it)."""
    start = text.find(sentence)
    while start >= 0:
        before = text[:start].rstrip()[-1:]
        if before not in {'"', "'"}:
            return True
        start = text.find(sentence, start + 1)
    return False
