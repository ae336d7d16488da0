"""The default bulk path: HTTP/1.1 straight on asyncio, a small keep-alive pool, no client library.

Why not a client library: a link check needs a status line, headers and at most a bounded body
prefix. Measured (README, section "engine"), httpx's own pool cost ~5 ms of CPU per URL and
aiohttp ~0.5 ms plus ~0.2 s of imports, several times the rest of the check; this path costs
~0.2 ms per URL, the whole check included. Parsing is in ``http1.py``
(pure); this module only moves bytes.

The exchange over a pooled connection (``pool.py``, ``connection.py``): the request out, the
head in, at most the caller's limit of the body, then the connection back to the pool (kept
only when the answer was read to its end) or closed rather than drained. Socket failures come
out as the engine's ``errors.TransportFailure``.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import TYPE_CHECKING, NoReturn

from .body import read_prefix
from .connection import Connection, Stale
from .errors import ConnectionDropped, TransportFailure, Unrequestable
from .exchange import DRAIN_LIMIT, BodyWanted, Exchange, request_headers
from .http1 import Framing, ResponseHead, fixed_request_headers, request_head
from .options import CheckOptions
from .pool import ConnectionPool

if TYPE_CHECKING:
    from .urls import Target

# Safe to send again when a kept-alive connection was closed under it (RFC 9112 9.3.1); a
# POST through ``Checker.transport`` is not, so it fails rather than risk a duplicate.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class WireExchanger:
    """``Exchanger`` over ``ConnectionPool``: one request, one bounded answer."""

    __slots__ = ("_fixed", "_pool", "_read_timeout")

    def __init__(self, pool: Callable[[], ConnectionPool], options: CheckOptions) -> None:
        self._pool = pool
        self._read_timeout = options.read_timeout
        self._fixed = fixed_request_headers(request_headers(options))

    async def exchange(
        self,
        method: str,
        target: Target,
        wants_body: BodyWanted | None,
        limit: int,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        try:
            fixed = self._fixed + fixed_request_headers(headers) if headers else self._fixed
            request = request_head(method, target.path_and_query, target.netloc, fixed)
        except ValueError as exc:
            raise Unrequestable(str(exc)) from exc
        pool = self._pool()
        read_timeout = self._read_timeout
        connection, head = await open_exchange(pool, target, method, request, read_timeout)
        answered = head.headers
        body = b""
        cut = False
        complete = head.framing is Framing.NONE
        try:
            if (
                not complete
                and wants_body is not None
                and wants_body(head.status, answered.get("content-type", ""))
            ):
                chunks = _Counted(connection.body(head, read_timeout))
                try:
                    body = await read_prefix(chunks, answered.get("content-encoding", ""), limit)
                finally:
                    await chunks.aclose()
                complete = chunks.exhausted
                cut = not complete
            elif not complete and method != "HEAD":
                complete = await _skip_body(connection, head, read_timeout)
        except BaseException as exc:
            pool.release(connection, reusable=False)
            reraise_as_failure(exc)
        pool.release(connection, reusable=complete and head.keep_alive)
        return Exchange(head.status, answered, body, cut)


async def open_exchange(
    pool: ConnectionPool, target: Target, method: str, request: bytes, read_timeout: float
) -> tuple[Connection, ResponseHead]:
    """Send ``request`` on a pooled connection to ``target``'s origin; read the answer's head.

    The connection stays busy: the caller reads what it needs of the body, then hands it back
    with ``pool.release`` (reusable only if the body was read to its end). Failures come out
    as ``errors.TransportFailure``, the connection already released.
    """
    while True:
        connection, reused = await pool.acquire(target)
        try:
            connection.send(request)
            return connection, await connection.read_head(method, read_timeout)
        except Stale:
            pool.release(connection, reusable=False)
            if reused and method in IDEMPOTENT_METHODS:
                continue  # the server closed an idle connection as we sent: send again
            raise _unanswered(connection) from connection.lost
        except BaseException as exc:
            pool.release(connection, reusable=False)
            reraise_as_failure(exc)


class _Counted:
    """An async iterator that remembers whether it ran to its end (the body was all read)."""

    __slots__ = ("_inner", "exhausted")

    def __init__(self, inner: AsyncGenerator[bytes, None]) -> None:
        self._inner = inner
        self.exhausted = False

    def __aiter__(self) -> _Counted:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await anext(self._inner)
        except StopAsyncIteration:
            self.exhausted = True
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _skip_body(connection: Connection, head: ResponseHead, read_timeout: float) -> bool:
    """Read and drop a small unwanted body so the connection can be reused; True if it ended.

    A body too big, or one that ends only when the server closes, is not read at all: the
    connection is closed instead (never download what nobody needs).
    """
    if head.framing is Framing.UNTIL_CLOSE or head.length > DRAIN_LIMIT:
        return False
    if head.framing is Framing.LENGTH and len(connection.buffer) >= head.length:
        del connection.buffer[: head.length]  # the common case: it all came with the head
        return True
    left = DRAIN_LIMIT
    chunks = connection.body(head, read_timeout)
    try:
        async for chunk in chunks:
            left -= len(chunk)
            if left < 0:
                return False
    finally:
        await chunks.aclose()
    return True


def _unanswered(connection: Connection) -> ConnectionDropped:
    """A new connection that ended before any byte of an answer: reset or closed."""
    lost = connection.lost
    if isinstance(lost, OSError) and lost.strerror:
        return ConnectionDropped(lost.strerror)
    return ConnectionDropped("the server closed the connection without answering")


def failure_of(exc: BaseException) -> TransportFailure | None:
    """``exc`` as an ``errors.TransportFailure`` when the socket failed; None for anything else
    (cancellation, vetting refusals, bugs), which must propagate unchanged."""
    if isinstance(exc, TransportFailure):
        return exc
    if isinstance(exc, ssl.SSLError):
        return ConnectionDropped(f"TLS failure mid-answer: {exc}")
    if isinstance(exc, ConnectionError):
        return ConnectionDropped(exc.strerror or str(exc))
    return None


def reraise_as_failure(exc: BaseException) -> NoReturn:
    """Raise ``exc`` as an ``errors.TransportFailure`` when the socket failed, else unchanged."""
    failure = failure_of(exc)
    if failure is None or failure is exc:
        raise exc
    raise failure from exc
