"""The default bulk path: HTTP/1.1 straight on asyncio, a small keep-alive pool, no client library.

Why not a client library: a link check needs a status line, headers and at most a bounded body
prefix. Measured (README, section "engine"), httpx's own pool cost ~5 ms of CPU per URL and
aiohttp ~0.5 ms plus ~0.2 s of imports, several times the rest of the check; this path costs
~0.2 ms per URL, the whole check included. Parsing is in ``http1.py``
(pure); this module only moves bytes.

Safety, as for every exchanger (``exchange.py``):
- a connection dials only what ``dial_addresses`` vetted for its (scheme, host, port); pooled
  connections are keyed the same way, so reusing one never reaches an unvetted address.
- TLS is verified against ``ssl_context`` with SNI and certificate checks on the URL's host.
- memory stays bounded: the head is capped (``http1.MAX_HEAD_BYTES``), reading pauses while
  unread bytes pile up, and a body is read only up to the caller's limit, then the connection
  is closed rather than drained.
- politeness: at most ``per_host`` connections per (scheme, host, port), the rest wait in turn.
- with a proxy (``CheckOptions.proxy``), the connection is an HTTP CONNECT tunnel to the same
  vetted address (``_tunnel``), TLS inside it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import os
import ssl
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import TYPE_CHECKING, NoReturn, cast

from . import ssrf
from .body import read_prefix
from .errors import (
    ConnectFailed,
    ConnectionDropped,
    ConnectTimedOut,
    ProtocolViolation,
    ProxyFailed,
    ReadTimedOut,
    TransportFailure,
    Unrequestable,
)
from .exchange import (
    DRAIN_LIMIT,
    BodyWanted,
    Exchange,
    dial_addresses,
    request_headers,
    ssl_context,
)
from .http1 import (
    MAX_HEAD_BYTES,
    ChunkedDecoder,
    Framing,
    ResponseHead,
    find_head_end,
    fixed_request_headers,
    parse_head,
    request_head,
)
from .options import CheckOptions

if TYPE_CHECKING:
    from .proxy import Proxy
    from .urls import Target

IDLE_SECONDS = 15.0  # an idle connection older than this is closed, not reused
ADDRESS_CACHE_SECONDS = 10.0  # how long a vetted resolution is reused for new connections
HIGH_WATER = 1024 * 1024  # unread bytes at which reading pauses
# Safe to send again when a kept-alive connection was closed under it (RFC 9112 9.3.1); a
# POST through ``Checker.transport`` is not, so it fails rather than risk a duplicate.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})

PoolKey = tuple[str, str, int]  # scheme, host, port

# Set in a check's own context when it was cancelled (its deadline) while it queued for a
# connection: the check never reached the host, so its verdict must not be a timeout.
queued_out: contextvars.ContextVar[bool] = contextvars.ContextVar("queued_out", default=False)


class _Stale(Exception):
    """A reused connection was closed before it answered: safe to send again on a new one."""


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(ReadTimedOut("The server stopped sending within the read timeout."))


class Connection(asyncio.Protocol):
    """One TCP (or TLS) connection: collects bytes and wakes the exchange waiting for them."""

    __slots__ = (
        "_loop",
        "_paused",
        "_transport",
        "_waiter",
        "answered",
        "buffer",
        "closed",
        "idle_since",
        "key",
        "lost",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, key: PoolKey) -> None:
        self._loop = loop
        self.key = key
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self.buffer = bytearray()
        self.closed = False
        self.answered = False  # some byte of the current answer arrived
        self.lost: Exception | None = None  # why the connection ended, when the OS said
        self.idle_since = 0.0

    # -- asyncio.Protocol --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Also called by hand with the TLS transport that ``start_tls`` returns for a tunnel.
        self._transport = cast("asyncio.Transport", transport)  # uvloop's is not a subclass

    @property
    def transport(self) -> asyncio.Transport:
        if self._transport is None:
            raise ConnectionResetError("the connection has no transport")
        return self._transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self.answered = True
        if len(self.buffer) > HIGH_WATER and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.lost = exc
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # -- used by the exchange ----------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.answered = False
        transport = self._transport
        if self.closed or transport is None or transport.is_closing():
            # Lost since it was picked (uvloop raises on writes to a closed handle):
            # ``read_head`` then reports a connection closed before any answer.
            self.closed = True
            return
        transport.write(data)

    def close(self, *, abort: bool = False) -> None:
        """Close; ``abort`` drops the connection at once (mid-answer: a TLS close would first
        wait for the peer's close_notify, while a streaming or dripping server keeps sending)."""
        self.closed = True
        if self._transport is not None:
            if abort:
                self._transport.abort()
            else:
                self._transport.close()

    async def more(self, read_timeout: float) -> None:
        """Wait for new bytes or the peer closing; ``ReadTimedOut`` after ``read_timeout``."""
        if self._paused and self._transport is not None and not self._transport.is_closing():
            self._paused = False
            self._transport.resume_reading()
        waiter = self._loop.create_future()
        self._waiter = waiter
        timer = self._loop.call_later(read_timeout, _expire, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    async def read_head(self, method: str, read_timeout: float) -> ResponseHead:
        """The final response head (1xx interim answers skipped); the body stays in ``buffer``."""
        scanned = 0
        while True:
            found = find_head_end(self.buffer, scanned)
            if found is not None:
                end, body_start = found
                if end > MAX_HEAD_BYTES:  # arrived whole in one read: the same cap
                    raise ProtocolViolation(f"the response head exceeds {MAX_HEAD_BYTES} bytes")
                head = parse_head(bytes(self.buffer[:end]), method)
                del self.buffer[:body_start]
                scanned = 0
                if head.status >= 200:
                    return head
                if head.status == 101:
                    raise ProtocolViolation("the server switched protocols unasked")
                continue  # 100 Continue, 103 Early Hints: the real answer follows
            if len(self.buffer) > MAX_HEAD_BYTES:
                raise ProtocolViolation(f"the response head exceeds {MAX_HEAD_BYTES} bytes")
            if self.closed:
                if not self.answered:
                    raise _Stale()
                raise ProtocolViolation("the server closed the connection mid-head")
            scanned = max(0, len(self.buffer) - 3)
            await self.more(read_timeout)

    async def body(self, head: ResponseHead, read_timeout: float) -> AsyncGenerator[bytes, None]:
        """The body's bytes (chunked framing removed) as they arrive.

        The body was read to its end when the generator is exhausted; stopping earlier leaves
        the connection mid-body, and the exchange then closes it.
        """
        if head.framing is Framing.NONE:
            return
        if head.framing is Framing.LENGTH:
            left = head.length
            while left:
                if self.buffer:
                    taken = bytes(self.buffer[:left])
                    del self.buffer[: len(taken)]
                    left -= len(taken)
                    yield taken
                elif self.closed:
                    raise ConnectionDropped(f"the server closed the connection {left} bytes short")
                else:
                    await self.more(read_timeout)
        elif head.framing is Framing.CHUNKED:
            decoder = ChunkedDecoder()
            while True:
                data = decoder.feed(self.buffer)
                if data:
                    yield data
                if decoder.done:
                    return
                if self.closed:
                    raise ConnectionDropped("the server closed the connection mid-body")
                await self.more(read_timeout)
        else:  # until close
            while True:
                if self.buffer:
                    data = bytes(self.buffer)
                    self.buffer.clear()
                    yield data
                elif self.closed:
                    return
                else:
                    await self.more(read_timeout)


class _HostSlots:
    """The connections of one (scheme, host, port): idle ones, a count of busy ones, a queue."""

    __slots__ = ("busy", "idle", "waiters")

    def __init__(self) -> None:
        self.idle: list[Connection] = []
        self.busy = 0
        self.waiters: collections.deque[asyncio.Future[None]] = collections.deque()


class ConnectionPool:
    """Keep-alive connections by (scheme, host, port), ``per_host`` at most; one event loop.

    Idle connections are kept per host (at most ``per_host`` each, since no host ever has
    more) up to ``concurrency`` in all; at that cap the least recently used idle connection
    is closed, not the one being released: a finished host's connections go first, while a
    busy host's, released and picked again all the time, stay warm. Every new connection is
    a TCP (and TLS) handshake on the real web.
    """

    def __init__(self, options: CheckOptions) -> None:
        self._options = options
        self._loop = asyncio.get_running_loop()
        self._per_host = max(options.per_host, 1)
        self._max_idle = max(options.concurrency, 1)
        self._hosts: dict[PoolKey, _HostSlots] = {}
        # Every idle connection, least recently released first (dicts keep insertion order).
        self._idle_lru: dict[Connection, None] = {}
        self._addresses: dict[tuple[str, int], tuple[float, list[tuple[str, int]]]] = {}
        self._ssl: ssl.SSLContext | None = None
        self._proxy_addresses: tuple[float, list[str]] | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    async def acquire(self, target: Target) -> tuple[Connection, bool]:
        """A connection to ``target``'s origin and whether it was reused from the pool."""
        key = (target.scheme, target.host, target.port)
        while True:
            # Looked up on every turn: while we waited, the host's entry may have emptied and
            # gone (``_give_back_slot``); counting on a stale one would break the per-host cap.
            slots = self._hosts.get(key)
            if slots is None:
                slots = self._hosts[key] = _HostSlots()
            now = self._loop.time()
            while slots.idle:
                connection = slots.idle.pop()
                del self._idle_lru[connection]
                if (
                    not connection.closed
                    and not connection.buffer
                    and now - connection.idle_since < IDLE_SECONDS
                ):
                    slots.busy += 1
                    return connection, True
                connection.close()
            if slots.busy < self._per_host:
                slots.busy += 1
                try:
                    connection = await self._connect(target, key)
                except BaseException:
                    self._give_back_slot(key, slots)
                    raise
                return connection, False
            waiter = self._loop.create_future()
            slots.waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                self._leave_queue(key, slots, waiter)
                raise

    def release(self, connection: Connection, *, reusable: bool) -> None:
        """Return a busy connection: kept for the next request, or closed.

        ``reusable``: the answer was read to its end and the server allows another request.
        Bytes already waiting beyond that answer (a server that said more than it framed)
        make any connection unusable, so that is checked here, once for every caller.
        """
        key = connection.key
        slots = self._hosts[key]
        if reusable and not connection.closed and not connection.buffer:
            if len(self._idle_lru) >= self._max_idle:
                self._evict_least_recent()
            connection.idle_since = self._loop.time()
            slots.idle.append(connection)
            self._idle_lru[connection] = None
            slots.busy -= 1
            self._wake_one(slots)
            return
        connection.close(abort=True)
        self._give_back_slot(key, slots)

    def close(self) -> None:
        for slots in self._hosts.values():
            for connection in slots.idle:
                connection.close()
            slots.idle.clear()
        self._idle_lru.clear()

    def _evict_least_recent(self) -> None:
        """Close the idle connection released longest ago, to make room for a fresher one."""
        oldest = next(iter(self._idle_lru))
        del self._idle_lru[oldest]
        key = oldest.key
        slots = self._hosts[key]
        slots.idle.remove(oldest)
        oldest.close()
        if not slots.busy and not slots.idle and not slots.waiters:
            del self._hosts[key]  # bounded memory over a million hosts

    def _give_back_slot(self, key: PoolKey, slots: _HostSlots) -> None:
        slots.busy -= 1
        if slots.waiters:
            self._wake_one(slots)
        elif not slots.busy and not slots.idle:
            del self._hosts[key]  # bounded memory over a million hosts

    def _leave_queue(self, key: PoolKey, slots: _HostSlots, waiter: asyncio.Future[None]) -> None:
        """A waiting check was cancelled (its deadline, usually): it leaves the queue once.

        Checks that started together share a deadline, so a releaser may already have popped
        (and skipped) the cancelled waiter; a waiter woken just before its cancellation
        passes the turn on instead, to the host's current entry (the old may have gone).
        """
        if waiter.done() and not waiter.cancelled():
            current = self._hosts.get(key)
            if current is not None:
                self._wake_one(current)
            return
        queued_out.set(True)
        with contextlib.suppress(ValueError):  # already popped by ``_wake_one``
            slots.waiters.remove(waiter)

    @staticmethod
    def _wake_one(slots: _HostSlots) -> None:
        while slots.waiters:
            waiter = slots.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _addresses_of(self, host: str, port: int) -> list[tuple[str, int]]:
        now = self._loop.time()
        cached = self._addresses.get((host, port))
        if cached is not None and cached[0] > now:
            return cached[1]
        addresses = await dial_addresses(self._options, host, port)
        if len(self._addresses) >= 4096:  # bounded memory on huge batches
            self._addresses.clear()
        self._addresses[(host, port)] = (now + ADDRESS_CACHE_SECONDS, addresses)
        return addresses

    async def _connect(self, target: Target, key: PoolKey) -> Connection:
        addresses = await self._addresses_of(target.host, target.port)
        tls: ssl.SSLContext | None = None
        if target.scheme == "https":
            if self._ssl is None:
                self._ssl = ssl_context(self._options.ca_bundle)
            tls = self._ssl
        proxy = self._options.proxy
        if proxy is not None and not proxy.applies_to(target.host):
            proxy = None  # the host filter leaves this host direct
        failure: BaseException | None = None
        for address, port in addresses:  # each vetted; the first that answers wins
            try:
                async with asyncio.timeout(self._options.connect_timeout):
                    if proxy is not None:
                        return await self._tunnel(proxy, address, port, target, key, tls)
                    _, connection = await self._loop.create_connection(
                        lambda: Connection(self._loop, key),
                        address,
                        port,
                        ssl=tls,
                        server_hostname=target.host if tls is not None else None,
                    )
            except (ssl.SSLError, ssl.CertificateError) as exc:
                raise _connect_error(exc) from exc  # the same certificate on every address
            except (OSError, TimeoutError) as exc:
                failure = exc
                continue
            return connection
        raise _connect_error(failure) from failure

    async def _tunnel(
        self,
        proxy: Proxy,
        address: str,
        port: int,
        target: Target,
        key: PoolKey,
        tls: ssl.SSLContext | None,
    ) -> Connection:
        """A connection to the vetted ``address`` through ``proxy`` (HTTP CONNECT).

        The CONNECT names the address the checker vetted, never the host name, so the proxy
        cannot be steered elsewhere by DNS; TLS then runs inside the tunnel with SNI and the
        certificate check on the URL's host, end to end (the proxy sees only ciphertext).
        """
        connection = await self._dial_proxy(proxy, key)
        try:
            connection.send(proxy.connect_request(address, port))
            try:
                head = await connection.read_head("CONNECT", self._options.connect_timeout)
            except (_Stale, ProtocolViolation, ReadTimedOut) as exc:
                failed = _PROXY_FAILURES[type(exc)]
                raise _proxy_error(f"The proxy at {proxy.address} {failed}.") from None
            if not 200 <= head.status < 300:
                raise _proxy_error(proxy.refusal(head.status))
            if connection.buffer:  # nothing may arrive before we speak (or start TLS)
                raise _proxy_error(f"The proxy at {proxy.address} sent bytes after its answer.")
            if tls is not None:
                transport = connection.transport
                tls_transport = await self._loop.start_tls(
                    transport, connection, tls, server_hostname=target.host
                )
                if tls_transport is None:  # the loop closed the transport under us
                    raise ConnectionResetError("the tunnel closed during the TLS handshake")
                connection.connection_made(tls_transport)  # reads and writes now go via TLS
        except BaseException:
            connection.close()
            raise
        return connection

    async def _dial_proxy(self, proxy: Proxy, key: PoolKey) -> Connection:
        """A TCP connection to the proxy: the operator's explicit choice, so not SSRF-vetted."""
        now = self._loop.time()
        cached = self._proxy_addresses
        if cached is not None and cached[0] > now:
            addresses = cached[1]
        else:
            try:
                addresses = await ssrf.resolve_vetted(
                    proxy.host,
                    proxy.port,
                    allow_private=True,
                    timeout=self._options.connect_timeout,
                )
            except ssrf.TargetError as exc:  # about the proxy, not the link: no link verdict
                raise _proxy_error(f"The proxy host could not be resolved: {exc.detail}") from None
            self._proxy_addresses = (now + ADDRESS_CACHE_SECONDS, addresses)
        failure: OSError | None = None
        for address in addresses:
            try:
                _, connection = await self._loop.create_connection(
                    lambda: Connection(self._loop, key), address, proxy.port
                )
            except OSError as exc:
                failure = exc
                continue
            return connection
        why = os.strerror(failure.errno) if failure is not None and failure.errno else "no address"
        raise _proxy_error(f"The proxy at {proxy.address} could not be reached ({why}).")


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
            elif not complete and method != "HEAD":
                complete = await _skip_body(connection, head, read_timeout)
        except BaseException as exc:
            pool.release(connection, reusable=False)
            reraise_as_failure(exc)
        pool.release(connection, reusable=complete and head.keep_alive)
        return Exchange(head.status, answered, body)


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
        except _Stale:
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


_PROXY_FAILURES: dict[type[Exception], str] = {
    _Stale: "closed the connection without answering CONNECT",
    ProtocolViolation: "answered CONNECT with invalid HTTP",
    ReadTimedOut: "did not answer CONNECT in time",
}


def _proxy_error(detail: str) -> ProxyFailed:
    """A failure of the proxy itself (never about the link): not retried, never a verdict on
    the content; ``detail`` names the proxy by host:port only, never its credentials."""
    return ProxyFailed(detail)


def _connect_error(exc: BaseException | None) -> TransportFailure:
    if isinstance(exc, TimeoutError):
        return ConnectTimedOut("Connecting to the server timed out.")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return ConnectFailed(str(exc))
    if isinstance(exc, OSError):  # asyncio's text names the address; errno says why
        return ConnectFailed(os.strerror(exc.errno) if exc.errno else str(exc))
    return ConnectFailed("no address to connect to")


def reraise_as_failure(exc: BaseException) -> NoReturn:
    """Raise ``exc`` as an ``errors.TransportFailure`` when the socket failed, else unchanged."""
    if isinstance(exc, TransportFailure):
        raise exc
    if isinstance(exc, ssl.SSLError):
        raise ConnectionDropped(f"TLS failure mid-answer: {exc}") from exc
    if isinstance(exc, ConnectionError):
        raise ConnectionDropped(exc.strerror or str(exc)) from exc
    raise exc  # cancellation, vetting refusals, bugs: not a transport verdict
