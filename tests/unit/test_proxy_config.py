"""The proxy configuration (``--proxy``, ``CHECK_PROXY_URL``): parsing, host filter, NO_PROXY,
the CONNECT request, and credentials that never show."""

from __future__ import annotations

import base64

import pytest

from linkcheck.engine.proxy import Proxy, ProxyConfigError, split_hosts


def test_a_full_url_is_read_with_its_percent_encoded_credentials() -> None:
    proxy = Proxy.parse("http://alice:p%40ss%3Aword@proxy.corp:3128")
    assert (proxy.host, proxy.port, proxy.username, proxy.password) == (
        "proxy.corp",
        3128,
        "alice",
        "p@ss:word",
    )
    assert "p@ss" not in repr(proxy) and "alice" not in repr(proxy)


def test_a_missing_scheme_means_http() -> None:
    assert Proxy.parse("10.0.0.5:8080").address == "10.0.0.5:8080"
    assert Proxy.parse("http://[fd00::5]:8080").address == "[fd00::5]:8080"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://proxy.corp:443", "must start with http://"),
        ("socks5://proxy.corp:1080", "must start with http://"),
        ("http://proxy.corp", "has no port"),
        ("http://:3128", "has no host"),
        ("http://proxy.corp:99999", "bad port"),
        ("http://proxy.corp:3128/path", "host:port only"),
    ],
)
def test_unusable_urls_say_what_to_fix(url: str, message: str) -> None:
    with pytest.raises(ProxyConfigError, match=message):
        Proxy.parse(url)


def test_the_host_filter_covers_named_domains_and_their_subdomains_only() -> None:
    proxy = Proxy.parse("http://p:1", only=split_hosts("tiktok.com, .instagram.com"))
    assert proxy.only == ("tiktok.com", "instagram.com")
    assert proxy.applies_to("www.tiktok.com") and proxy.applies_to("TikTok.com.")
    assert proxy.applies_to("www.instagram.com")
    assert not proxy.applies_to("tiktok.com.evil.example")
    assert not proxy.applies_to("eviltiktok.com")
    assert not proxy.applies_to("example.com")
    assert Proxy.parse("http://p:1").applies_to("example.com")  # no filter: every host


def test_bypassed_hosts_follow_no_proxy_conventions() -> None:
    proxy = Proxy.parse("http://p.corp:3128", bypass=["internal.corp", ".svc", " 10.1.2.3"])
    assert not proxy.applies_to("api.internal.corp")
    assert not proxy.applies_to("x.svc")
    assert not proxy.applies_to("10.1.2.3")
    assert proxy.applies_to("www.tiktok.com")
    assert not Proxy.parse("p:1", bypass=["*"]).applies_to("a.b")


def test_the_connect_request_names_the_address_and_authenticates() -> None:
    proxy = Proxy.parse("http://alice:secret@p:1")
    token = base64.b64encode(b"alice:secret").decode()
    assert proxy.connect_request("203.0.113.9", 443) == (
        b"CONNECT 203.0.113.9:443 HTTP/1.1\r\nHost: 203.0.113.9:443\r\n"
        + f"Proxy-Authorization: Basic {token}\r\n\r\n".encode()
    )
    assert Proxy.parse("http://p:1").connect_request("2001:db8::1", 80) == (
        b"CONNECT [2001:db8::1]:80 HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n"
    )


def test_refusals_are_one_sentence_without_credentials() -> None:
    with_auth = Proxy.parse("http://alice:secret@p:3128")
    assert "authentication failed" in with_auth.refusal(407)
    assert "secret" not in with_auth.refusal(407) and "alice" not in with_auth.refusal(407)
    assert "requires authentication" in Proxy.parse("http://p:3128").refusal(407)
    assert Proxy.parse("http://p:3128").refusal(502) == (
        "The proxy at p:3128 refused the tunnel: it answered 502 Bad Gateway to CONNECT."
    )
