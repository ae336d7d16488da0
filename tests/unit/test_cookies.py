"""The cookie jar of one check (pure): RFC 6265's rules where they decide what is sent."""

from __future__ import annotations

from linkcheck.engine.cookies import MAX_COOKIES, CookieJar
from linkcheck.engine.urls import normalize_url

NOW = 2_000_000_000.0  # 2033


def jar_after(url: str, *lines: str) -> CookieJar:
    jar = CookieJar()
    jar.store("\n".join(lines), normalize_url(url), now=NOW)
    return jar


def sent(jar: CookieJar, url: str) -> str | None:
    return jar.header(normalize_url(url))


def test_a_host_only_cookie_goes_back_to_that_host_only() -> None:
    jar = jar_after("https://shop.example.com/a", "id=1")
    assert sent(jar, "https://shop.example.com/b") == "id=1"
    assert sent(jar, "https://www.shop.example.com/") is None
    assert sent(jar, "https://example.com/") is None


def test_a_domain_cookie_reaches_the_domain_and_its_subdomains() -> None:
    jar = jar_after("https://www.example.com/", "id=1; Domain=.example.com")
    assert sent(jar, "https://example.com/") == "id=1"
    assert sent(jar, "https://m.example.com/x") == "id=1"
    assert sent(jar, "https://badexample.com/") is None


def test_foreign_top_level_and_ip_domains_are_refused() -> None:
    assert (
        sent(jar_after("https://a.example.com/", "x=1; Domain=other.com"), "https://other.com/")
        is None
    )
    assert jar_after("https://a.example.com/", "x=1; Domain=com").version == 0
    assert jar_after("http://127.0.0.1/", "x=1; Domain=0.0.1").version == 0
    assert (
        sent(jar_after("http://127.0.0.1/", "x=1; Domain=127.0.0.1"), "http://127.0.0.1/") == "x=1"
    )


def test_paths_match_by_segment_and_default_to_the_directory() -> None:
    jar = jar_after("https://example.com/docs/page", "a=1", "b=2; Path=/docs/guide")
    assert sent(jar, "https://example.com/docs/other") == "a=1"
    assert sent(jar, "https://example.com/docs/guide/x") == "b=2; a=1"  # longer path first
    assert sent(jar, "https://example.com/docs/guidebook") == "a=1"
    assert sent(jar, "https://example.com/") is None


def test_secure_cookies_need_https_both_ways() -> None:
    assert jar_after("http://example.com/", "s=1; Secure").version == 0
    jar = jar_after("https://example.com/", "s=1; Secure")
    assert sent(jar, "https://example.com/") == "s=1"
    assert sent(jar, "http://example.com/") is None


def test_expiry_deletes_and_max_age_wins_over_expires() -> None:
    jar = jar_after("https://example.com/", "a=1", "b=2")
    jar.store(
        "a=; Max-Age=0\nb=2; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        normalize_url("https://example.com/"),
        now=NOW,
    )
    assert sent(jar, "https://example.com/") == "b=2"
    jar.store(
        "b=2; Expires=Thu, 01 Jan 1970 00:00:00 GMT", normalize_url("https://example.com/"), now=NOW
    )
    assert sent(jar, "https://example.com/") is None


def test_the_version_changes_only_when_what_is_sent_changes() -> None:
    jar = jar_after("https://example.com/", "a=1")
    target = normalize_url("https://example.com/")
    jar.store("a=1", target, now=NOW)
    assert jar.version == 1
    jar.store("a=2", target, now=NOW)
    assert jar.version == 2


def test_garbage_and_oversized_lines_are_ignored_and_the_jar_is_bounded() -> None:
    target = normalize_url("https://example.com/")
    jar = CookieJar()
    jar.store(
        "\n".join(["", "novalue", "=x", "big=" + "x" * 5000, "e=1; Max-Age=abc; Expires=never"]),
        target,
        now=NOW,
    )
    assert sent(jar, "https://example.com/") == "e=1"
    jar.store("\n".join(f"c{i}=1" for i in range(200)), target, now=NOW)
    assert (sent(jar, "https://example.com/") or "").count("=") == MAX_COOKIES
