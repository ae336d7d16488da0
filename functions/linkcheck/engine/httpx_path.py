"""The httpx model over the engine's connection pool: ``WireTransport`` and ``HttpxExchanger``.

``WireTransport`` is an ``httpx.AsyncBaseTransport``: any ``httpx.AsyncClient`` can use it and
gets the same SSRF vetting, pool and politeness as the checks (``Checker.transport``).
``HttpxExchanger`` runs the engine's checks through it (``CheckOptions(client="httpx")``): the
same verdicts, with an ``httpx.Request``/``httpx.Response`` pair per request (more CPU per URL
than the default path; README, section "engine"). Imported only when used (httpx's import cost).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping

import httpx

from .body import read_prefix
from .exchange import DRAIN_LIMIT, BodyWanted, Exchange, request_headers
from .http1 import Framing, Headers, ResponseHead, repeat_separator
from .options import CheckOptions
from .urls import DEFAULT_PORTS, Target, parse_ip_host
from .wire import Connection, ConnectionPool, open_exchange, reraise_as_httpx


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
            reraise_as_httpx(exc)
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
        connection, head = await open_exchange(
            pool, target, request.method, wire_request, read_timeout
        )
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


class HttpxExchanger:
    """The same exchange through the httpx model (``httpx.Request`` -> transport -> Response)."""

    __slots__ = ("_headers", "_transport")

    def __init__(self, transport: httpx.AsyncBaseTransport, options: CheckOptions) -> None:
        self._transport = transport
        self._headers = request_headers(options)

    async def exchange(
        self,
        method: str,
        target: Target,
        wants_body: BodyWanted | None,
        limit: int,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        sent = {**self._headers, **headers} if headers else self._headers
        request = httpx.Request(method, target.url, headers=sent)
        response = await self._transport.handle_async_request(request)
        try:
            body = b""
            if wants_body is not None and wants_body(
                response.status_code, response.headers.get("content-type", "")
            ):
                body = await read_prefix(
                    response.aiter_raw(), response.headers.get("content-encoding", ""), limit
                )
            elif method != "HEAD" and _declared_length(response) <= DRAIN_LIMIT:
                seen = 0  # a small unwanted body is read, so the connection can be reused
                async for chunk in response.aiter_raw():
                    seen += len(chunk)
                    if seen > DRAIN_LIMIT:
                        break
        finally:
            await response.aclose()
        return Exchange(response.status_code, _engine_headers(response.headers), body)


def _engine_headers(headers: httpx.Headers) -> Headers:
    """httpx's headers as the engine reads them (repeats joined as ``http1.Headers`` does)."""
    values: dict[str, str] = {}
    for name, value in headers.multi_items():
        name = name.lower()
        values[name] = f"{values[name]}{repeat_separator(name)}{value}" if name in values else value
    return Headers(values)


def _declared_length(response: httpx.Response) -> int:
    try:
        return int(response.headers.get("content-length") or 0)
    except ValueError:  # e.g. a repeated "5, 5": unknown, like a chunked body
        return 0
