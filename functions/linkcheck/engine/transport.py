"""How bytes move: one shared ``aiohttp.ClientSession`` per checker, SSRF-vetted at the connector.

The bulk path (``AiohttpExchanger``) talks to the session directly and speaks httpx's exception
vocabulary; the httpx model (``httpx.Request`` in, ``httpx.Response`` out) over the same session
lives in ``httpx_path.py``. Measured numbers behind this split: README, section "engine".

Safety lives in the connector, not in the caller:
- every host name is resolved by ``VettingResolver``, which calls ``ssrf.resolve_vetted`` and
  hands aiohttp only vetted addresses, so the address that was checked is the one dialled (no
  DNS rebinding window); the Host header and TLS SNI stay the name.
- ``--connect-to`` rules are applied there too: their target is an explicit operator choice and
  is trusted (like curl), while every other host, including redirect hops, is vetted.
- pooled connections are keyed by (host, port, ssl): each was made to a vetted address by this
  session's resolver, so reusing one can never reach an unvetted address.
- IP-literal hosts bypass any aiohttp resolver: the checker vets them before the request,
  and so does ``AiohttpTransport`` (``Checker.transport``) for any httpx client.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from . import ssrf
from .body import read_prefix
from .options import CheckOptions, ConnectTo

if TYPE_CHECKING:
    import httpx

# Decides, once the status line and headers are in, whether to read a body prefix:
# (status, content type) -> bool. None means never (HEAD, or nobody needs the body).
BodyWanted = Callable[[int, str], bool]
DRAIN_LIMIT = 64 * 1024  # a small unwanted body is read anyway, so the connection is reused


def _idna(host: str) -> str:
    host = host.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _result(hostname: str, address: str, port: int) -> ResolveResult:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return {
        "hostname": hostname,
        "host": address,
        "port": port,
        "family": family,
        "proto": 0,
        "flags": socket.AI_NUMERICHOST,
    }


def match_connect_to(rules: tuple[ConnectTo, ...], host: str, port: int) -> ConnectTo | None:
    """The first ``--connect-to`` rule for host:port (an empty host or port matches any)."""
    name = _idna(host)
    for rule in rules:
        if (not rule.host or _idna(rule.host) == name) and rule.port in (None, port):
            return rule
    return None


class VettingResolver(AbstractResolver):
    """aiohttp resolver that returns only addresses ``ssrf.resolve_vetted`` allowed."""

    def __init__(self, options: CheckOptions) -> None:
        self._allow_private = options.allow_private_networks
        self._connect_to = options.connect_to
        self._timeout = options.connect_timeout

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        rule = match_connect_to(self._connect_to, host, port)
        if rule is not None:
            # The operator named this target explicitly: trusted, not vetted (curl semantics).
            to_port = rule.to_port or port
            addresses = await ssrf.resolve_vetted(
                rule.to_host, to_port, allow_private=True, timeout=self._timeout
            )
            return [_result(host, address, to_port) for address in addresses]
        addresses = await ssrf.resolve_vetted(
            host, port, allow_private=self._allow_private, timeout=self._timeout
        )
        return [_result(host, address, port) for address in addresses]

    async def close(self) -> None:
        return None


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


def create_session(options: CheckOptions) -> aiohttp.ClientSession:
    """One session per event loop: vetting resolver, pool sized to concurrency, keep-alive."""
    connector = aiohttp.TCPConnector(
        resolver=VettingResolver(options),
        ssl=ssl_context(options.ca_bundle),
        limit=max(options.concurrency, 1),
        limit_per_host=max(options.per_host, 1),  # politeness: a few connections per host
        ttl_dns_cache=10,
        keepalive_timeout=15,
    )
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": options.user_agent, "Accept-Encoding": "gzip, deflate"},
        skip_auto_headers=("Content-Type",),
        cookie_jar=aiohttp.DummyCookieJar(),
        response_class=KeepAliveResponse,  # checks are stateless; no cross-site cookies
        auto_decompress=False,  # httpx decodes; the checker reads a bounded prefix
        timeout=aiohttp.ClientTimeout(
            total=None, sock_connect=options.connect_timeout, sock_read=options.read_timeout
        ),
        raise_for_status=False,
    )


def keep_alive_after_head(response: aiohttp.ClientResponse) -> None:
    """Let the connection of a HEAD answer without Content-Length be reused.

    aiohttp's C parser decides "close after this message" before it learns the message was a
    HEAD answer, so a HEAD answer without Content-Length (common: dynamic pages, nginx's echo
    module) cost a new TCP (and TLS) connection for every check. A HEAD answer never has a body
    (RFC 9110 9.3.2), so unless the server asked to close (HTTP/1.0, ``Connection: close``)
    the connection is reusable. Guarded: does nothing if aiohttp's internals differ.
    """
    if response.version != aiohttp.HttpVersion11:
        return
    if "close" in response.headers.get("Connection", "").lower():
        return
    connection = response.connection
    protocol = connection.protocol if connection is not None else None
    if protocol is not None and getattr(protocol, "_should_close", None) is True:
        protocol._should_close = False


class KeepAliveResponse(aiohttp.ClientResponse):
    """``ClientResponse`` that applies ``keep_alive_after_head`` before releasing a HEAD answer.

    A HEAD answer's empty payload ends while ``start()`` still runs, before status and headers
    are set; the release is deferred to the end of ``start()`` so the headers can be read.
    """

    _lc_starting = False
    _lc_eof_deferred = False

    async def start(self, connection: aiohttp.connector.Connection) -> aiohttp.ClientResponse:
        self._lc_starting = True
        try:
            await super().start(connection)
        finally:
            self._lc_starting = False
        if self._lc_eof_deferred:
            self._lc_eof_deferred = False
            keep_alive_after_head(self)
            super()._response_eof()
        return self

    def _response_eof(self) -> None:
        if self._lc_starting and self.method == "HEAD":
            self._lc_eof_deferred = True
            return
        super()._response_eof()


def transport_errors() -> type[httpx.TransportError]:
    """httpx's base of "no HTTP answer" errors, imported on first use (see ``as_httpx_error``)."""
    import httpx

    return httpx.TransportError


