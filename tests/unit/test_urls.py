from __future__ import annotations

import ipaddress

import pytest

from linkcheck.engine.urls import BadUrl, Target, normalize_url, parse_ip_host, resolve_relative
from linkcheck.engine.verdict import Reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # IDN to punycode, case
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        ("http://BÜCHER.example/", "http://xn--bcher-kva.example/"),
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        # default ports dropped, others kept
        ("http://example.com:80/", "http://example.com/"),
        ("https://example.com:443/", "https://example.com/"),
        ("https://example.com:80/", "https://example.com:80/"),
        ("http://example.com:/", "http://example.com/"),
        # fragment dropped, empty path becomes "/"
        ("https://example.com/a#section", "https://example.com/a"),
        ("https://example.com#top", "https://example.com/"),
        ("https://example.com/a?b=1#c", "https://example.com/a?b=1"),
        # whitespace trimmed
        ("  https://example.com/a \n", "https://example.com/a"),
        ("\thttps://example.com/\r\n", "https://example.com/"),
        # percent-encoding: spaces and non-ASCII encoded, existing escapes kept (hex upper-cased)
        ("https://example.com/a b?q=x y", "https://example.com/a%20b?q=x%20y"),
        ("https://example.com/caf\u00e9", "https://example.com/caf%C3%A9"),
        ("https://example.com/%7euser%2f", "https://example.com/%7Euser%2F"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("https://example.com/?a=1&b=2+3", "https://example.com/?a=1&b=2+3"),
        # dot segments resolved (also when percent-encoded), trailing dot of the host dropped
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/%2e%2E/b", "https://example.com/b"),
        ("https://example.com./", "https://example.com/"),
        # backslashes read as slashes, the way browsers read them
        ("https://example.com\\a\\b", "https://example.com/a/b"),
        # odd IPv4 spellings become the dotted quad
        ("http://2130706433/", "http://127.0.0.1/"),
        ("http://0x7f000001/", "http://127.0.0.1/"),
        ("http://0X7F000001/", "http://127.0.0.1/"),
        ("http://0177.0.0.1/", "http://127.0.0.1/"),
        ("http://127.1/", "http://127.0.0.1/"),
        ("http://0x7f.1/", "http://127.0.0.1/"),
        ("http://10.1.1/", "http://10.1.0.1/"),
        ("http://127.0.0.1./", "http://127.0.0.1/"),
        ("http://%31%32%37.0.0.1/", "http://127.0.0.1/"),
        ("http://\uff11\uff12\uff17\u3002\uff10\uff0e\uff10\uff0e\uff11/", "http://127.0.0.1/"),
        # IPv6 literals canonicalised
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://[0:0:0:0:0:0:0:1]/", "http://[::1]/"),
        ("http://[2001:DB8::1]:443/", "http://[2001:db8::1]:443/"),
        # no scheme but plainly a host: https:// is assumed
        ("example.com", "https://example.com/"),
        ("www.example.com/page?x=1", "https://www.example.com/page?x=1"),
        ("example.com:8443/x", "https://example.com:8443/x"),
        ("localhost:8080", "https://localhost:8080/"),
        ("//example.com/a", "https://example.com/a"),
        # missing slashes after an http(s) scheme, as browsers accept
        ("http:example.com/a", "http://example.com/a"),
        ("https:///example.com/a", "https://example.com/a"),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw).url == expected


def test_target_is_split_for_the_fetcher() -> None:
    # Given a URL with an explicit port, path and query
    target = normalize_url("HTTPS://Bücher.Example:8443/a b?q=1#frag")
    # Then every part the fetcher needs is there, normalised
    assert target == Target(
        url="https://xn--bcher-kva.example:8443/a%20b?q=1",
        scheme="https",
        host="xn--bcher-kva.example",
        port=8443,
        ip=None,
    )
    assert target.origin == "https://xn--bcher-kva.example:8443"
    assert target.netloc == "xn--bcher-kva.example:8443"
    assert target.path_and_query == "/a%20b?q=1"


def test_default_port_is_filled_and_omitted_from_origin() -> None:
    target = normalize_url("http://example.com")
    assert (target.port, target.origin, target.path_and_query) == (80, "http://example.com", "/")
    assert normalize_url("https://example.com").port == 443


def test_ip_literals_carry_their_address() -> None:
    v4 = normalize_url("http://0x7f.1:8000/")
    assert (v4.host, v4.ip, v4.port) == ("127.0.0.1", ipaddress.ip_address("127.0.0.1"), 8000)
    v6 = normalize_url("http://[::FFFF:127.0.0.1]/")
    assert v6.ip == ipaddress.ip_address("::ffff:127.0.0.1")
    assert v6.host == str(v6.ip)
    assert v6.origin == f"http://[{v6.host}]"
    assert normalize_url("https://example.com/").ip is None


