"""The engine's HTTP/1.1 transport (``wire.py``, ``httpx_path.py``) against real local servers.

Byte-level cases use ``RawServer``: an asyncio server on 127.0.0.1, in the test's own event
loop, that writes exactly the bytes a test scripts and counts connections and concurrency.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType

import httpx
import pytest

from linkcheck.engine import Checker, Reason, Status
from linkcheck.engine.connection import Connection
from linkcheck.engine.errors import (
    ConnectionDropped,
    ProtocolViolation,
    ReadTimedOut,
    TransportFailure,
)
from linkcheck.engine.exchange import Exchange
from linkcheck.engine.http1 import MAX_HEAD_BYTES
from linkcheck.engine.pool import ConnectionPool
from linkcheck.engine.urls import normalize_url
from linkcheck.engine.wire import WireExchanger

from .engine_helpers import check, fast_options
from .servers import Reply, ScriptedServer

MAX_REQUESTS_PER_CONNECTION = 1000  # bounds the raw server's loop


@dataclass(frozen=True)
class Seen:
    """A request as the raw server read it."""

    method: str
    target: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    connection: int  # which accepted connection (0, 1, ...)
    nth: int  # which request on that connection (0, 1, ...)


@dataclass(frozen=True)
class Raw:
    """What to do for one request: ``steps`` are bytes written as they are or pauses (s)."""

    steps: tuple[bytes | float, ...] = ()
    close: bool = False  # close the connection afterwards (with no steps: no answer at all)


def raw(*steps: bytes | float, close: bool = False) -> Raw:
    return Raw(steps, close)


def ok_bytes(body: bytes = b"", extra: bytes = b"") -> bytes:
    """A plain keep-alive 200 with a Content-Length; ``extra`` header lines (CRLF-ended)."""
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def ok(body: bytes = b"", extra: bytes = b"") -> Raw:
    return raw(ok_bytes(body, extra))


def head_of(answer: bytes) -> bytes:
    """What a server sends for HEAD: the head of ``answer`` without its body."""
    return answer.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"


@dataclass
class RawServer:
    """A scripted HTTP/1.1 server writing exact bytes; use as ``async with RawServer(...)``."""

    answer: Callable[[Seen], Raw]
    port: int = 0
    connections: int = 0  # accepted so far
    open_now: int = 0
    max_open: int = 0
    busy: int = 0  # requests being answered right now
    max_busy: int = 0
    seen: list[Seen] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()  # handlers still pausing between scripted steps
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = self.connections
        self.connections += 1
        self.open_now += 1
        self.max_open = max(self.max_open, self.open_now)
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            for nth in range(MAX_REQUESTS_PER_CONNECTION):
                seen = await self._read_request(reader, index, nth)
                if seen is None:
                    return
                self.seen.append(seen)
                answer = self.answer(seen)
                self.busy += 1
                self.max_busy = max(self.max_busy, self.busy)
                try:
                    for step in answer.steps:
                        if isinstance(step, bytes):
                            writer.write(step)
                            await writer.drain()
                        else:
                            await asyncio.sleep(step)
                finally:
                    self.busy -= 1
                if answer.close:
                    return
        except ConnectionError:
            return  # the client went away: bounded reads do that
        except asyncio.CancelledError:
            return  # our own shutdown (__aexit__); asyncio 3.11 logs a cancelled handler
        finally:
            self.open_now -= 1
            self._writers.discard(writer)
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader, index: int, nth: int) -> Seen | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        start, *lines = head.decode("latin-1").split("\r\n")
        method, target, _ = start.split(" ", 2)
        headers = {}
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return Seen(method, target, headers, body, index, nth)


def _always(status: int, content_type: str) -> bool:
    return True


async def _exchanges(
    server: RawServer, paths: list[str], method: str = "GET", **overrides: object
) -> list[Exchange | BaseException]:
    """Requests in turn through a fresh pool and ``WireExchanger``, body always read."""
    options = fast_options(**overrides)
    pool = ConnectionPool(options)
    exchanger = WireExchanger(lambda: pool, options)
    outcomes: list[Exchange | BaseException] = []
    try:
        for path in paths:
            target = normalize_url(server.url(path))
            try:
                outcomes.append(await exchanger.exchange(method, target, _always, 1 << 20))
            except TransportFailure as exc:
                outcomes.append(exc)
    finally:
        pool.close()
    return outcomes


def _body(outcome: Exchange | BaseException) -> bytes:
    assert isinstance(outcome, Exchange), outcome
    return outcome.body


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


# -- keep-alive -----------------------------------------------------------------------------


async def test_many_checks_to_one_host_share_a_few_connections(server: ScriptedServer) -> None:
    server.route("/page", Reply(200, body=b"hello"))
    urls = [server.url(f"/page?n={n}") for n in range(30)]
    async with Checker(fast_options(per_host=3, always_get=True), detectors=()) as checker:
        results = await checker.check_many(urls)
    assert {r.status for r in results} == {Status.OK}
    hits = server.hits("/page")
    assert len(hits) == 30
    assert len({hit.peer for hit in hits}) <= 3


async def test_a_head_answer_that_declares_a_body_is_not_reused(server: ScriptedServer) -> None:
    # The server may send that body late, after the next request: it must never be read as
    # the next answer, so such a connection is closed (a HEAD without a length is reused).
    server.route("/page", Reply(200, body=b"hello"))
    server.route("/bare", Reply(200, content_length=False))
    async with Checker(fast_options(per_host=1), detectors=()) as checker:
        await checker.check_many([server.url(f"/page?n={n}") for n in range(3)])
        await checker.check_many([server.url(f"/bare?n={n}") for n in range(3)])
    assert len({hit.peer for hit in server.hits("/page")}) == 3
    assert len({hit.peer for hit in server.hits("/bare")}) == 1


async def test_sequential_gets_reuse_one_connection() -> None:
    async with RawServer(lambda seen: ok(b"page %d" % seen.nth)) as server:
        outcomes = await _exchanges(server, ["/a", "/b", "/c", "/d"])
    assert [_body(o) for o in outcomes] == [b"page 0", b"page 1", b"page 2", b"page 3"]
    assert server.connections == 1


async def test_an_idle_connection_the_server_closed_is_not_an_error() -> None:
    # The server closes every connection right after answering, without saying so.
    options = fast_options(retries=0, always_get=True)
    async with (
        RawServer(lambda seen: raw(ok_bytes(b"x"), close=True)) as server,
        Checker(options, detectors=()) as checker,
    ):
        results = [await checker.check(server.url(f"/{n}")) for n in range(4)]
    assert [r.status for r in results] == [Status.OK] * 4
    assert server.connections == 4


async def test_a_reused_connection_closed_unanswered_is_retried_on_a_new_one() -> None:
    def answer(seen: Seen) -> Raw:
        if seen.connection == 0 and seen.nth == 1:
            return raw(close=True)  # read the request, then hang up without a byte
        return ok(b"fine")

    async with RawServer(answer) as server:
        # No checker here, so no retries of its own: the re-send is open_exchange's.
        outcomes = await _exchanges(server, ["/first", "/second", "/third"])
    assert [_body(o) for o in outcomes] == [b"fine", b"fine", b"fine"]
    assert [(s.target, s.connection) for s in server.seen] == [
        ("/first", 0),
        ("/second", 0),
        ("/second", 1),
        ("/third", 1),
    ]


async def test_a_new_connection_closed_unanswered_is_an_error_not_a_loop() -> None:
    async with RawServer(lambda seen: raw(close=True)) as server:
        result = await check(server.url("/"), retries=0)
    assert (result.status, result.reason) == (Status.ERROR, Reason.CONNECT_ERROR)
    assert server.connections == 1


async def test_a_partly_read_body_is_not_reused() -> None:
    big = b"y" * 300_000
    async with RawServer(lambda seen: ok(big)) as server:
        options = fast_options()
        pool = ConnectionPool(options)
        exchanger = WireExchanger(lambda: pool, options)
        try:
            first = await exchanger.exchange("GET", normalize_url(server.url("/")), _always, 10)
            second = await exchanger.exchange("GET", normalize_url(server.url("/")), _always, 10)
        finally:
            pool.close()
    assert first.body == second.body == b"y" * 10
    assert server.connections == 2


# -- response heads -------------------------------------------------------------------------


async def test_interim_answers_are_skipped() -> None:
    interim = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 102 Processing\r\n\r\n"
    )
    final = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Final: yes\r\n\r\ndone"
    async with RawServer(lambda seen: raw(interim, 0.01, final)) as server:
        result = await check(server.url("/"), retries=0)
        (outcome,) = await _exchanges(server, ["/"])
    assert (result.status, result.http_status) == (Status.OK, 200)
    assert isinstance(outcome, Exchange)
    assert (outcome.status, outcome.headers.get("x-final"), outcome.body) == (200, "yes", b"done")
    assert "link" not in outcome.headers


async def test_an_unasked_protocol_switch_is_a_protocol_error() -> None:
    switch = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    async with RawServer(lambda seen: raw(switch)) as server:
        result = await check(server.url("/"), retries=0)
    assert (result.status, result.reason) == (Status.ERROR, Reason.PROTOCOL_ERROR)


async def test_a_bare_lf_head_works_and_keeps_the_connection() -> None:
    answer = b"HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 5\n\nhello"
    async with RawServer(lambda seen: raw(answer)) as server:
        outcomes = await _exchanges(server, ["/a", "/b"])
        result = await check(server.url("/c"), always_get=True, retries=0)
    assert [_body(o) for o in outcomes] == [b"hello", b"hello"]
    assert server.connections == 2  # one for the two exchanges, one for the check
    assert (result.status, result.http_status) == (Status.OK, 200)


async def test_a_head_split_across_writes_is_read() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello"
    steps: list[bytes | float] = []
    for at in range(0, len(answer), 7):  # ends in mid-CRLF too
        steps += [answer[at : at + 7], 0.002]
    async with RawServer(lambda seen: Raw(tuple(steps))) as server:
        outcomes = await _exchanges(server, ["/a", "/b"])
    assert [_body(o) for o in outcomes] == [b"hello", b"hello"]
    assert server.connections == 1


async def test_a_bare_lf_head_with_a_crlf_blank_line_keeps_the_whole_body() -> None:
    answer = b"HTTP/1.1 200 OK\nContent-Length: 4\n\r\n\r\nok"  # body: CRLF "ok"
    async with RawServer(lambda seen: raw(answer)) as server:
        (outcome,) = await _exchanges(server, ["/"], read_timeout=0.3)
    assert _body(outcome) == b"\r\nok"


async def test_a_head_over_the_cap_is_a_protocol_error() -> None:
    line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    huge = b"HTTP/1.1 200 OK\r\n" + line * (MAX_HEAD_BYTES // len(line) + 8)
    # The blank line comes late: by then the client holds more than the cap.
    answer = raw(huge, 0.3, b"Content-Length: 0\r\n\r\n")
    async with RawServer(lambda seen: answer) as server:
        result = await check(server.url("/"), retries=0)
    assert (result.status, result.reason) == (Status.ERROR, Reason.PROTOCOL_ERROR)
    assert str(MAX_HEAD_BYTES) in result.detail


async def test_an_endless_head_is_cut_off_at_the_cap() -> None:
    line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    filler: list[bytes | float] = [line, 0.0] * 10_000  # ~10 MB, never ends
    answer = raw(b"HTTP/1.1 200 OK\r\n", *filler)
    async with RawServer(lambda seen: answer) as server:
        result = await check(server.url("/"), retries=0)
    assert (result.status, result.reason) == (Status.ERROR, Reason.PROTOCOL_ERROR)


async def test_a_complete_head_over_the_cap_in_one_read_is_refused() -> None:
    # A real socket pair, so the whole head is in the socket before the protocol reads it.
    line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    head = b"HTTP/1.1 200 OK\r\n" + line * (MAX_HEAD_BYTES // len(line) + 8) + b"\r\n"
    assert MAX_HEAD_BYTES < len(head) < 100_000
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        theirs.settimeout(2.0)  # never block the test if the buffer were too small
        theirs.sendall(head)
        loop = asyncio.get_running_loop()
        transport, connection = await loop.connect_accepted_socket(
            lambda: Connection(loop, ("http", "example.test", 80)), ours
        )
        try:
            with pytest.raises(ProtocolViolation):
                await connection.read_head("GET", 1.0)
        finally:
            transport.close()


async def test_conflicting_content_lengths_are_a_protocol_error() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello"
    async with RawServer(lambda seen: raw(answer)) as server:
        result = await check(server.url("/"), always_get=True, retries=0)
    assert (result.status, result.reason) == (Status.ERROR, Reason.PROTOCOL_ERROR)
    assert "Content-Length" in result.detail


async def test_garbage_instead_of_http_is_a_protocol_error() -> None:
    async with RawServer(lambda seen: raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")) as server:
        result = await check(server.url("/"), retries=0)
    assert (result.status, result.reason) == (Status.ERROR, Reason.PROTOCOL_ERROR)


async def test_a_superscript_content_length_is_a_protocol_error() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\nhi"
    async with RawServer(lambda seen: raw(answer)) as server:
        result = await check(server.url("/"), always_get=True, retries=0)
    assert (result.status, result.reason) == (Status.ERROR, Reason.PROTOCOL_ERROR)


# -- bodies ---------------------------------------------------------------------------------


async def test_a_chunked_body_with_trailers_is_read_and_the_connection_reused() -> None:
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
        b"5;ext=1\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n"
        b"0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
    )
    async with RawServer(lambda seen: raw(answer)) as server:
        outcomes = await _exchanges(server, ["/a", "/b"])
    assert [_body(o) for o in outcomes] == [b"hello, world", b"hello, world"]
    assert server.connections == 1  # trailers consumed: the next answer started clean


async def test_a_chunked_body_dripped_byte_by_byte() -> None:
    wire = b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-T: 1\r\n\r\n"
    steps: list[bytes | float] = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]
    for byte in wire:
        steps += [bytes([byte]), 0.001]
    async with RawServer(lambda seen: Raw(tuple(steps))) as server:
        outcomes = await _exchanges(server, ["/a", "/b"])
    assert [_body(o) for o in outcomes] == [b"abcde", b"abcde"]
    assert server.connections == 1


async def test_a_broken_chunk_size_is_a_protocol_error() -> None:
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
    async with RawServer(lambda seen: raw(answer)) as server:
        (outcome,) = await _exchanges(server, ["/"])
    assert isinstance(outcome, ProtocolViolation)
    assert "chunk size" in str(outcome)


async def test_a_body_ending_at_close_is_read() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the "
    async with RawServer(lambda seen: raw(answer, 0.01, b"very end", close=True)) as server:
        outcomes = await _exchanges(server, ["/a", "/b"])
        result = await check(server.url("/c"), always_get=True, retries=0)
    assert [_body(o) for o in outcomes] == [b"until the very end"] * 2
    assert server.connections == 3  # never reused: the end was the close
    assert (result.status, result.http_status) == (Status.OK, 200)


async def test_a_body_cut_short_is_a_read_error() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"
    async with RawServer(lambda seen: raw(answer, close=True)) as server:
        (outcome,) = await _exchanges(server, ["/"])
    assert isinstance(outcome, ConnectionDropped)
    assert "short" in str(outcome)


async def test_a_silent_server_is_a_read_timeout() -> None:
    async with RawServer(lambda seen: raw(b"HTTP/1.1 200 OK\r\n", 1.0)) as server:
        (outcome,) = await _exchanges(server, ["/"], read_timeout=0.2)
    assert isinstance(outcome, ReadTimedOut)


async def test_a_small_unwanted_body_is_skipped_and_the_connection_reused() -> None:
    # HEAD refused, then GET with a body nobody reads: drained so the connection stays.
    def answer(seen: Seen) -> Raw:
        if seen.method == "HEAD":
            return raw(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        return ok(b"<html>" + b"x" * 5000 + b"</html>", b"Content-Type: text/html\r\n")

    async with (
        RawServer(answer) as server,
        Checker(fast_options(retries=0), detectors=()) as checker,
    ):
        results = [await checker.check(server.url(f"/{n}")) for n in range(3)]
    assert [r.status for r in results] == [Status.OK] * 3
    assert server.connections == 1


# -- politeness -----------------------------------------------------------------------------


async def test_per_host_caps_open_connections_and_requests_in_flight() -> None:
    async with RawServer(lambda seen: raw(0.05, ok_bytes(b"x"))) as server:
        options = fast_options(per_host=2, concurrency=12, always_get=True)
        async with Checker(options, detectors=()) as checker:
            results = await checker.check_many([server.url(f"/{n}") for n in range(12)])
    assert {r.status for r in results} == {Status.OK}
    assert len(server.seen) == 12
    assert server.max_busy == 2  # both slots used, never a third
    assert server.max_open <= 2
    assert server.connections <= 2


async def test_per_host_holds_when_the_host_entry_empties_while_one_waits(
    server: ScriptedServer,
) -> None:
    # Two busy connections and a waiter; both released (closed) before the waiter runs: the
    # host's entry empties and goes. The waiter must count against the entry in use.
    pool = ConnectionPool(fast_options(per_host=2))
    target = normalize_url(server.url("/"))
    try:
        first, _ = await pool.acquire(target)
        second, _ = await pool.acquire(target)
        waiting = asyncio.create_task(pool.acquire(target))
        await asyncio.sleep(0)
        pool.release(first, reusable=False)  # wakes the waiter
        pool.release(second, reusable=False)  # the host's entry is now empty
        woken, _ = await waiting
        other, _ = await pool.acquire(target)
        third = asyncio.create_task(pool.acquire(target))
        await asyncio.sleep(0.05)
        assert not third.done()  # two busy: the cap holds
        pool.release(woken, reusable=False)
        last, _ = await asyncio.wait_for(third, 2)
        pool.release(other, reusable=False)
        pool.release(last, reusable=False)
    finally:
        pool.close()


async def test_per_host_holds_when_connections_are_not_reused() -> None:
    # Every answer closes its connection: slots are handed over, never exceeded.
    closing = ok_bytes(b"x", b"Connection: close\r\n")
    async with RawServer(lambda seen: raw(0.05, closing)) as s:
        options = fast_options(per_host=2, concurrency=10, always_get=True)
        async with Checker(options, detectors=()) as checker:
            results = await checker.check_many([s.url(f"/{n}") for n in range(10)])
    assert {r.status for r in results} == {Status.OK}
    assert s.max_busy == 2
    assert s.connections == 10


# -- the httpx transport --------------------------------------------------------------------


async def test_the_transport_sends_a_post_with_body_and_headers() -> None:
    reply = (
        b"HTTP/1.1 201 Created\r\nContent-Length: 7\r\nX-Reply: ok\r\nX-Reply: again\r\n\r\ncreated"
    )
    async with RawServer(lambda seen: raw(reply)) as server:
        checker = Checker(fast_options(), detectors=())
        try:
            async with httpx.AsyncClient(transport=checker.transport) as client:
                response = await client.post(
                    server.url("/hooks?x=1"),
                    content=b'{"event": "link.broken"}',
                    headers={"X-Signature": "sha256=abc", "Content-Type": "application/json"},
                )
        finally:
            await checker.aclose()
    assert response.status_code == 201
    assert response.text == "created"
    assert response.headers["x-reply"] == "ok, again"
    assert response.http_version == "HTTP/1.1"
    (seen,) = server.seen
    assert (seen.method, seen.target) == ("POST", "/hooks?x=1")
    assert seen.body == b'{"event": "link.broken"}'
    assert seen.headers["x-signature"] == "sha256=abc"
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["content-length"] == str(len(seen.body))
    assert seen.headers["host"] == f"127.0.0.1:{server.port}"


async def test_a_post_on_a_reused_connection_closed_unanswered_is_not_sent_again() -> None:
    # RFC 9112 9.3.1: only idempotent requests are re-sent automatically; a webhook POST sent
    # twice could be delivered twice.
    def answer(seen: Seen) -> Raw:
        if seen.method == "POST":
            return raw(close=True)  # read it, then hang up without a byte
        return ok(b"fine")

    async with RawServer(answer) as server:
        checker = Checker(fast_options(), detectors=())
        try:
            async with httpx.AsyncClient(transport=checker.transport) as client:
                first = await client.get(server.url("/warm-up"))
                with pytest.raises(httpx.ReadError):
                    await client.post(server.url("/hooks"), content=b"{}")
        finally:
            await checker.aclose()
    assert first.status_code == 200
    assert [(s.method, s.connection) for s in server.seen] == [("GET", 0), ("POST", 0)]


async def test_the_transport_survives_a_stream_read_partly_then_closed() -> None:
    big = b"z" * 500_000

    def answer(seen: Seen) -> Raw:
        return ok(big) if seen.target == "/big" else ok(b"small")

    async with RawServer(answer) as server:
        checker = Checker(fast_options(), detectors=())
        try:
            async with httpx.AsyncClient(transport=checker.transport) as client:
                async with client.stream("GET", server.url("/big")) as response:
                    assert response.status_code == 200
                    async for chunk in response.aiter_raw():
                        assert chunk
                        break  # read a little, then walk away
                after = [await client.get(server.url("/small")) for _ in range(3)]
        finally:
            await checker.aclose()
    assert [(r.status_code, r.content) for r in after] == [(200, b"small")] * 3
    # The cut-off connection was dropped, not reused; the next ones share one connection.
    assert [s.connection for s in server.seen] == [0, 1, 1, 1]


async def test_the_transport_reuses_a_connection_after_a_full_read() -> None:
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwire\r\n0\r\n\r\n"
    async with RawServer(
        lambda seen: raw(head_of(answer) if seen.method == "HEAD" else answer)
    ) as server:
        checker = Checker(fast_options(), detectors=())
        try:
            async with httpx.AsyncClient(transport=checker.transport) as client:
                bodies = [(await client.get(server.url(f"/{n}"))).content for n in range(3)]
                head = await client.head(server.url("/h"))
        finally:
            await checker.aclose()
    assert bodies == [b"wire"] * 3
    assert head.status_code == 200 and head.content == b""
    assert server.connections == 1


async def test_the_transport_reports_protocol_errors_in_httpx_terms() -> None:
    async with RawServer(lambda seen: raw(b"nonsense\r\n\r\n")) as server:
        checker = Checker(fast_options(), detectors=())
        try:
            async with httpx.AsyncClient(transport=checker.transport) as client:
                with pytest.raises(httpx.RemoteProtocolError):
                    await client.get(server.url("/"))
        finally:
            await checker.aclose()


# -- framing through the checker ------------------------------------------------------------


async def test_chunked_lf_and_interim_answers_are_read() -> None:
    answers = {
        "/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        "/lf": b"HTTP/1.1 404 Not Found\nContent-Length: 0\n\n",
        "/interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n",
    }
    async with RawServer(lambda seen: raw(answers[seen.target])) as server:
        options = fast_options(retries=0, always_get=True, concurrency=1)
        async with Checker(options, detectors=()) as checker:
            results = await checker.check_many([server.url(path) for path in answers])
    assert [(r.status, r.http_status) for r in results] == [
        (Status.OK, 200),
        (Status.BROKEN, 404),
        (Status.BROKEN, 410),
    ]
    assert server.connections == 1


async def test_a_late_body_after_a_head_answer_is_never_read_as_the_next_answer() -> None:
    # A server that wrongly sends a body after its HEAD answer, late: a whole second response,
    # arriving after the next request went out. It must not turn the next 404 into a 200.
    def answer(seen: Seen) -> Raw:
        if seen.target == "/page":
            fake = ok_bytes(b"hello")
            return raw(head_of(fake), 0.2, fake)
        return raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    async with RawServer(answer) as server, Checker(fast_options(), detectors=()) as checker:
        first = await checker.check(server.url("/page"))
        second = await checker.check(server.url("/missing"))
    assert first.status is Status.OK
    assert (second.status, second.http_status) == (Status.BROKEN, 404)
