"""The httpx model over the engine's aiohttp session: ``AiohttpTransport`` and ``HttpxExchanger``.

``AiohttpTransport`` is an ``httpx.AsyncBaseTransport``: any ``httpx.AsyncClient`` can use it and
gets the same SSRF vetting, pool and politeness as the checks (``Checker.transport``).
``HttpxExchanger`` runs the engine's checks through it (``CheckOptions(client="httpx")``): same
verdicts, more CPU per URL than the direct path. Imported only when used (httpx's import cost).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx

from .body import read_prefix
from .exchange import BodyWanted, Exchange
from .transport import as_httpx_error

if TYPE_CHECKING:
    from .urls import Target

_DEFAULT_PORTS = {"http": 80, "https": 443}


class _AiohttpBody(httpx.AsyncByteStream):
    """A response body streamed from aiohttp; closing early drops the connection."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except aiohttp.ClientError as exc:
            raise as_httpx_error(exc) from exc

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()  # fully read: the connection goes back to the pool
        else:
            self._response.close()  # a bounded read stopped early: never download the rest


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx transport over an aiohttp session obtained from ``session()`` on every request.

    The session getter lets the owner keep one session per running event loop (an aiohttp
    session is bound to the loop that created it). Redirects are never followed here.
    """

    def __init__(
        self,
        session: Callable[[], aiohttp.ClientSession],
        *,
        vet_host: Callable[[str, int], Awaitable[None]] | None = None,
    ) -> None:
        self._session = session
        # Vets IP-literal hosts, which aiohttp dials without asking the vetting resolver.
        self._vet_host = vet_host
        self._timeouts: dict[tuple[Any, Any], aiohttp.ClientTimeout] = {}

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout | None:
        spec = request.extensions.get("timeout")
        if not spec:
            return None  # the session's defaults
        key = (spec.get("connect"), spec.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=key[0], sock_read=key[1])
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._vet_host is not None:
            url = request.url
            await self._vet_host(url.host, url.port or _DEFAULT_PORTS.get(url.scheme, 80))
        body = request.content or None
        session = self._session()
        timeout = self._timeout(request)
        try:
            if timeout is None:
                response = await session.request(
                    request.method,
                    str(request.url),
                    headers=request.headers.multi_items(),
                    data=body,
                    allow_redirects=False,
                )
            else:
                response = await session.request(
                    request.method,
                    str(request.url),
                    headers=request.headers.multi_items(),
                    data=body,
                    allow_redirects=False,
                    timeout=timeout,
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise as_httpx_error(exc) from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_AiohttpBody(response),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )


class HttpxExchanger:
    """The same exchange through the httpx model (``httpx.Request`` -> transport -> Response)."""

    __slots__ = ("_transport",)

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def exchange(
        self, method: str, target: Target, wants_body: BodyWanted | None, limit: int
    ) -> Exchange:
        request = httpx.Request(method, target.url)
        response = await self._transport.handle_async_request(request)
        try:
            body = b""
            if wants_body is not None and wants_body(
                response.status_code, response.headers.get("content-type", "")
            ):
                body = await read_prefix(
                    response.aiter_raw(), response.headers.get("content-encoding", ""), limit
                )
        finally:
            await response.aclose()
        return Exchange(response.status_code, response.headers, body)
