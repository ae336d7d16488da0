"""audit.scope and audit.robots: the same-site rule, URL filters, limits, robots.txt rules."""

from __future__ import annotations

import pytest

from linkcheck.audit.robots import from_answer, robots_url
from linkcheck.audit.scope import Filters, Limits, Scope, same_site, site_key

START = "https://example.com/docs/"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/other",
        "http://example.com/",  # the scheme does not matter
        "https://www.example.com/x",  # nor a leading www.
        "https://EXAMPLE.com:443/x",  # nor case, nor the default port
        "http://example.com:80/x",
    ],
)
def test_same_site(url: str) -> None:
    assert same_site(url, START)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com:8443/",  # another port is another site
        "https://sub.example.com/",
        "https://example.org/",
        "https://notexample.com/",
        "mailto:someone@example.com",
        "file:///example.com/x",
        "https://[bad/",
    ],
)
def test_other_sites(url: str) -> None:
    assert not same_site(url, START)


def test_site_key_keeps_an_explicit_port() -> None:
    assert site_key("http://127.0.0.1:8000/a") == ("127.0.0.1", 8000)
    assert site_key("https://www.example.com/") == ("example.com", None)


def test_exclude_wins_and_include_restricts() -> None:
    filters = Filters.compile(include=[r"/docs/"], exclude=[r"/docs/private"])
    assert filters.allows("https://example.com/docs/a")
    assert not filters.allows("https://example.com/docs/private/b")
    assert not filters.allows("https://example.com/blog/")
    assert Filters.compile().allows("https://anything.example/")
    assert Scope((START,), filters).checks("https://example.com/docs/x")


def test_a_bad_pattern_names_the_option() -> None:
    with pytest.raises(ValueError, match=r"--exclude '\(' is not a valid regular expression"):
        Filters.compile(exclude=["("])


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError):
        Limits(max_pages=0)
    assert Limits(max_depth=0).max_depth == 0


ROBOTS = b"""
User-agent: linkcheck
Disallow: /private/

User-agent: *
Disallow: /
"""


def test_robots_rules_for_our_agent_then_everyone() -> None:
    ours = from_answer(200, ROBOTS, "linkcheck/1.0 (+https://example.invalid)")
    assert ours.allows("https://example.com/public")
    assert not ours.allows("https://example.com/private/x")
    other = from_answer(200, ROBOTS, "otherbot/2")
    assert not other.allows("https://example.com/public")


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (403, True), (429, False)])
def test_robots_answers_without_rules(status: int, allowed: bool) -> None:
    assert from_answer(status, None, "linkcheck").allows("https://example.com/") is allowed


@pytest.mark.parametrize("status", [500, 503, None])
def test_robots_unreachable_or_failing_disallows_everything(status: int | None) -> None:
    robots = from_answer(status, None, "linkcheck")
    assert not robots.allows("https://example.com/")
    assert "--no-robots" in robots.note


def test_robots_url_is_at_the_origin() -> None:
    assert robots_url("https://example.com:8443/a/b?c#d") == "https://example.com:8443/robots.txt"
