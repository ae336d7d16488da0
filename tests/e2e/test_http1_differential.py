"""The engine's HTTP/1.1 reading against h11's (the parser under httpx), on generated answers.

Each generated response is served byte for byte by a socket server on 127.0.0.1 that then
closes, and read two ways: by the engine (its transport, through a plain ``httpx.AsyncClient``)
and by ``h11.Connection`` fed the same bytes. Both must give the same status, headers and
body, or both must refuse. Where the engine reads what h11 refuses, that is an intended
leniency, listed in ``LENIENT`` with its reason: a checker reads what browsers read.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import h11
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkcheck.engine import Checker

from .engine_helpers import fast_options

# What the engine reads although h11 refuses it, and why (browsers read these too).
LENIENT = {
    "bare_lf": "line ends without CR (RFC 9112 2.2 lets a recipient accept a bare LF)",
    "folded": "obsolete header line folding (RFC 9112 5.2: a user agent may unfold it)",
    "coding": "a transfer coding other than chunked last: the body runs until close, as RFC "
    "9112 6.3 says for responses",
    "chunk_bws": "whitespace before a chunk extension's ';' (RFC 9112 7.1.1 allows it: BWS)",
}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class _OneShotServer:
    """Accepts a connection, reads the request head, writes ``payload`` and closes."""

    def __init__(self) -> None:
        self.payload = b""
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                received = b""
                while b"\r\n\r\n" not in received:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    received += chunk
                conn.sendall(self.payload)
                conn.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._sock.close()


@pytest.fixture(scope="module")
def server() -> Iterator[_OneShotServer]:
    running = _OneShotServer()
    yield running
    running.close()


def _normalised(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Repeats joined as the engine joins them (``Set-Cookie`` by newline, others by comma)."""
    joined: dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        separator = "\n" if name == "set-cookie" else ", "
        joined[name] = f"{joined[name]}{separator}{value}" if name in joined else value
    return tuple(joined.items())


def read_with_h11(method: str, payload: bytes) -> Answer | None:
    connection = h11.Connection(h11.CLIENT)
    connection.send(h11.Request(method=method, target="/", headers=[("Host", "t")]))
    connection.send(h11.EndOfMessage())
    connection.receive_data(payload)
    connection.receive_data(b"")
    status, headers, body = 0, (), b""
    try:
        while True:
            event = connection.next_event()
            if isinstance(event, h11.Response):
                status = event.status_code
                headers = _normalised(
                    [(n.decode("latin-1"), v.decode("latin-1")) for n, v in event.headers]
                )
            elif isinstance(event, h11.Data):
                body += bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return Answer(status, headers, body)
            elif event is h11.NEED_DATA or isinstance(event, h11.ConnectionClosed):
                return None
    except h11.RemoteProtocolError:
        return None


def read_with_engine(port: int, method: str) -> Answer | None:
    async def run() -> Answer | None:
        checker = Checker(fast_options(retries=0), detectors=())
        try:
            async with httpx.AsyncClient(transport=checker.transport) as client:
                request = client.build_request(method, f"http://127.0.0.1:{port}/")
                response = await client.send(request, stream=True)
                try:
                    body = b"".join([chunk async for chunk in response.aiter_raw()])
                finally:
                    await response.aclose()
                headers = _normalised(list(response.headers.multi_items()))
                return Answer(response.status_code, headers, body)
        except (httpx.HTTPError, OSError):
            return None
        finally:
            await checker.aclose()

    return asyncio.run(run())


_TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12).map(
    lambda name: "x-" + name
)
_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)
_SPELLING = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])


