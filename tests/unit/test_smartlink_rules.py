"""Smart links' pure rules: what a slug may be, generated slugs, keys, which URL is served."""

from __future__ import annotations

import pytest

from linkcheck.domain.slugs import (
    ALPHABET,
    CLICK_RETENTION_DAYS,
    GENERATED_LENGTH,
    RESERVED,
    click_expiry,
    click_key,
    day_of,
    is_slug,
    new_slug,
    slug_key,
    slug_problem,
)
from linkcheck.domain.smartlinks import Serving, serving_for
from linkcheck.domain.transitions import LinkState
from linkcheck.handlers.redirect import destination_of, redirect_to


@pytest.mark.parametrize(
    "slug", ["abc", "spring-sale", "Spring_Sale_2026", "x" * 64, "a-b", "___", "API2"]
)
def test_good_slugs(slug: str) -> None:
    assert slug_problem(slug) is None and is_slug(slug)


@pytest.mark.parametrize(
    ("slug", "says"),
    [
        ("ab", "3 to 64"),
        ("x" * 65, "3 to 64"),
        ("", "3 to 64"),
        ("has space", "may only hold"),
        ("dot.ted", "may only hold"),
        ("slash/ed", "may only hold"),
        ("ünïcode", "may only hold"),
        ("%2e%2e", "may only hold"),
        ("docs", "reserved"),
        ("ADMIN", "reserved"),
        ("SmartLinks", "reserved"),
    ],
)
def test_bad_slugs_say_what_to_fix(slug: str, says: str) -> None:
    problem = slug_problem(slug)
    assert problem is not None and says in problem
    assert not is_slug(slug)


def test_reserved_words_are_lower_case_and_valid_otherwise() -> None:
    assert all(word == word.lower() for word in RESERVED)
    assert {"r", "api", "docs", "ui", "smartlinks", "links"} <= RESERVED


def test_generated_slugs_are_short_url_safe_and_distinct() -> None:
    slugs = {new_slug() for _ in range(2000)}
    assert len(slugs) == 2000  # ~52 bits each: a repeat here would be a bug
    for slug in slugs:
        assert len(slug) == GENERATED_LENGTH and is_slug(slug)
        assert set(slug) <= set(ALPHABET)
    assert not set("0O1lI") & set(ALPHABET)  # nothing to misread


def test_keys() -> None:
    assert slug_key("bio") == ("SLUG#bio", "SLUG")
    assert click_key("bio", "a1b2", "2026-11-27") == ("CLICK#bio#a1b2", "DAY#2026-11-27")


def test_click_days_are_utc_and_expire_after_the_retention() -> None:
    assert day_of(0) == "1970-01-01"
    assert day_of(86399.9) == "1970-01-01" and day_of(86400) == "1970-01-02"
    assert click_expiry("1970-01-01") == (CLICK_RETENTION_DAYS + 1) * 86400


@pytest.mark.parametrize(
    ("state", "serving"),
    [
        (LinkState.UNCHECKED, Serving.TARGET),
        (LinkState.OK, Serving.TARGET),
        (LinkState.BROKEN, Serving.FALLBACK),
        (LinkState.RESTRICTED, Serving.FALLBACK),
        (LinkState.DOWN, Serving.FALLBACK),
    ],
)
def test_the_fallback_is_served_exactly_while_the_target_is_dead(
    state: LinkState, serving: Serving
) -> None:
    assert serving_for(state) is serving


def test_every_link_state_has_a_rule() -> None:
    assert {serving_for(state) for state in LinkState} == set(Serving)


ITEM = {"target_url": "https://t.example/", "fallback_url": "https://f.example/", "id": "i"}


@pytest.mark.parametrize(
    ("serving", "location"),
    [
        ("target", "https://t.example/"),
        ("fallback", "https://f.example/"),
        (None, "https://t.example/"),
    ],
)
def test_the_redirect_reads_what_to_serve_from_the_slug_item(
    serving: str | None, location: str
) -> None:
    destination = destination_of({**ITEM, "serving": serving})
    assert destination is not None and destination.location == location


def test_an_item_that_cannot_serve_is_not_found() -> None:
    assert destination_of({**ITEM, "target_url": ""}) is None
    assert destination_of({"serving": "target"}) is None


def test_a_redirect_never_lets_a_browser_keep_it_and_escapes_its_page() -> None:
    response = redirect_to('https://t.example/?a="<x>"&b=1')
    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == 'https://t.example/?a="<x>"&b=1'
    assert response["headers"]["Cache-Control"] == "no-store"
    assert "Referrer-Policy" in response["headers"]
    assert "<x>" not in response["body"] and "&lt;x&gt;" in response["body"]
