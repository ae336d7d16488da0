"""Parked and expired domains: providers' markers, and pages that only talk about them (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkcheck.engine.platforms.parked import _LOADER, _has_loader, parked_signal
from tests.fixtures.pages.corpus import read

URL = "https://harbour-parked.example/some/page"


def parked(body: str, url: str = URL) -> bool:
    return parked_signal(body, url, url) is not None


@pytest.mark.parametrize(
    "fixture",
    [
        "generic/namecheap_parked.html",
        "generic/godaddy_parked.html",
        "generic/expired.html",
        "generic/related_searches_lander.html",
        "generic/parked_loader.html",
        "generic/for_sale.html",
    ],
)
def test_parking_fixtures(fixture: str) -> None:
    url = "https://tidepools.example.info/"
    assert parked(read(fixture).decode(), url)


@pytest.mark.parametrize(
    "body",
    [
        '<link rel="stylesheet" href="https://i.cdnpark.com/themes/x.css">',
        "<script>var sedoParkingUrl = 'https://sedoparking.com/x';</script>",
        '<img src="https://img1.wsimg.com/parking-lander/static/logo.svg">',
        '<script src="https://www.dsparking.com/js/lander.js"></script>',
        '<iframe src="https://www.domainmarket.com/buynow/harbour.example"></iframe>',
        "<p>This Web page is parked for FREE, courtesy of GoDaddy.com.</p>",
        "<p>This domain name may be for sale. Contact Afternic.</p>",
        "<p>This domain may be for sale!</p>",
        "<p>The Sponsored Listings displayed above are served automatically by a third party.</p>",
        "<p>There are millions of other domains available on DAN.COM</p>",
        "<p>This domain is parked free of charge with NameSilo.com.</p>",
        "<p>harbour.example is registered, but the owner has not put up a site yet.</p>",
        "<p>This site is parked with DreamHost.</p>",
        "<h2>This Domain is Parked</h2>",
        "<p>Domain registration has expired. Renew now.</p>",
        "<p>Related Searches:</p><p>Inquire about this domain</p>",
    ],
)
def test_provider_markers(body: str) -> None:
    assert parked(f"<html><head><title>Welcome</title></head><body>{body}</body></html>")


@pytest.mark.parametrize(
    "body",
    [
        read("generic/domain_sale_article.html").decode(),
        read("generic/related_searches_article.html").decode(),
        # one weak marker alone
        "<html><title>Harbour news</title><p>Related Searches:</p><ul><li>tides</li></ul></html>",
        # a link to a marketplace, not a script from it
        '<html><title>Our story</title><a href="https://sedo.com/">Sedo</a></html>',
        # a long article quoting a parking sentence without quotation marks
        "<html><title>Parking pages explained</title><p>"
        + "word " * 500
        + "This Web page is parked for FREE, courtesy of GoDaddy.com.</p></html>",
    ],
)
def test_pages_that_only_mention_parking_are_not_parked(body: str) -> None:
    assert not parked(body)


def test_namecheap_title() -> None:
    assert parked("<html><title>harbour.example - Registered at Namecheap.com</title></html>")


def test_a_title_that_is_the_bare_domain_is_weak() -> None:
    url = "https://tidepools.example.info/"
    assert not parked("<html><title>tidepools.example.info</title><p>Hello</p></html>", url)
    assert parked("<html><title>tidepools.example.info</title><p>Related Searches:</p></html>", url)


# The loader regex runs only when one of its words is on the page (a 256 KiB page without any
# cost ~70 ms of regex before, enough for a batch of big pages to starve the event loop and
# turn other checks into timeouts: tests/e2e/test_hostile_batch.py). The shortcut must never
# change the answer.
_PIECES = st.sampled_from(
    [
        "<script src=",
        "<iframe src='",
        "<LINK href=",
        "//",
        "https://",
        "www.",
        "SedoParking.com",
        "cdnpark.com/",
        "window.park =",
        "WINDOW.PARK=",
        "sedoParkingUrl",
        "img2.wsimg.com/parking-lander",
        "\u017fedo.com/",  # a long s: IGNORECASE and casefold both read it as "s"
        '"',
        ">",
        " ",
        "x",
    ]
)


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_loader_shortcut_answers_as_the_regex(text: str) -> None:
    assert _has_loader(text) == bool(_LOADER.search(text))


def test_a_long_page_is_still_read_for_a_loader_and_a_sale_heading() -> None:
    filler = "<p>" + "word " * 5000 + "</p>"
    loader = '<script src="https://www.dsparking.com/js/lander.js"></script>'
    assert parked(f"<html><head>{loader}</head><body>{filler}</body></html>")
    heading = "<h1>This domain is for sale</h1>"
    assert parked(f"<html><body>{heading}{filler}</body></html>")
    # Boilerplate on a long page is a quote, not a parking page.
    assert not parked(f"<html><body><p>This domain is parked</p>{filler}</body></html>")
