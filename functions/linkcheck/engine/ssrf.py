"""SSRF safety: which addresses the checker may connect to, and DNS resolution that vets them.

The checker fetches URLs from strangers, so by default it refuses every address that is not
globally routable (loopback, private, link-local and cloud metadata, CGNAT, ULA, multicast, ...)
including IPv4 addresses hidden inside IPv6 ones (IPv4-mapped, IPv4-compatible, NAT64, 6to4,
Teredo). A name is resolved once; if any of its addresses is refused the whole name is refused
(a name an attacker controls must not pass by mixing one public address in), and the fetcher
connects to the returned, vetted addresses only, so DNS cannot change between vetting and
connecting. ``allow_private=True`` (tests, ``linkcheck dev``) turns the address vetting off.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

from .urls import IPAddress, parse_ip_host

IPv4 = ipaddress.IPv4Address
IPv6 = ipaddress.IPv6Address
_net4 = ipaddress.IPv4Network
_net6 = ipaddress.IPv6Network


class TargetError(Exception):
    """Base of resolution outcomes the engine turns into a verdict; ``detail`` is one sentence."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ForbiddenTarget(TargetError):
    """The target is not publicly routable (engine: ``invalid`` / ``forbidden_target``)."""


class NameNotFound(TargetError):
    """No such host, NXDOMAIN (engine: ``broken`` / ``dns_nxdomain``)."""


class ResolutionFailed(TargetError):
    """DNS failed for another reason: SERVFAIL, timeout (engine: ``error`` / ``connect_error``)."""


# The explicit deny list (NOTES.md), checked before ``is_global`` so the reason is precise.
# Order matters: the first matching network names the reason.
_DENIED_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_net4("0.0.0.0/32"), "unspecified"),
    (_net4("0.0.0.0/8"), "'this network' (0.0.0.0/8)"),
    (_net4("10.0.0.0/8"), "private (RFC 1918)"),
    (_net4("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"),
    (_net4("127.0.0.0/8"), "loopback"),
    (_net4("169.254.0.0/16"), "link-local / cloud metadata"),
    (_net4("172.16.0.0/12"), "private (RFC 1918)"),
    (_net4("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"),
    (_net4("192.0.2.0/24"), "documentation"),
    (_net4("192.88.99.0/24"), "6to4 relay anycast (deprecated)"),
    (_net4("192.168.0.0/16"), "private (RFC 1918)"),
    (_net4("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
    (_net4("198.51.100.0/24"), "documentation"),
    (_net4("203.0.113.0/24"), "documentation"),
    (_net4("224.0.0.0/4"), "multicast"),
    (_net4("255.255.255.255/32"), "broadcast"),
    (_net4("240.0.0.0/4"), "reserved"),
)

_DENIED_V6: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_net6("::/128"), "unspecified"),
    (_net6("::1/128"), "loopback"),
    (_net6("fd00:ec2::254/128"), "cloud metadata (AWS IMDS over IPv6)"),
    (_net6("fc00::/7"), "unique local IPv6"),
    (_net6("fe80::/10"), "link-local"),
    (_net6("fec0::/10"), "site-local (deprecated)"),
    (_net6("ff00::/8"), "multicast"),
    (_net6("100::/64"), "discard-only"),
    (_net6("2001:db8::/32"), "documentation"),
    (_net6("3fff::/20"), "documentation"),
    (_net6("5f00::/16"), "segment routing (SRv6)"),
)

_MAPPED = _net6("::ffff:0:0/96")
_COMPATIBLE = _net6("::/96")
_NAT64 = _net6("64:ff9b::/96")
_NAT64_LOCAL = _net6("64:ff9b:1::/48")
_SIX_TO_FOUR = _net6("2002::/16")
_TEREDO = _net6("2001::/32")

_LOCAL_NAMES = ("localhost", "localhost.localdomain")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


def forbidden_reason(ip: IPAddress) -> str | None:
    """None when ``ip`` is globally routable; otherwise a short reason such as ``"loopback"``."""
    if isinstance(ip, IPv4):
        return _ipv4_reason(ip)
    return _ipv6_reason(ip)


def vet_address(ip: IPAddress, *, allow_private: bool) -> None:
    """Raise ``ForbiddenTarget`` unless ``ip`` may be connected to."""
    if allow_private:
        return
    reason = forbidden_reason(ip)
    if reason is not None:
        raise ForbiddenTarget(f"{ip} is not publicly routable ({reason}); {_REFUSED}")


def is_local_name(host: str) -> bool:
    """Names that by convention only ever mean this machine or its local network."""
    name = host.lower().rstrip(".")
    return name in _LOCAL_NAMES or name.endswith(_LOCAL_SUFFIXES)


def vet_host(host: str, *, allow_private: bool) -> IPAddress | None:
    """The rules a host meets before any DNS lookup; ``ForbiddenTarget`` when it breaks one.

    An IP literal (any spelling, IPv6 bracketed or not) is vetted and returned; a name is
    refused when it is local-only (``localhost``, ``*.local``, ``*.internal``, ...), otherwise
    None is returned and its addresses are vetted when it is resolved. Checks apply this, and
    so does registration of URLs stored to be fetched later (``linkcheck.registration``).
    """
    literal = parse_ip_host(host)
    if literal is not None:
        vet_address(literal, allow_private=allow_private)
        return literal
    if not allow_private and is_local_name(host):
        raise ForbiddenTarget(f"{host} is a local-only host name; {_REFUSED}")
    return None


async def resolve_vetted(
    host: str,
    port: int,
    *,
    allow_private: bool,
    timeout: float = 5.0,  # noqa: ASYNC109 - the engine passes what is left of the check's deadline
) -> list[str]:
    """Resolve ``host`` once and return the vetted IP strings the fetcher must connect to.

    IP literals (any spelling, IPv6 bracketed or not) skip DNS but are still vetted. Raises
    ``ForbiddenTarget``, ``NameNotFound`` or ``ResolutionFailed``.
    """
    literal = vet_host(host, allow_private=allow_private)
    if literal is not None:
        return [str(literal)]

    addresses = await _getaddrinfo(host, port, seconds=timeout)
    if not addresses:
        raise NameNotFound(f"The host name {host} has no addresses.")
    if not allow_private:
        for address in addresses:
            reason = forbidden_reason(ipaddress.ip_address(address.partition("%")[0]))
            if reason is not None:
                raise ForbiddenTarget(
                    f"{host} resolves to {address}, which is not publicly routable ({reason}); "
                    f"{_REFUSED}"
                )
    return addresses


# The last sentence of every refusal of a non-public address. It is the deployed service's
# answer, where no request can allow such addresses; the CLI and ``linkcheck dev``, where an
# option does, name it instead (``naming_the_option``) when they show the refusal.
_REFUSED = "loopback, private, link-local and metadata addresses are never checked."


def naming_the_option(text: str, option: str) -> str:
    """``text`` with a non-public-address refusal saying that ``option`` allows the address.

    For the command line and the local stack; any other text is returned unchanged.
    """
    return text.replace(_REFUSED, f"such addresses are checked only with {option}.")


async def _getaddrinfo(host: str, port: int, seconds: float) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP),
            seconds,
        )
    except TimeoutError:
        raise ResolutionFailed(f"Looking up {host} took longer than {seconds:g} seconds.") from None
    except socket.gaierror as exc:
        if exc.errno in _NOT_FOUND_ERRNOS:
            raise NameNotFound(
                f"The host name {host} does not exist (DNS: no such name)."
            ) from None
        raise ResolutionFailed(f"Looking up {host} failed: {exc.strerror or exc}.") from None
    except (OSError, UnicodeError) as exc:
        # UnicodeError: the stdlib idna codec refuses some names (label too long) at lookup.
        raise ResolutionFailed(f"Looking up {host} failed: {exc}.") from None
    return _dedupe(str(info[4][0]) for info in infos)


