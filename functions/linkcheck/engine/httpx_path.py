"""The httpx model over the engine's connection pool: ``WireTransport``.

``WireTransport`` is an ``httpx.AsyncBaseTransport``: any ``httpx.AsyncClient`` can use it
(``Checker.transport``) and gets the same SSRF vetting, pool and politeness as the checks. The
engine's failures (``errors.py``) become httpx's exceptions here and only here. Imported only
when used (httpx's import cost is kept off the check path).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx

from .connection import Connection
from .errors import (
    ConnectFailed,
    ConnectTimedOut,
    ProtocolViolation,
    ProxyFailed,
    ReadTimedOut,
    TransportFailure,
    Unrequestable,
)
from .http1 import Framing, Headers, ResponseHead
from .options import CheckOptions
from .pool import ConnectionPool
from .urls import DEFAULT_PORTS, Target, parse_ip_host
from .wire import failure_of, open_exchange


class _WireBody(httpx.AsyncByteStream):
    """A response body read from a pooled connection; it goes back to the pool once closed
    (kept only if the body was read to its end, so a bounded read never downloads the rest)."""

    def __init__(
        self, pool: ConnectionPool, connection: Connection, head: ResponseHead, read_timeout: float
    ) -> None:
        self._pool = pool
        self._connection: Connection | None = connection
        self._head = head
        self._read_timeout = read_timeout
        self._complete = head.framing is Framing.NONE  # a HEAD answer has nothing to read

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        try:
            async for chunk in connection.body(self._head, self._read_timeout):
                yield chunk
        except BaseException as exc:
            self._give_back()
            failure = failure_of(exc)  # a reset mid-body arrives as ConnectionError, say
            if failure is None:
                raise
            raise as_httpx_error(failure) from exc
        self._complete = True

    async def aclose(self) -> None:
        self._give_back()

    def _give_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool.release(connection, reusable=self._complete and self._head.keep_alive)


class WireTransport(httpx.AsyncBaseTransport):
    """httpx transport over a ``ConnectionPool`` obtained from ``pool()`` on every request.

    The pool getter lets the owner keep one pool per running event loop. Every connection dials
    only what ``exchange.dial_addresses`` vetted, IP literals included. Redirects are never
    followed here. Repeated response headers arrive comma-joined (``http1.Headers``).
    """

    def __init__(self, pool: Callable[[], ConnectionPool], options: CheckOptions) -> None:
        self._pool = pool
        self._read_timeout = options.read_timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"cannot request a {url.scheme!r} URL")
        host = url.raw_host.decode("ascii").lower()
        target = Target(
            url=str(url),
            scheme=url.scheme,
            host=host,
            port=url.port or DEFAULT_PORTS[url.scheme],
            ip=parse_ip_host(host),
        )
        wire_request = _request_bytes(request, await request.aread())
        timeouts = request.extensions.get("timeout") or {}
        read_timeout = timeouts.get("read") or self._read_timeout
        pool = self._pool()
        try:
            connection, head = await open_exchange(
                pool, target, request.method, wire_request, read_timeout
            )
        except TransportFailure as exc:
            raise as_httpx_error(exc) from exc
        return httpx.Response(
            status_code=head.status,
            headers=_httpx_headers(head.headers),
            stream=_WireBody(pool, connection, head, read_timeout),
            request=request,
            extensions={"http_version": b"HTTP/1.1" if head.minor_version else b"HTTP/1.0"},
        )


def _httpx_headers(headers: Headers) -> list[tuple[str, str]]:
    """Header pairs for httpx: newline-joined ``Set-Cookie`` repeats become separate fields."""
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if name == "set-cookie":
            pairs.extend((name, line) for line in value.split("\n"))
        else:
            pairs.append((name, value))
    return pairs


def _request_bytes(request: httpx.Request, body: bytes) -> bytes:
    """The request on the wire; httpx already set Host (and Content-Length for a body)."""
    lines = [f"{request.method} ".encode("ascii") + request.url.raw_path + b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if b"\r" in name + value or b"\n" in name + value:
            raise httpx.UnsupportedProtocol("a request header must be one line")
        lines.append(name + b": " + value + b"\r\n")
    lines.append(b"\r\n")
    return b"".join(lines) + body


# The engine's failures in httpx's vocabulary, most specific first.
_HTTPX_ERRORS: tuple[tuple[type[TransportFailure], type[httpx.TransportError]], ...] = (
    (ConnectTimedOut, httpx.ConnectTimeout),
    (ReadTimedOut, httpx.ReadTimeout),
    (ConnectFailed, httpx.ConnectError),
    (ProtocolViolation, httpx.RemoteProtocolError),
    (ProxyFailed, httpx.ProxyError),
    (Unrequestable, httpx.UnsupportedProtocol),
)


def as_httpx_error(exc: TransportFailure) -> httpx.TransportError:
    """``exc`` as the httpx exception a caller of an httpx transport expects (the cause kept by
    ``raise ... from``, so a TLS failure stays recognisable)."""
    for ours, theirs in _HTTPX_ERRORS:
        if isinstance(exc, ours):
            return theirs(str(exc))
    return httpx.ReadError(str(exc))  # ConnectionDropped: reset or closed mid-exchange