@pytest.mark.parametrize(
    ("raw", "fragment_of_detail"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("/just/a/path", "relative"),
        ("?q=1", "relative"),
        ("foo", "add http:// or https://"),
        ("http://", "no host"),
        ("http:///", "no host"),
        ("https://exa mple.com/", "not allowed"),
        ("https://a..b/", "empty part"),
        ("https://example.com:0/", "port"),
        ("https://example.com:65536/", "port"),
        ("https://example.com:http/", "port"),
        ("https://::1/", "brackets"),
        ("https://[::1/", "closing ]"),
        ("https://[::1]x/", "after the IPv6"),
        ("https://[127.0.0.1]/", "IPv6"),
        ("https://[fe80::1%25eth0]/", "zone"),
        ("https://1.2.3.09/", "IPv4"),
        ("https://1.2.3.4.5/", "IPv4"),
        ("https://256.0.0.1/", "IPv4"),
        ("https://example.123/", "IPv4"),
        ("https://exa\tmple.com/", "control character"),
        ("https://example.com/a\nb", "control character"),
        ("https://example.com/a\x00b", "control character"),
        ("https://example.com/a\x7fb", "control character"),
        ("https://" + "a" * 64 + ".com/", "longer than 63"),
        ("https://" + "a." * 130 + "com/", "longer than 253"),
        ("https://example.com/" + "a" * 9000, "limit is 8192"),
        ("https://%ff.example/", "UTF-8"),
        ("https://a\u200db.example/", "internationalised"),
    ],
)
def test_bad_urls_say_what_to_fix(raw: str, fragment_of_detail: str) -> None:
    with pytest.raises(BadUrl) as caught:
        normalize_url(raw)
    assert caught.value.reason is Reason.BAD_URL
    assert fragment_of_detail in caught.value.detail
    assert str(caught.value) == caught.value.detail


@pytest.mark.parametrize(
    "raw",
    [
        "https://user:secret@example.com/",
        "https://user@example.com/",
        "https://:secret@example.com/",
        "http://example.com@127.0.0.1/",
    ],
)
def test_credentials_are_refused_and_never_echoed(raw: str) -> None:
    with pytest.raises(BadUrl) as caught:
        normalize_url(raw)
    assert caught.value.reason is Reason.BAD_URL
    assert "credentials" in caught.value.detail
    assert "secret" not in caught.value.detail


@pytest.mark.parametrize(
    ("raw", "scheme"),
    [
        ("ftp://example.com/file", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("JavaScript:alert(1)", "javascript"),
        ("mailto:someone@example.com", "mailto"),
        ("file:///etc/passwd", "file"),
        ("data:text/html,hi", "data"),
        ("tel:+15551234", "tel"),
        ("ws://example.com/", "ws"),
        ("gopher://127.0.0.1:6379/_INFO", "gopher"),
    ],
)
def test_unsupported_schemes(raw: str, scheme: str) -> None:
    with pytest.raises(BadUrl) as caught:
        normalize_url(raw)
    assert caught.value.reason is Reason.UNSUPPORTED_SCHEME
    assert f"{scheme}:" in caught.value.detail
    assert "http:// and https://" in caught.value.detail


def test_backslash_trick_reads_like_a_browser() -> None:
    # "\" ends the authority for browsers, so the host is example.com, not evil.test
    target = normalize_url("http://example.com\\@evil.test/")
    assert target.host == "example.com"
    assert target.path_and_query == "/@evil.test/"


BASE = normalize_url("https://example.com/dir/page?x=1#top")


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/other", "https://example.com/other"),
        ("other", "https://example.com/dir/other"),
        ("../up", "https://example.com/up"),
        ("./same?y=2", "https://example.com/dir/same?y=2"),
        ("?y=2", "https://example.com/dir/page?y=2"),
        ("#frag", "https://example.com/dir/page?x=1"),
        ("", "https://example.com/dir/page?x=1"),
        ("//cdn.example.net/a", "https://cdn.example.net/a"),
        ("\\\\cdn.example.net/a", "https://cdn.example.net/a"),
        ("///cdn.example.net/a", "https://cdn.example.net/a"),
        ("http://Other.Example:80/b#c", "http://other.example/b"),
        ("HTTPS://other.example/", "https://other.example/"),
        ("https:relative", "https://example.com/dir/relative"),
        ("https:/rooted", "https://example.com/rooted"),
        ("http:other.example/x", "http://other.example/x"),
        ("/a b/ü", "https://example.com/a%20b/%C3%BC"),
        ("  /trimmed  ", "https://example.com/trimmed"),
        ("http://2130706433/", "http://127.0.0.1/"),
        ("//0x7f.1/", "https://127.0.0.1/"),
    ],
)
def test_resolve_relative(location: str, expected: str) -> None:
    assert resolve_relative(BASE, location).url == expected


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("javascript:alert(1)", Reason.UNSUPPORTED_SCHEME),
        ("ftp://example.com/", Reason.UNSUPPORTED_SCHEME),
        ("example.com:8080/x", Reason.UNSUPPORTED_SCHEME),  # a scheme in a Location, not a host
        ("https://user:pw@example.com/", Reason.BAD_URL),
        ("//", Reason.BAD_URL),
        ("/a\tb", Reason.BAD_URL),
    ],
)
def test_resolve_relative_refuses(location: str, reason: Reason) -> None:
    with pytest.raises(BadUrl) as caught:
        resolve_relative(BASE, location)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F.0x0.0.0x1", "127.0.0.1"),
        ("10.0x10.1", "10.16.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("4294967295", "255.255.255.255"),
        ("1.2.3.4.", "1.2.3.4"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("[::ffff:10.0.0.1]", "::ffff:a00:1"),
    ],
)
def test_parse_ip_host(host: str, expected: str) -> None:
    assert parse_ip_host(host) == ipaddress.ip_address(expected)


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "4294967296",  # 2**32
        "1.2.3.256",
        "1.256.3",  # a middle part above 255
        "1.2.3.4.5",
        "08.0.0.1",  # not octal
        "0xg.1",
        "1..2",
        "+1.2.3.4",
        "1_0.0.0.1",
        " 1.2.3.4",
        "fe80::1%eth0",
        "",
    ],
)
def test_parse_ip_host_rejects(host: str) -> None:
    assert parse_ip_host(host) is None
