from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkcheck.engine import ssrf
from linkcheck.engine.ssrf import (
    ForbiddenTarget,
    NameNotFound,
    ResolutionFailed,
    forbidden_reason,
    resolve_vetted,
    vet_address,
)
from linkcheck.engine.urls import normalize_url

# (address, words the reason must contain). Edges of every deny-list range are included.
REFUSED = [
    # IPv4 deny list
    ("0.0.0.0", "unspecified"),
    ("0.0.0.1", "this network"),
    ("0.255.255.255", "this network"),
    ("10.0.0.0", "RFC 1918"),
    ("10.0.0.5", "RFC 1918"),
    ("10.255.255.255", "RFC 1918"),
    ("100.64.0.0", "carrier-grade NAT"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.255", "carrier-grade NAT"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.255", "loopback"),
    ("169.254.0.0", "link-local"),
    ("169.254.169.254", "cloud metadata"),
    ("169.254.255.255", "link-local"),
    ("172.16.0.0", "RFC 1918"),
    ("172.31.255.255", "RFC 1918"),
    ("192.0.0.0", "IETF"),
    ("192.0.0.8", "IETF"),
    ("192.0.0.255", "IETF"),
    ("192.0.2.1", "documentation"),
    ("192.88.99.1", "6to4 relay"),
    ("192.168.0.0", "RFC 1918"),
    ("192.168.255.255", "RFC 1918"),
    ("198.18.0.0", "benchmarking"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.255", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.254", "reserved"),
    ("255.255.255.255", "broadcast"),
    # IPv6 deny list
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("fd00:ec2::254", "cloud metadata"),
    ("fc00::", "unique local"),
    ("fd12:3456::1", "unique local"),
    ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local"),
    ("fe80::", "link-local"),
    ("fe80::1", "link-local"),
    ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("ff0e::1", "multicast"),
    ("100::1", "discard"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("5f00::1", "segment routing"),
    ("4000::1", "reserved"),
    ("200::1", "reserved"),
    # IPv4 hidden in IPv6
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:10.0.0.1", "IPv4-mapped private"),
    ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
    ("::127.0.0.1", "IPv4-compatible loopback"),
    ("::8.8.8.8", "IPv4-compatible"),
    ("64:ff9b::7f00:1", "NAT64 embedding 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 embedding 169.254.169.254"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("2002:7f00:1::", "6to4 embedding 127.0.0.1"),
    ("2002:a00:1::", "6to4 embedding 10.0.0.1"),
    ("2002:c0a8:101::1", "6to4 embedding 192.168.1.1"),
    # Teredo: server 65.54.227.120, client 10.0.0.1 stored XOR-ed as f5ff:fffe
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo embedding client 10.0.0.1"),
    # Teredo: server 127.0.0.1 (client public 8.8.8.8 -> f7f7:f7f7)
    ("2001:0:7f00:1::f7f7:f7f7", "Teredo embedding server 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "Teredo"),
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "9.255.255.255",  # just below 10/8
    "11.0.0.0",  # just above
    "100.63.255.255",  # just below CGNAT
    "100.128.0.0",  # just above
    "172.15.255.255",
    "172.32.0.0",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",  # just below multicast
    "2606:4700:4700::1111",
    "2a00:1450:4001:81c::200e",
    "2002:808:808::1",  # 6to4 embedding public 8.8.8.8
    "::ffff:8.8.8.8",  # IPv4-mapped public
    "64:ff9b::808:808",  # NAT64 of public 8.8.8.8
]


@pytest.mark.parametrize(("address", "words"), REFUSED)
def test_refused_addresses(address: str, words: str) -> None:
    reason = forbidden_reason(ipaddress.ip_address(address))
    assert reason is not None
    assert words in reason


@pytest.mark.parametrize("address", ALLOWED)
def test_globally_routable_addresses_pass(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert forbidden_reason(ip) is None
    vet_address(ip, allow_private=False)  # does not raise


def test_vet_address_names_the_address_and_why() -> None:
    with pytest.raises(ForbiddenTarget) as caught:
        vet_address(ipaddress.ip_address("10.0.0.5"), allow_private=False)
    assert "10.0.0.5" in caught.value.detail
    assert "private (RFC 1918)" in caught.value.detail


def test_allow_private_turns_vetting_off() -> None:
    vet_address(ipaddress.ip_address("127.0.0.1"), allow_private=True)
    vet_address(ipaddress.ip_address("169.254.169.254"), allow_private=True)


# -- resolve_vetted: literals and local names cause no network traffic -----------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "::1", "2130706433", "0x7f.1"])
async def test_resolve_vetted_refuses_loopback_literals(host: str) -> None:
    with pytest.raises(ForbiddenTarget):
        await resolve_vetted(host, 80, allow_private=False)


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", ["127.0.0.1"]), ("[::1]", ["::1"]), ("0x7f.1", ["127.0.0.1"])],
)
async def test_resolve_vetted_allows_literals_when_private_allowed(
    host: str, expected: list[str]
) -> None:
    assert await resolve_vetted(host, 80, allow_private=True) == expected


async def test_public_literal_skips_dns() -> None:
    assert await resolve_vetted("8.8.8.8", 443, allow_private=False) == ["8.8.8.8"]


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST.", "app.localhost", "printer.local", "db.internal"]
)
async def test_local_names_refused_without_resolving(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not resolve")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(ForbiddenTarget) as caught:
        await resolve_vetted(host, 80, allow_private=False)
    assert "local-only" in caught.value.detail


async def test_localhost_resolves_when_private_allowed() -> None:
    addresses = await resolve_vetted("localhost", 80, allow_private=True)
    assert addresses
    assert all(ipaddress.ip_address(a).is_loopback for a in addresses)
    assert len(addresses) == len(set(addresses))


# -- resolve_vetted: DNS answers, simulated at the getaddrinfo seam (no traffic) -------------


def fake_dns(monkeypatch: pytest.MonkeyPatch, answer: list[str] | Exception) -> list[str]:
    """Replace getaddrinfo; return the list of names it was asked for."""
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> object:
        asked.append(host)
        if isinstance(answer, Exception):
            raise answer
        infos = []
        for address in answer:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if ":" in address else (address, port)
            infos.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


async def test_public_name_resolves_once_deduped_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = fake_dns(monkeypatch, ["93.184.216.34", "2606:2800:220:1::1", "93.184.216.34"])
    result = await resolve_vetted("example.com", 443, allow_private=False)
    assert result == ["93.184.216.34", "2606:2800:220:1::1"]
    assert asked == ["example.com"]


async def test_name_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a name an attacker controls that mixes a public and a metadata address
    fake_dns(monkeypatch, ["93.184.216.34", "169.254.169.254"])
    # Then the whole name is refused, naming the bad address
    with pytest.raises(ForbiddenTarget) as caught:
        await resolve_vetted("rebind.example", 80, allow_private=False)
    assert "rebind.example" in caught.value.detail
    assert "169.254.169.254" in caught.value.detail


async def test_name_resolving_to_mapped_loopback_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_dns(monkeypatch, ["::ffff:127.0.0.1"])
    with pytest.raises(ForbiddenTarget):
        await resolve_vetted("sneaky.example", 80, allow_private=False)


async def test_private_answer_passes_when_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, ["10.0.0.5"])
    assert await resolve_vetted("intranet.example", 80, allow_private=True) == ["10.0.0.5"]


@pytest.mark.parametrize("name", ["EAI_NONAME", "EAI_NODATA"])
async def test_no_such_name(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    code = getattr(socket, name, None)
    if code is None:
        pytest.skip(f"{name} does not exist on this platform")
    fake_dns(monkeypatch, socket.gaierror(code, "Name or service not known"))
    with pytest.raises(NameNotFound) as caught:
        await resolve_vetted("nope.example", 80, allow_private=False)
    assert "nope.example" in caught.value.detail


async def test_other_dns_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, socket.gaierror(socket.EAI_AGAIN, "Temporary failure"))
    with pytest.raises(ResolutionFailed):
        await resolve_vetted("flaky.example", 80, allow_private=False)


async def test_empty_answer_is_name_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, [])
    with pytest.raises(NameNotFound):
        await resolve_vetted("empty.example", 80, allow_private=False)


async def test_dns_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    release = threading.Event()

    def slow(*args: object, **kwargs: object) -> object:
        release.wait(2)  # bounded: the worker thread ends soon after the test
        return []

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    try:
        with pytest.raises(ResolutionFailed) as caught:
            await resolve_vetted("slow.example", 80, allow_private=False, timeout=0.05)
    finally:
        release.set()
    assert "slow.example" in caught.value.detail


def test_error_classes_carry_detail() -> None:
    for cls in (ssrf.ForbiddenTarget, ssrf.NameNotFound, ssrf.ResolutionFailed):
        error = cls("what happened")
        assert error.detail == "what happened" == str(error)


# -- every spelling of a private IPv4 address is refused -------------------------------------

PRIVATE_NETWORKS = [
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]


@st.composite
def private_ipv4(draw: st.DrawFn) -> ipaddress.IPv4Address:
    network = draw(st.sampled_from(PRIVATE_NETWORKS))
    offset = draw(st.integers(min_value=0, max_value=network.num_addresses - 1))
    return network[offset]


def _number(value: int, style: str) -> str:
    if style == "hex":
        return hex(value)
    if style == "HEX":
        return "0X" + format(value, "X")
    if style == "octal":
        return "0" + format(value, "o")
    return str(value)


@st.composite
def spelling(draw: st.DrawFn, ip: ipaddress.IPv4Address) -> str:
    """Any inet_aton / WHATWG spelling: 1 to 4 parts, each in its own base, maybe a final dot."""
    value = int(ip)
    octets = list(ip.packed)
    parts_count = draw(st.integers(min_value=1, max_value=4))
    # the leading parts are single octets; the last part holds all remaining bytes
    leading = octets[: parts_count - 1]
    last = value & ((1 << (8 * (5 - parts_count))) - 1)
    styles = st.sampled_from(["decimal", "hex", "HEX", "octal"])
    parts = [_number(octet, draw(styles)) for octet in leading] + [_number(last, draw(styles))]
    return ".".join(parts) + draw(st.sampled_from(["", "."]))


@given(data=st.data())
def test_every_spelling_of_a_private_ipv4_is_refused(data: st.DataObject) -> None:
    ip = data.draw(private_ipv4())
    host = data.draw(spelling(ip))
    target = normalize_url(f"http://{host}/")
    assert target.ip == ip
    assert target.host == str(ip)
    assert forbidden_reason(ip) is not None
    with pytest.raises(ForbiddenTarget):
        vet_address(target.ip, allow_private=False)
