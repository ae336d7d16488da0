"""Generic soft-404 and parked-domain detection (pure: pages built in the test)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from linkcheck.engine.detectors import Page, ProbeResponse
from linkcheck.engine.platforms.parked import parked_signal
from linkcheck.engine.platforms.soft404 import Signal, Soft404Detector, heading_signal
from linkcheck.engine.verdict import Hop, Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page, read

SHOP = "https://shop.harbour.example/products/boots"


@pytest.mark.parametrize(
    ("title", "signal"),
    [
        ("Page Not Found | Harbour Shop", Signal.STRONG),
        ("404", Signal.STRONG),
        ("Oops! 404 - Page not found", Signal.STRONG),
        ("Seite nicht gefunden \u2013 Hafen GmbH", Signal.STRONG),
        ("P\u00e1gina no encontrada", Signal.STRONG),
        ("\u30da\u30fc\u30b8\u304c\u898b\u3064\u304b\u308a\u307e\u305b\u3093", Signal.STRONG),
        ("How to fix 404 Not Found errors in nginx | Docs", Signal.WEAK),
        ("Not Found (2015 film) | Movies", Signal.WEAK),  # a bare "not found" is not a label
        ("Top 10 songs of 2020", Signal.NONE),
        ("Harbour News", Signal.NONE),
    ],
)
def test_heading_signal(title: str, signal: Signal) -> None:
    assert heading_signal(f"<html><title>{title}</title></html>") is signal


def test_text_mentions_are_not_signals() -> None:
    body = "<title>Shipping news</title><p>The parcel was not found. 404 page not found.</p>"
    assert heading_signal(body) is Signal.NONE


async def test_strong_title_is_soft_404_without_a_probe() -> None:
    probe = StaticProbe()
    verdict = await Soft404Detector().detect(page(SHOP, "generic/shop_not_found.html"), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BROKEN, Reason.SOFT_404)
    assert probe.calls == []


async def test_weak_title_is_confirmed_by_a_sibling_probe_and_cached_per_host() -> None:
    detector = Soft404Detector()
    probe = StaticProbe({"https://blog.harbour.example/2015/": (200, "generic/blog_missing.html")})
    first = page("https://blog.harbour.example/2015/old-post", "generic/blog_missing.html")
    second = page("https://blog.harbour.example/2015/other-post", "generic/blog_missing.html")
    assert (await detector.detect(first, probe)) is not None
    verdict = await detector.detect(second, probe)
    assert verdict is not None and verdict.reason is Reason.SOFT_404
    assert len(probe.calls) == 1  # one probe per host and directory
    assert "linkcheck-" in probe.calls[0]


async def test_weak_title_with_a_real_404_sibling_is_kept() -> None:
    probe = StaticProbe({"https://docs.harbour.example/": (404, "generic/docs_404.html")})
    article = page("https://docs.harbour.example/guides/fix", "generic/fix_404_article.html")
    assert await Soft404Detector().detect(article, probe) is None
    assert len(probe.calls) == 1


async def test_failed_probe_never_makes_a_page_broken() -> None:
    article = page("https://docs.harbour.example/guides/fix", "generic/fix_404_article.html")
    assert await Soft404Detector().detect(article, StaticProbe()) is None


async def test_cache_is_bounded() -> None:
    detector = Soft404Detector(cache_size=2)
    probe = StaticProbe()
    for n in range(5):
        url = f"https://site{n}.example/a/page"
        await detector.detect(page(url, "generic/fix_404_article.html"), probe)
    assert len(detector._siblings) == 2


@pytest.mark.parametrize(
    "fixture",
    ["generic/article.html", "generic/spa_shell.html", "generic/domain_sale_article.html"],
)
async def test_ordinary_pages_are_not_judged(fixture: str) -> None:
    probe = StaticProbe()
    assert await Soft404Detector().detect(page(SHOP, fixture), probe) is None
    assert probe.calls == []


async def test_redirect_to_front_page_of_same_site() -> None:
    moved = page(
        "https://news.harbour.example/2019/story",
        "generic/home.html",
        final="https://www.news.harbour.example/",
        redirects=[Hop("https://news.harbour.example/2019/story", 301)],
    )
    verdict = await Soft404Detector().detect(moved, StaticProbe())
    assert verdict is not None and verdict.reason is Reason.REDIRECT_TO_HOME


async def test_redirect_to_another_sites_front_page_is_not_judged() -> None:
    moved = page(
        "https://old.example/2019/story", "generic/home.html", final="https://new.example/"
    )
    assert await Soft404Detector().detect(moved, StaticProbe()) is None


@pytest.mark.parametrize("fixture", ["generic/parked_loader.html", "generic/for_sale.html"])
async def test_parked_domains(fixture: str) -> None:
    verdict = await Soft404Detector().detect(page(SHOP, fixture), StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BROKEN, Reason.PARKED_DOMAIN)


async def test_a_page_on_a_live_site_is_not_scanned_for_parking_but_still_for_404s() -> None:
    parked = replace(page(SHOP, "generic/parked_loader.html"), on_live_site=True)
    assert await Soft404Detector().detect(parked, StaticProbe()) is None
    missing = replace(page(SHOP, "generic/shop_not_found.html"), on_live_site=True)
    verdict = await Soft404Detector().detect(missing, StaticProbe())
    assert verdict is not None and verdict.reason is Reason.SOFT_404


def test_redirect_to_a_domain_marketplace_is_parked() -> None:
    assert parked_signal("<html></html>", "https://gone.example/", "https://sedo.com/search?d=x")
    assert parked_signal("<html></html>", "https://sedo.com/x", "https://sedo.com/y") is None


async def test_non_html_and_errors_are_ignored() -> None:
    detector = Soft404Detector()
    json_page = page(
        SHOP, body=b'{"title": "Page not found"}', headers={"content-type": "application/json"}
    )
    assert await detector.detect(json_page, StaticProbe()) is None
    real_404 = page(SHOP, "generic/shop_not_found.html", status=404)
    assert await detector.detect(real_404, StaticProbe()) is None


@pytest.mark.parametrize(
    ("path", "home"),
    [
        ("/", True),
        ("/en/", True),
        ("/pt-br", True),
        ("/index.html", True),
        ("/ok", False),  # two letters, but no language: a deep page
        ("/go/", False),
        ("/blog/post", False),
    ],
)
def test_front_page_paths(path: str, home: bool) -> None:
    from linkcheck.engine.platforms.html import is_home_path

    assert is_home_path(path) is home


class BouncingProbe:
    """A site that redirects every missing product to one section page."""

    def __init__(self, lands: str, status: int = 200) -> None:
        self.lands, self.status = lands, status
        self.calls: list[str] = []

    async def __call__(self, url: str) -> ProbeResponse | None:
        self.calls.append(url)
        return ProbeResponse(self.status, self.lands, {}, read("generic/collections_all.html"))


ALL = "https://shop.harbour.example/collections/all"


def bounced(requested: str, final: str = ALL) -> Page:
    return page(
        requested, "generic/collections_all.html", final=final, redirects=[Hop(requested, 301)]
    )


async def test_removed_page_bounced_to_the_same_section_as_a_missing_path_is_soft_404() -> None:
    detector, probe = Soft404Detector(), BouncingProbe(ALL)
    verdict = await detector.detect(bounced("https://shop.harbour.example/products/lamp"), probe)
    assert verdict is not None and (verdict.status, verdict.reason) == (
        Status.BROKEN,
        Reason.SOFT_404,
    )
    assert probe.calls[0].startswith("https://shop.harbour.example/products/linkcheck-")
    # One probe per host and directory.
    await detector.detect(bounced("https://shop.harbour.example/products/chair"), probe)
    assert len(probe.calls) == 1


async def test_a_redirect_to_somewhere_else_than_missing_paths_is_kept() -> None:
    probe = BouncingProbe(ALL)
    sale = bounced("https://shop.harbour.example/sale", "https://shop.harbour.example/c/sale")
    assert await Soft404Detector().detect(sale, probe) is None
    honest = BouncingProbe(ALL, status=404)  # missing paths get a real 404
    lamp = bounced("https://shop.harbour.example/products/lamp")
    assert await Soft404Detector().detect(lamp, honest) is None


@pytest.mark.parametrize(
    ("requested", "final"),
    [
        ("https://shop.harbour.example/", ALL),  # a root path is never a soft-404
        ("https://shop.harbour.example/products/lamp", "https://other.example/collections/all"),
        (
            "http://shop.harbour.example/products/lamp",
            "https://shop.harbour.example/products/lamp/",
        ),
        ("https://shop.harbour.example/account/orders", "https://shop.harbour.example/login"),
        ("https://shop.harbour.example/p/1", "https://shop.harbour.example/consent"),
    ],
)
async def test_bounces_that_are_never_judged(requested: str, final: str) -> None:
    probe = BouncingProbe(final)
    assert await Soft404Detector().detect(bounced(requested, final), probe) is None
    assert probe.calls == []
