"""Refusal recognition (pure): bot walls at any status are ``blocked``; articles are not walls."""

from __future__ import annotations

import pytest

from linkcheck.engine.platforms.refusal import RefusalDetector, header_refusal, refusal_signal
from linkcheck.engine.verdict import Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page, read

URL = "https://shop.example-cf.test/products/lamp"


def signal(
    status: int, fixture: str | None = None, *, body: bytes = b"", **headers: str
) -> tuple[Status, Reason] | None:
    data = read(fixture) if fixture else body
    found = refusal_signal(status, {k.replace("_", "-"): v for k, v in headers.items()}, data, URL)
    return (found.status, found.reason) if found else None


BLOCKED = (Status.BLOCKED, Reason.BOT_CHALLENGE)


@pytest.mark.parametrize("status", [200, 403, 429, 503])
def test_cf_mitigated_header_alone_is_a_challenge_at_any_status(status: int) -> None:
    assert signal(status, cf_mitigated="challenge") == BLOCKED  # a HEAD answer: no body


@pytest.mark.parametrize(
    ("status", "fixture"),
    [
        (403, "refusals/cf_challenge.html"),
        (503, "refusals/cf_under_attack.html"),  # the older 503 challenge: never http_5xx
        (403, "refusals/cf_block.html"),
        (200, "refusals/amazon_robot_check.html"),
        (503, "refusals/amazon_robot_check.html"),
        (403, "refusals/datadome_403.html"),
        (429, "refusals/google_sorry.html"),
    ],
)
def test_wall_pages_are_blocked_without_any_header(status: int, fixture: str) -> None:
    assert signal(status, fixture) == BLOCKED


def test_datadome_headers() -> None:
    assert signal(403, x_dd_b="1") == BLOCKED
    assert signal(403, x_datadome="protected") == BLOCKED
    # Every answer of a DataDome site carries x-datadome: on a 200 it is not a refusal.
    assert signal(200, x_datadome="protected") is None
    assert signal(200, x_dd_b="0") is None
    # The captcha script on a 200 page (or quoted in an article) is not a block by itself.
    assert signal(200, "refusals/datadome_403.html") is None


def test_cloudflare_rate_limit_page_is_rate_limited() -> None:
    body = (
        b"<html><head><title>Access denied | harbour.example used Cloudflare to restrict access"
        b'</title></head><body><div id="cf-wrapper"><div id="cf-error-details">'
        b"<h1>Error 1015</h1><h2>You are being rate limited</h2></div></div></body></html>"
    )
    assert signal(429, body=body) == (Status.BLOCKED, Reason.RATE_LIMITED)


@pytest.mark.parametrize("status", [200, 404])
def test_an_article_about_walls_is_not_a_wall(status: int) -> None:
    assert signal(status, "refusals/article_quotes_walls.html") is None


def test_cloudflare_background_bot_script_on_a_live_page_is_not_a_wall() -> None:
    body = (
        b"<html><head><title>Harbour tours</title><script>(function(){window.__CF$cv$params="
        b"{r:'1',t:'2'};var a=document.createElement('script');"
        b"a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';})();</script></head>"
        b"<body><h1>Harbour tours</h1></body></html>"
    )
    assert signal(200, body=body, server="cloudflare", cf_ray="8f00-AMS") is None


def test_just_a_moment_title_needs_the_challenge_script() -> None:
    body = b"<html><head><title>Just a moment...</title></head><body>Loading the map</body></html>"
    assert signal(200, body=body) is None


def test_amazon_needs_two_signals_or_its_form() -> None:
    phrase_only = b"<p>Sorry, we just need to make sure you're not a robot.</p>"
    assert signal(200, body=phrase_only) is None
    title_and_phrase = b"<title dir='ltr'>Robot Check</title>" + phrase_only
    assert signal(200, body=title_and_phrase) == BLOCKED
    form = b'<form method="get" action="/errors/validateCaptcha"></form>'
    assert signal(503, body=form) == BLOCKED


def test_google_phrase_needs_the_sorry_page_or_a_refusal_status() -> None:
    text = b"<p>Our systems have detected unusual traffic from your computer network.</p>"
    assert signal(200, body=text) is None  # a help article quoting it
    assert signal(429, body=text) == BLOCKED
    found = refusal_signal(200, {}, text, "https://www.google.test/sorry/index?continue=x")
    assert found is not None and found.status is Status.BLOCKED


def test_header_refusal_is_cheap_and_case_insensitive_on_values() -> None:
    assert header_refusal(403, {"cf-mitigated": "Challenge"}) is not None
    assert header_refusal(403, {}) is None


async def test_detector_reads_the_page() -> None:
    shown = page(URL, "refusals/cf_challenge.html", status=403)
    verdict = await RefusalDetector().detect(shown, StaticProbe())
    assert verdict is not None and verdict.reason is Reason.BOT_CHALLENGE
    assert "says nothing about the link" in verdict.detail
