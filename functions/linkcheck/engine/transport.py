"""The aiohttp alternative (``CheckOptions(client="aiohttp")``), and the session under httpx_path.

The default bulk path is ``wire.py``; this one keeps aiohttp for the httpx model
(``Checker.transport``, ``client="httpx"``) and for comparison in the benchmark. Both dial only
what ``exchange.dial_addresses`` vetted:
- every host name is resolved by ``VettingResolver``, which hands aiohttp only vetted
  addresses, so the address that was checked is the one dialled (no DNS rebinding window);
  the Host header and TLS SNI stay the name. ``--connect-to`` rules are applied there too.
- pooled connections are keyed by (host, port, ssl): each was made to a vetted address by this
  session's resolver, so reusing one can never reach an unvetted address.
- IP-literal hosts bypass any aiohttp resolver: the checker vets them before the request,
  and so does ``AiohttpTransport`` (``Checker.transport``) for any httpx client.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from .body import read_prefix
from .exchange import DRAIN_LIMIT, BodyWanted, Exchange, dial_addresses, ssl_context
from .options import CheckOptions

if TYPE_CHECKING:
    import httpx

    from .urls import Target


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


class VettingResolver(AbstractResolver):
    """aiohttp resolver that returns only addresses ``ssrf.resolve_vetted`` allowed."""

    def __init__(self, options: CheckOptions) -> None:
        self._options = options

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            _result(host, address, to_port)
            for address, to_port in await dial_addresses(self._options, host, port)
        ]

    async def close(self) -> None:
        return None


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


class AiohttpExchanger:
    """Checks straight on the aiohttp session (``client="aiohttp"``), no httpx objects.

    Same session, vetting resolver and error vocabulary as ``AiohttpTransport``; kept to
    measure the default ``wire`` path against (README, section "engine").
    """

    __slots__ = ("_session",)

    def __init__(self, session: Callable[[], aiohttp.ClientSession]) -> None:
        self._session = session

    async def exchange(
        self, method: str, target: Target, wants_body: BodyWanted | None, limit: int
    ) -> Exchange:
        try:
            response = await self._session().request(method, target.url, allow_redirects=False)
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
