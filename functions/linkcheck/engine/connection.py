"""One TCP (or TLS) connection as an ``asyncio.Protocol``: bytes in, response heads and bodies out.

Reading is bounded: the head is capped (``http1.MAX_HEAD_BYTES``), reading pauses while
unread bytes pile up (``HIGH_WATER``), and a body is handed out chunk by chunk so the caller
reads only what it needs. Parsing is ``http1.py``'s (pure); this module only moves bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import cast

from .errors import ConnectionDropped, ProtocolViolation, ReadTimedOut
from .http1 import MAX_HEAD_BYTES, ChunkedDecoder, Framing, ResponseHead, find_head_end, parse_head

HIGH_WATER = 1024 * 1024  # unread bytes at which reading pauses

PoolKey = tuple[str, str, int]  # scheme, host, port


class Stale(Exception):
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
                    raise Stale()
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