_NOT_FOUND_ERRNOS = frozenset(
    code
    for code in (
        getattr(socket, "EAI_NONAME", None),
        getattr(socket, "EAI_NODATA", None),
    )
    if code is not None
)


def _dedupe(addresses: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(addresses))


def _ipv4_reason(ip: IPv4) -> str | None:
    for network, reason in _DENIED_V4:
        if ip in network:
            return reason
    return None if ip.is_global else "not globally routable"


def _ipv6_reason(ip: IPv6) -> str | None:
    if ip.scope_id:
        ip = IPv6(ip.packed)  # the scope only says which interface; vet the address itself
    embedded = _embedded_reason(ip)
    if embedded is not None:
        return embedded or None  # "" means: an embedding of a public IPv4, allowed
    for network, reason in _DENIED_V6:
        if ip in network:
            return reason
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    return None if ip.is_global else "not globally routable"


def _embedded_reason(ip: IPv6) -> str | None:
    """Reason for IPv6 addresses that carry an IPv4 one; "" if allowed, None if no embedding."""
    if ip in _MAPPED:
        inner = _ipv4_reason(IPv4(int(ip) & 0xFFFFFFFF))
        return f"IPv4-mapped {inner}" if inner else ""
    if ip in _NAT64:
        v4 = IPv4(int(ip) & 0xFFFFFFFF)
        inner = _ipv4_reason(v4)
        return f"NAT64 embedding {v4}, {inner}" if inner else ""
    if ip in _NAT64_LOCAL:
        return "local-use NAT64 (64:ff9b:1::/48)"
    if ip in _SIX_TO_FOUR:
        v4 = IPv4((int(ip) >> 80) & 0xFFFFFFFF)
        inner = _ipv4_reason(v4)
        return f"6to4 embedding {v4}, {inner}" if inner else ""
    if ip in _TEREDO:
        server = IPv4((int(ip) >> 64) & 0xFFFFFFFF)
        client = IPv4((int(ip) & 0xFFFFFFFF) ^ 0xFFFFFFFF)  # Teredo obfuscates the client
        for role, v4 in (("client", client), ("server", server)):
            inner = _ipv4_reason(v4)
            if inner:
                return f"Teredo embedding {role} {v4}, {inner}"
        return "Teredo tunnel (2001::/32)"  # not globally reachable (IANA) even when both are
    if ip in _COMPATIBLE and int(ip) > 1:
        v4 = IPv4(int(ip) & 0xFFFFFFFF)
        inner = _ipv4_reason(v4)
        return f"IPv4-compatible {inner}" if inner else "IPv4-compatible (deprecated)"
    return None
