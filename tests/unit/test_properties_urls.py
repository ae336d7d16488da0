"""Properties of URL normalisation and the SSRF vetting it feeds.

- Normalising is idempotent: a normalised URL normalises to the same target (international
  names, percent-escapes, ports, IPv6 literals, dot segments, odd schemes and slashes).
- Normalising never opens the guard: whatever ``vet_host`` refuses as written, it refuses
  once the URL is normalised; and a refused address stays refused however it is spelt
  (decimal, octal, hex and shortened IPv4, IPv4 inside IPv6, bracket and case variants,
  trailing dots, percent-escapes, full-width digits and ideographic dots): the URL is either
  unreadable or names the same address, which is refused.

Bounded (``fuzz_examples``); ``LINKCHECK_FUZZ_SCALE`` runs them longer (docs/testing.md).
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from linkcheck.engine.ssrf import ForbiddenTarget, forbidden_reason, vet_host
from linkcheck.engine.urls import BadUrl, Target, normalize_url
from linkcheck.registration import refused_address
from tests.fuzzing import fuzz_examples

# ---------------------------------------------------------------- URLs of every shape

LABELS = st.sampled_from(
    [
        "example", "com", "EXAMPLE", "a-b", "_srv", "xn--bcher-kva", "bücher", "BÜCHER",
        "пример", "例え", "straße", "ǅ", "localhost", "local", "x" * 63, "%65x%41mple",
        "%C3%BC", "0", "0x1f", "1a",
        "\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45",  # "example", full-width
    ]
)  # fmt: skip
NAMES = st.builds(
    lambda labels, dot, tld: dot.join([*labels, tld]),
    st.lists(LABELS, min_size=1, max_size=3),
    st.sampled_from([".", "。", "\uff0e"]),
    st.sampled_from(["com", "org", "de", "xn--p1ai", "рф", "COM", "com."]),
)


def ipv4_spelling(value: int, parts: int, bases: list[str], trailing_dot: bool) -> str:
    """``value`` written as inet_aton would read it: ``parts`` numbers, each in its base."""
    octets = list(value.to_bytes(4, "big"))
    numbers = [*octets[: parts - 1], value & ((1 << (8 * (5 - parts))) - 1)]
    return ".".join(_number(n, base) for n, base in zip(numbers, bases, strict=False)) + (
        "." if trailing_dot else ""
    )


def _number(value: int, base: str) -> str:
    if base == "hex":
        return hex(value)
    if base == "HEX":
        return "0X" + format(value, "X")
    if base == "octal":
        return "0" + format(value, "o")
    if base == "zeros":
        return "00" + str(value) if value < 8 else str(value)  # "007" is octal 7 too
    return str(value)


BASES = st.lists(st.sampled_from(["decimal", "hex", "HEX", "octal", "zeros"]), min_size=4)


@st.composite
def ipv4_spellings(draw: st.DrawFn, address: ipaddress.IPv4Address) -> str:
    parts = draw(st.integers(min_value=1, max_value=4))
    return ipv4_spelling(int(address), parts, draw(BASES), draw(st.booleans()))


@st.composite
def ipv6_spellings(draw: st.DrawFn, address: ipaddress.IPv6Address) -> str:
    """Bracketed, compressed or not, any case, maybe with the last 32 bits as a dotted quad."""
    style = draw(st.sampled_from(["compressed", "exploded", "dotted", "upper"]))
    if style == "exploded":
        text = address.exploded
    elif style == "dotted":
        head = address.exploded.rsplit(":", 2)[0]
        text = f"{head}:{ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)}"
    else:
        text = address.compressed
    return f"[{text.upper() if style == 'upper' else text}]"


def escaped(text: str, which: list[bool]) -> str:
    """``text`` with the characters ``which`` marks percent-encoded (as a browser decodes)."""
    return "".join(
        f"%{ord(ch):02X}" if flag and ch.isascii() else ch
        for ch, flag in zip(text, which + [False] * len(text), strict=False)
    )


def widened(text: str, which: list[bool]) -> str:
    """``text`` with some digits and dots full-width (UTS 46 maps them back to ASCII)."""
    table = {**{str(d): chr(0xFF10 + d) for d in range(10)}, ".": "。"}
    return "".join(
        table.get(ch, ch) if flag else ch
        for ch, flag in zip(text, which + [False] * len(text), strict=False)
    )


ANY_IPV4 = st.integers(min_value=0, max_value=2**32 - 1).map(ipaddress.IPv4Address)
ANY_IPV6 = st.integers(min_value=0, max_value=2**128 - 1).map(ipaddress.IPv6Address)
HOSTS = st.one_of(
    NAMES,
    ANY_IPV4.flatmap(ipv4_spellings),
    ANY_IPV6.flatmap(ipv6_spellings),
    st.builds(escaped, NAMES, st.lists(st.booleans())),
)
SCHEMES = st.sampled_from(["http://", "https://", "HTTPS://", "hTTp:", "https:///", "//", ""])
PORTS = st.one_of(
    st.just(""),
    st.integers(min_value=1, max_value=65535).map(lambda port: f":{port}"),
    st.sampled_from([":80", ":443", ":0080", ":"]),
)
SEGMENTS = st.sampled_from(
    [
        "a", "B", ".", "..", "%2e", "%2E%2e", ".%2E", "%2F", "%7e", "~", "é", "a b", "%", "%zz",
        "%41", "x;y=1", "@", ":", "!$&'()*+,=", "\\", "", "日本",
    ]
)  # fmt: skip
PATHS = st.lists(SEGMENTS, max_size=6).map(lambda parts: "".join("/" + p for p in parts))
QUERIES = st.one_of(
    st.just(""),
    st.text(alphabet="abc=&%20?/é +#\\'", max_size=12).map(lambda q: "?" + q),
)
FRAGMENTS = st.sampled_from(["", "#", "#top", "#a b", "#%41"])
URLS = st.builds(lambda *parts: "".join(parts), SCHEMES, HOSTS, PORTS, PATHS, QUERIES, FRAGMENTS)


def normalized(raw: str) -> Target | None:
    try:
        return normalize_url(raw)
    except BadUrl:
        return None


@settings(max_examples=fuzz_examples(150), deadline=None)
@given(raw=URLS)
@example(raw="http://Bücher.example。COM.:80/a/./b/../%2e%2E/c?q=é#f")
@example(raw="https://[0:0:0:0:0:FFFF:7F00:1]:443/")
@example(raw="http://0x7f.1/%7e/")
def test_normalising_a_normalised_url_changes_nothing(raw: str) -> None:
    target = normalized(raw)
    if target is None:
        return
    assert normalize_url(target.url) == target
    assert normalize_url(target.origin + target.path_and_query) == target


@settings(max_examples=fuzz_examples(100), deadline=None)
@given(raw=st.text(max_size=40))
def test_normalising_any_text_is_idempotent_or_refused(raw: str) -> None:
    target = normalized(raw)
    if target is not None:
        assert normalize_url(target.url) == target


# ---------------------------------------------------------------- refused stays refused


def refused_after_normalising(url: str) -> bool:
    """True when the URL is unreadable, or readable and its host refused by every check."""
    target = normalized(url)
    if target is None:
        return True
    refused = refused_address(target, allow_private=False) is not None
    if target.ip is not None:
        assert (forbidden_reason(target.ip) is not None) == refused
    return refused


def refused_before(host: str) -> bool:
    try:
        vet_host(host, allow_private=False)
    except ForbiddenTarget:
        return True
    return False


RAW_HOSTS = st.one_of(
    HOSTS,
    st.text(alphabet="0123456789abcdefxX.:[]%lochst", max_size=24),
    st.sampled_from(["localhost", "LOCALHOST.", "a.local", "x.internal.", "b.home.arpa"]),
)


@settings(max_examples=fuzz_examples(150), deadline=None)
@given(host=RAW_HOSTS, scheme=st.sampled_from(["http://", "https://", "//"]), port=PORTS)
@example(host="0177.0.0.1", scheme="http://", port="")
@example(host="[::ffff:127.0.0.1]", scheme="http://", port=":8080")
@example(host="LocalHost.", scheme="https://", port="")
def test_what_the_vetting_refuses_as_written_it_refuses_once_normalised(
    host: str, scheme: str, port: str
) -> None:
    if refused_before(host):
        assert refused_after_normalising(f"{scheme}{host}{port}/")


# Refused addresses: every IPv4 deny-list network, and IPv6 ones, plain or carrying IPv4.
REFUSED_V4 = [
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    )
]  # fmt: skip
REFUSED_V6 = [
    ipaddress.IPv6Network(n)
    for n in ("::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "2001:db8::/32")
]


@st.composite
def in_network(draw: st.DrawFn, networks: list[ipaddress.IPv4Network]) -> ipaddress.IPv4Address:
    network = draw(st.sampled_from(networks))
    return network[draw(st.integers(min_value=0, max_value=network.num_addresses - 1))]


@st.composite
def refused_ipv6(draw: st.DrawFn) -> ipaddress.IPv6Address:
    """A refused IPv6 address: from a denied network, or embedding a refused IPv4 one."""
    inner = int(draw(in_network(REFUSED_V4)))
    kind = draw(st.sampled_from(["plain", "mapped", "compatible", "nat64", "6to4"]))
    if kind == "plain":
        network = draw(st.sampled_from(REFUSED_V6))
        offset = draw(st.integers(min_value=0, max_value=network.num_addresses - 1))
        return network[offset]
    if kind == "mapped":
        return ipaddress.IPv6Address((0xFFFF << 32) | inner)
    if kind == "compatible":
        return ipaddress.IPv6Address(inner or 2)  # ::0 and ::1 are not embeddings
    if kind == "nat64":
        return ipaddress.IPv6Address((0x64FF9B << 96) | inner)
    return ipaddress.IPv6Address((0x2002 << 112) | (inner << 80) | 1)


@st.composite
def refused_spellings(draw: st.DrawFn) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str]:
    """A refused address and one of its spellings, maybe percent-escaped or full-width."""
    if draw(st.booleans()):
        v4 = draw(in_network(REFUSED_V4))
        text = draw(ipv4_spellings(v4))
        mangle = draw(st.sampled_from(["none", "escape", "widen"]))
        if mangle == "escape":
            text = escaped(text, draw(st.lists(st.booleans())))
        elif mangle == "widen":
            text = widened(text, draw(st.lists(st.booleans())))
        return v4, text
    v6 = draw(refused_ipv6())
    return v6, draw(ipv6_spellings(v6))


@settings(max_examples=fuzz_examples(200), deadline=None)
@given(refused=refused_spellings(), scheme=st.sampled_from(["http://", "https://", "//", ""]))
@example(refused=(ipaddress.IPv4Address("127.0.0.1"), "%30x7f.1"), scheme="http://")
@example(refused=(ipaddress.IPv4Address("169.254.169.254"), "\uff10xA9FEA9FE"), scheme="")
@example(refused=(ipaddress.IPv6Address("::ffff:a00:1"), "[::FFFF:10.0.0.1]"), scheme="https://")
def test_no_spelling_of_a_refused_address_is_accepted(
    refused: tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str], scheme: str
) -> None:
    address, spelling = refused
    assert forbidden_reason(address) is not None
    target = normalize_url(f"{scheme}{spelling}/x")  # every spelling here is a valid address
    assert target.ip == address
    assert target.host == str(address)
    assert refused_address(target, allow_private=False) is not None
    with pytest.raises(ForbiddenTarget):
        vet_host(target.host, allow_private=False)
