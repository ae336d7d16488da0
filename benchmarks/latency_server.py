"""A latency-injected HTTP/1.1 server for the throughput benchmark (fallback when nginx is missing).

One process, uvloop and a raw ``asyncio.Protocol`` (no framework), so it costs the client as
little CPU as possible. Every response is held back by the same latency with ``call_later``
(a timer, never a sleeping task), so responses on one keep-alive connection stay in order.

Paths (the same as the nginx config in ``engine_throughput.py``):
- ``/ok/<n>``: 200
- ``/missing/<n>``: 404
- ``/moved/<n>``: 301 to ``/ok/<n>``, at once (``--redirect-latency``: after the latency too)
- ``/status``: ``<requests> <connections>`` answered and accepted so far (no latency; not
  counted)

Run: ``python benchmarks/latency_server.py --port 8080 --hosts 127.0.0.2,127.0.0.3``; it
prints ``ready`` once it listens on every address.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import cast

_REASONS = {200: b"OK", 301: b"Moved Permanently", 404: b"Not Found", 400: b"Bad Request"}
_MAX_HEAD = 16 * 1024  # a request head larger than this is refused


class Counter:
    """Requests answered and connections accepted, shared by every connection."""

    __slots__ = ("connections", "requests")

    def __init__(self) -> None:
        self.requests = 0
        self.connections = 0


def response(
    method: bytes, path: bytes, counter: Counter, redirect_latency: bool = False
) -> tuple[bytes, bool]:
    """The bytes to send for one request, and whether they wait for the latency."""
    location = b""
    if path == b"/status":
        text = f"{counter.requests} {counter.connections}\n".encode()
        return _build(200, text, b"", method), False
    if path.startswith(b"/ok/"):
        status, body = 200, b"ok\n"
    elif path.startswith(b"/missing/"):
        status, body = 404, b"missing\n"
    elif path.startswith(b"/moved/"):
        status, body = 301, b"moved\n"
        location = b"Location: /ok/" + path[len(b"/moved/") :] + b"\r\n"
        counter.requests += 1
        return _build(status, body, location, method), redirect_latency  # nginx's return 301
    else:
        status, body = 404, b"no such benchmark path\n"
    counter.requests += 1
    return _build(status, body, location, method), True


def _build(status: int, body: bytes, extra: bytes, method: bytes) -> bytes:
    if method == b"HEAD":
        # Like nginx's echo module (a streamed body): no Content-Length on HEAD answers, which
        # is valid HTTP and common for dynamic pages. Keeps both benchmark servers alike.
        return b"HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n%s\r\n" % (
            status,
            _REASONS[status],
            extra,
        )
    head = b"HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n%s\r\n" % (
        status,
        _REASONS[status],
        len(body),
        extra,
    )
    return head + body


class LatencyProtocol(asyncio.Protocol):
    """Answers each request after ``latency`` seconds; keep-alive, no request bodies."""

    def __init__(self, latency: float, counter: Counter, redirect_latency: bool = False) -> None:
        self._latency = latency
        self._redirect_latency = redirect_latency
        self._counter = counter
        self._buffer = b""
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport; they have the same methods.
        self._transport = cast(asyncio.Transport, transport)
        self._counter.connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD and self._transport is not None:
                    self._transport.write(_build(400, b"head too large\n", b"", b"GET"))
                    self._transport.close()
                return
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            method, _, rest = head.partition(b" ")
            target = rest.partition(b" ")[0].partition(b"?")[0]
            payload, delayed = response(method, target, self._counter, self._redirect_latency)
            if delayed:
                self._loop.call_later(self._latency, self._send, payload)
            else:
                self._send(payload)

    def _send(self, payload: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(payload)


async def serve(hosts: list[str], port: int, latency: float, redirect_latency: bool) -> None:
    loop = asyncio.get_running_loop()
    counter = Counter()
    servers = [
        await loop.create_server(
            lambda: LatencyProtocol(latency, counter, redirect_latency),
            host,
            port,
            backlog=4096,
            reuse_address=True,
        )
        for host in hosts
    ]
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts", default="127.0.0.2", help="comma-separated listen addresses")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--redirect-latency", action="store_true", help="301s wait too")
    args = parser.parse_args(argv)
    hosts = [h.strip() for h in args.hosts.split(",") if h.strip()]
    coroutine = serve(hosts, args.port, args.latency_ms / 1000, args.redirect_latency)
    try:
        import uvloop
    except ImportError:  # plain asyncio still works, at a higher CPU cost
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