def retryable_errors() -> tuple[type[httpx.TransportError], ...]:
    """Failures worth another attempt: refused/reset connections, a dropped exchange."""
    import httpx

    return (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)


def as_httpx_error(exc: BaseException) -> httpx.TransportError:
    """aiohttp's failure -> httpx's vocabulary (the cause keeps the original, e.g. SSL).

    httpx is imported here, on the first failure, not at start-up: the bulk path creates no
    httpx objects otherwise, and importing httpx costs the CLI and the /check cold start.
    """
    import httpx

    text = str(exc)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(text)
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(text)
    if isinstance(exc, aiohttp.ClientConnectorError):
        errno = exc.os_error.errno
        return httpx.ConnectError(os.strerror(errno) if errno else text)
    if isinstance(exc, aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError(text)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(text)
    # ServerDisconnectedError, ClientOSError (resets), ClientPayloadError.
    return httpx.ReadError(text)


# -- the exchange: one request, one bounded answer ----------------------------------------------


async def drain(content: aiohttp.StreamReader, limit: int) -> None:
    """Read and drop at most ``limit`` bytes of an unwanted body.

    A short body read to its end lets the connection go back to the pool. A body without a
    Content-Length (chunked, or until the server closes) may never end: it is left unread
    past ``limit`` and the caller closes the connection, so memory stays bounded.
    """
    left = limit
    while left > 0 and not content.at_eof():
        chunk = await content.read(left)
        if not chunk:
            return
        left -= len(chunk)


@dataclass(slots=True)
class Exchange:
    """One answered request: status, headers (case-insensitive ``get``) and a body prefix."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Exchanger(Protocol):
    """Sends one request without following redirects; raises httpx's transport errors."""

    async def exchange(
        self, method: str, url: str, wants_body: BodyWanted | None, limit: int
    ) -> Exchange: ...


class AiohttpExchanger:
    """The bulk-check fast path: straight on the aiohttp session, no httpx objects per request.

    Measured on this project's benchmark it costs a fraction of the CPU per URL of building an
    ``httpx.Request``/``httpx.Response`` pair (README, section "engine"). Same session, same
    vetting resolver and the same error vocabulary as ``AiohttpTransport``.
    """

    __slots__ = ("_session",)

    def __init__(self, session: Callable[[], aiohttp.ClientSession]) -> None:
        self._session = session

    async def exchange(
        self, method: str, url: str, wants_body: BodyWanted | None, limit: int
    ) -> Exchange:
        try:
            response = await self._session().request(method, url, allow_redirects=False)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise as_httpx_error(exc) from exc
        try:
            headers = response.headers
            body = b""
            if wants_body is not None and wants_body(
                response.status, headers.get("Content-Type", "")
            ):
                body = await read_prefix(
                    response.content.iter_any(), headers.get("Content-Encoding", ""), limit
                )
            elif method != "HEAD" and (response.content_length or 0) <= DRAIN_LIMIT:
                await drain(response.content, DRAIN_LIMIT)  # keeps the connection for reuse
        except (aiohttp.ClientError, TimeoutError) as exc:
            response.close()
            raise as_httpx_error(exc) from exc
        if response.content.at_eof():
            response.release()  # back to the pool
        else:
            response.close()  # stopped early: never download the rest of a big body
        return Exchange(response.status, headers, body)