@st.composite
def responses(draw: st.DrawFn) -> tuple[str, bytes, set[str]]:
    """(method, raw response bytes, the leniencies it uses, or {"truncated"}: both refuse)."""
    method = draw(st.sampled_from(["GET", "HEAD"]))
    used: set[str] = set()
    eol = "\r\n"
    if draw(st.integers(0, 9)) == 0:
        eol, used = "\n", {"bare_lf"}
    status = draw(st.sampled_from([200, 201, 204, 301, 302, 304, 404, 410, 500, 503, 299, 599]))
    head = ""
    if draw(st.booleans()) and draw(st.booleans()):
        head += f"HTTP/1.1 {draw(st.sampled_from([100, 103]))} Interim{eol}{eol}"
    reason = draw(st.sampled_from(["OK", "", "Whatever It Says", "ok ok"]))
    head += f"HTTP/1.1 {status} {reason}".rstrip() + eol
    fields: list[tuple[str, str]] = []
    for _ in range(draw(st.integers(0, 4))):
        fields.append((draw(_TOKEN), draw(_VALUE).strip()))
    if draw(st.booleans()):
        fields.append(("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT"))
        fields.append(("Set-Cookie", "b=2"))
    body = draw(st.binary(max_size=200))
    framing = draw(st.sampled_from(["length", "chunked", "close", "short", "coding"]))
    body_bytes = body
    if framing in {"length", "short"}:
        declared = len(body) + (draw(st.integers(1, 5)) if framing == "short" else 0)
        fields.append(("Content-Length", str(declared)))
    elif framing in {"chunked", "coding"}:
        fields.append(("Transfer-Encoding", "chunked" if framing == "chunked" else "gzip"))
        if framing == "coding":
            used.add("coding")
        else:
            pieces, rest = [], body
            while rest:
                size = draw(st.integers(1, max(1, len(rest))))
                extension = draw(st.sampled_from(["", ";ext=1", " ;a"]))
                if extension.startswith(" "):
                    used.add("chunk_bws")
                pieces.append(f"{size:x}{extension}\r\n".encode() + rest[:size] + b"\r\n")
                rest = rest[size:]
            trailer = b"X-Trailer: 1\r\n" if draw(st.booleans()) else b""
            body_bytes = b"".join(pieces) + b"0\r\n" + trailer + b"\r\n"
    lines = []
    for name, value in fields:
        spell = draw(_SPELLING)
        lines.append(f"{spell(name)}: {value}")
    custom = [index for index, (name, _) in enumerate(fields) if name.startswith("x-")]
    if custom and draw(st.integers(0, 9)) == 0:  # folded onto a field that frames nothing
        lines[custom[0]] += f"{eol} folded"
        used.add("folded")
    text = head + "".join(line + eol for line in lines) + eol
    if framing == "short" and method == "GET" and status not in (204, 304):
        used = {"truncated"}  # fewer bytes than declared: whatever else, a refusal
    return method, text.encode("latin-1") + body_bytes, used


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(responses())
def test_the_engine_reads_what_h11_reads(
    server: _OneShotServer, generated: tuple[str, bytes, set[str]]
) -> None:
    method, payload, lenient = generated
    server.payload = payload
    ours = read_with_engine(server.port, method)
    theirs = read_with_h11(method, payload)
    if lenient == {"truncated"}:
        assert ours is None is theirs, payload
        return
    if lenient and theirs is None:
        assert ours is not None, f"refused although lenient ({sorted(lenient)}): {payload!r}"
        return
    assert ours == theirs, f"{method} {payload!r}"


@pytest.mark.parametrize(
    ("payload", "lenient"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", None),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc", None),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", None),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nabc", None),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            None,
        ),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", None),
        (b"HTTP/1.0 200 OK\r\n\r\nuntil close", None),
        (b"HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", None),
        (b"HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n", None),
        (b"HTTP/1.1 200 OK\r\n Folded-first: x\r\nContent-Length: 0\r\n\r\n", None),
        (b"HTTP/2 200\r\n\r\n", None),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", None),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
            "coding",
        ),
    ],
)
def test_edge_cases_read_alike(server: _OneShotServer, payload: bytes, lenient: str | None) -> None:
    server.payload = payload
    ours = read_with_engine(server.port, "GET")
    theirs = read_with_h11("GET", payload)
    if lenient is not None and theirs is None:
        assert lenient in LENIENT and ours is not None
        return
    assert ours == theirs
