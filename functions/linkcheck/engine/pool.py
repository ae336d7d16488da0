"""Keep-alive connections by (scheme, host, port): ``per_host`` at most, dialled only to vetted
addresses, through the egress proxy when one is set.

Safety: a connection dials only what ``exchange.dial_addresses`` vetted for its (scheme, host,
port), and pooled connections are keyed the same way, so reusing one never reaches an
unvetted address; TLS is verified against ``ssl_context`` with SNI and certificate checks on
the URL's host; with a proxy (``CheckOptions.proxy``) the connection is an HTTP CONNECT
tunnel to the same vetted address (``_tunnel``), TLS inside it. Politeness: at most
``per_host`` connections per origin, the rest wait in turn.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import os
import ssl
from typing import TYPE_CHECKING

from . import ssrf
from .connection import Connection, PoolKey, Stale
from .errors import (
    ConnectFailed,
    ConnectTimedOut,
    ProtocolViolation,
    ProxyFailed,
    ReadTimedOut,
    TransportFailure,
)
from .exchange import dial_addresses, ssl_context
from .options import CheckOptions

if TYPE_CHECKING:
    from .proxy import Proxy
    from .urls import Target

IDLE_SECONDS = 15.0  # an idle connection older than this is closed, not reused
ADDRESS_CACHE_SECONDS = 10.0  # how long a vetted resolution is reused for new connections

# Set in a check's own context when it was cancelled (its deadline) while it queued for a
# connection: the check never reached the host, so its verdict must not be a timeout.
queued_out: contextvars.ContextVar[bool] = contextvars.ContextVar("queued_out", default=False)


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
    more) up to twice ``concurrency`` in all; a batch closes those of the hosts it is done
    with, and at the cap the least recently used idle connection is closed, not the one being
    released: a finished host's connections go first, while a
    busy host's, released and picked again all the time, stay warm. Every new connection is
    a TCP (and TLS) handshake on the real web.
    """

    def __init__(self, options: CheckOptions) -> None:
        self._options = options
        self._loop = asyncio.get_running_loop()
        self._per_host = max(options.per_host, 1)
        # Room to keep a connection for every host a batch still works on (the scheduler
        # closes those of hosts it is done with, ``close_idle``); bounded for the fd limit.
        self._max_idle = max(2 * options.concurrency, 1)
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

    def close_idle(self, host: str) -> None:
        """Close the idle connections to ``host`` (any scheme and port): nothing will use them."""
        for key in [key for key in self._hosts if key[1] == host]:
            slots = self._hosts[key]
            for connection in slots.idle:
                del self._idle_lru[connection]
                connection.close()
            slots.idle.clear()
            self._forget_if_unused(key, slots)

    def _evict_least_recent(self) -> None:
        """Close the idle connection released longest ago, to make room for a fresher one."""
        oldest = next(iter(self._idle_lru))
        del self._idle_lru[oldest]
        key = oldest.key
        slots = self._hosts[key]
        slots.idle.remove(oldest)
        oldest.close()
        self._forget_if_unused(key, slots)

    def _give_back_slot(self, key: PoolKey, slots: _HostSlots) -> None:
        slots.busy -= 1
        if slots.waiters:
            self._wake_one(slots)
        else:
            self._forget_if_unused(key, slots)

    def _forget_if_unused(self, key: PoolKey, slots: _HostSlots) -> None:
        """Drop an origin's entry once nothing uses it: bounded memory over a million hosts."""
        if not slots.busy and not slots.idle and not slots.waiters:
            del self._hosts[key]

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
            except (Stale, ProtocolViolation, ReadTimedOut) as exc:
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


_PROXY_FAILURES: dict[type[Exception], str] = {
    Stale: "closed the connection without answering CONNECT",
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
