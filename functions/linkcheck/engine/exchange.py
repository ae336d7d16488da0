"""The seam between the checker and the bytes: one request out, one bounded answer back.

Whatever moves the bytes (``wire.WireExchanger``) implements ``Exchanger``, dials only
addresses ``dial_addresses`` vetted (names and IP literals alike, every redirect hop
included), and raises the engine's ``errors.TransportFailure``, so the checker has one verdict
logic. (``httpx_path.WireTransport`` puts the same pool under httpx's model for other code.)
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from . import ssrf
from .options import CheckOptions, ConnectTo

if TYPE_CHECKING:
    from .urls import Target

# Decides, once the status line and headers are in, whether to read a body prefix:
# (status, content type) -> bool. None means never (HEAD, or nobody needs the body).
BodyWanted = Callable[[int, str], bool]
DRAIN_LIMIT = 64 * 1024  # a small unwanted body is read anyway, so the connection is reused


@dataclass(slots=True)
class Exchange:
    """One answered request: status, headers (case-insensitive ``get``) and a body prefix."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    cut: bool = False  # a body was read but not to its end (it is a prefix)


class Exchanger(Protocol):
    """Sends one request without following redirects; raises ``errors.TransportFailure``.

    ``headers`` are sent after the ones every check sends (``request_headers``), never instead
    of them: a site's quirk (``quirks.py``), e.g. a cookie.
    """

    async def exchange(
        self,
        method: str,
        target: Target,
        wants_body: BodyWanted | None,
        limit: int,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange: ...


def request_headers(options: CheckOptions) -> dict[str, str]:
    """The headers every check sends, whichever exchanger sends it."""
    return {
        "User-Agent": options.user_agent,
        "Accept": "*/*",
        "Accept-Encoding": "gzip, deflate",  # the body prefix is inflated by ``body.py``
    }


def _idna(host: str) -> str:
    host = host.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def match_connect_to(rules: tuple[ConnectTo, ...], host: str, port: int) -> ConnectTo | None:
    """The first ``--connect-to`` rule for host:port (an empty host or port matches any)."""
    if not rules:
        return None
    name = _idna(host)
    for rule in rules:
        if (not rule.host or _idna(rule.host) == name) and rule.port in (None, port):
            return rule
    return None


async def dial_addresses(options: CheckOptions, host: str, port: int) -> list[tuple[str, int]]:
    """The (address, port) pairs a connection to host:port may dial, vetted once, here.

    A ``--connect-to`` target is an explicit operator choice and is trusted (like curl); every
    other host, redirect hops included, goes through ``ssrf.resolve_vetted``. Connecting to the
    returned address (never re-resolving the name) leaves no DNS-rebinding window. With
    ``only_connect_to`` (fixture runs) a host no rule maps is refused before any DNS lookup.
    """
    rule = match_connect_to(options.connect_to, host, port)
    if rule is None and options.only_connect_to:
        raise ssrf.ForbiddenTarget(
            f"{host}:{port} is not mapped by any --connect-to rule, and only mapped hosts may "
            "be reached in this run (--only-connect-to)."
        )
    if rule is not None:
        to_port = rule.to_port or port
        addresses = await ssrf.resolve_vetted(
            rule.to_host, to_port, allow_private=True, timeout=options.connect_timeout
        )
        return [(address, to_port) for address in addresses]
    addresses = await ssrf.resolve_vetted(
        host, port, allow_private=options.allow_private_networks, timeout=options.connect_timeout
    )
    return [(address, port) for address in addresses]


@lru_cache(maxsize=8)
def ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """System trust roots plus certifi's plus ``ca_bundle``; built once per process (costly)."""
    context = ssl.create_default_context()
    try:
        import certifi  # ships with httpx; keeps working where the system store is thin

        context.load_verify_locations(certifi.where())
    except (ImportError, OSError):  # no certifi bundle: the system store alone is fine
        pass
    if ca_bundle:
        context.load_verify_locations(ca_bundle)
    return context
