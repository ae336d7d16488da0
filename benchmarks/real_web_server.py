"""The server of ``real_web.py``: many loopback hosts, each URL's answer and latency in its path.

One process, uvloop and a raw ``asyncio.Protocol`` (no framework), listening on every given
address (one listening socket per address, one port), so a benchmark of 500 hosts costs the
machine one cheap process. Answers are held back with ``call_later`` (a timer, never a task).

Paths, ``/<kind>/<latency_ms>/<id>``:
- ``/200/80/17``: 200 after 80 ms (a small HTML page)
- ``/404/80/17``: 404 after 80 ms
- ``/301/80/17``: 301 after 80 ms to ``/301/80/17/`` (the trailing-slash redirect of real
  sites), which answers 200 after another 80 ms
- ``/hang/0/17``: the request is read and never answered (nor is anything after it on that
  connection); the client's timeout ends it
- anything else: 404 at once

Counters (cumulative): TCP connections accepted, requests received (every request head, a HEAD
then a GET on one URL counts two, hanging ones included), requests answered, and the most
connections open at once to one address since the previous stats call. ``GET /stats`` on the
control address (127.0.0.1, its own port) answers them as JSON with this process's CPU seconds
(user + sys); it is not counted.

Run: ``python benchmarks/real_web_server.py --port 8080 --hosts-file hosts.txt
--control-port 8081``; it prints ``ready`` once it listens on every address.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
from collections.abc import Callable
from typing import TextIO, cast

_REASONS = {
    200: b"OK",
    301: b"Moved Permanently",
    400: b"Bad Request",
    404: b"Not Found",
    410: b"Gone",
}
_MAX_HEAD = 16 * 1024  # a request head larger than this is refused
_PAGE = (
    b"<!doctype html><html><head><title>Article %s</title></head><body><h1>Article %s</h1>"
    + b"<p>Some text of a page that exists.</p>" * 20
    + b"</body></html>\n"
)
_MISSING = b"<!doctype html><html><head><title>Not Found</title></head><body>gone</body></html>\n"


class Stats:
    """What every connection counts, shared by all of them."""

    __slots__ = ("answered", "connections", "open", "peak", "requests", "trace")

    def __init__(self, trace: TextIO | None = None) -> None:
        self.trace = trace  # one line per request received: address, method, path
        self.connections = 0
        self.requests = 0
        self.answered = 0
        self.open: dict[str, int] = {}  # address -> connections open now
        self.peak = 0  # most connections open at once to one address since the last report

    def report(self) -> bytes:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        data = {
            "connections": self.connections,
            "requests": self.requests,
            "answered": self.answered,
            "peak_per_host": self.peak,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }
        self.peak = max(self.open.values(), default=0)
        return json.dumps(data).encode()


def plan(method: bytes, path: bytes) -> tuple[int, bytes, bytes, float] | None:
    """(status, body, extra header lines, delay in seconds) for a request; None: never answer."""
    parts = path.split(b"/")
    if len(parts) not in (4, 5) or parts[0] != b"":
        return 404, _MISSING, b"", 0.0
    _, kind, latency, ident, *slash = parts
    try:
        delay = int(latency) / 1000
    except ValueError:
        return 404, _MISSING, b"", 0.0
    if kind == b"hang":
        return None
    if kind == b"200" and not slash:
        return 200, _PAGE % (ident, ident), b"", delay
    if kind == b"404" and not slash:
        return 404, _MISSING, b"", delay
    if kind == b"301":
        if slash == [b""]:  # the redirect's target
            return 200, _PAGE % (ident, ident), b"", delay
        if not slash:
            return 301, b"", b"Location: " + path + b"/\r\n", delay
    return 404, _MISSING, b"", 0.0


def build(
    status: int, body: bytes, extra: bytes, method: bytes, content_type: bytes = b"text/html"
) -> bytes:
    head = b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n" % (
        status,
        _REASONS[status],
        content_type,
        len(body),
        extra,
    )
    return head if method == b"HEAD" else head + body


class HostProtocol(asyncio.Protocol):
    """One client connection: keep-alive, answers in request order, no request bodies."""

    def __init__(self, stats: Stats) -> None:
        self._stats = stats
        self._buffer = b""
        self._transport: asyncio.Transport | None = None
        self._address = ""
        self._hung = False
        self._busy_until = 0.0  # when the previous answer leaves (pipelined requests wait)
        self._loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport; they have the same methods.
        self._transport = cast(asyncio.Transport, transport)
        self._address = str(transport.get_extra_info("sockname")[0])
        stats = self._stats
        stats.connections += 1
        now_open = stats.open.get(self._address, 0) + 1
        stats.open[self._address] = now_open
        stats.peak = max(stats.peak, now_open)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._stats.open[self._address] -= 1

    def data_received(self, data: bytes) -> None:
        if self._hung:
            return
        self._buffer += data
        while not self._hung:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD and self._transport is not None:
                    self._transport.write(build(400, b"head too large\n", b"", b"GET"))
                    self._transport.close()
                return
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            method, _, rest = head.partition(b" ")
            path = rest.partition(b" ")[0].partition(b"?")[0]
            self._stats.requests += 1
            if self._stats.trace is not None:
                self._stats.trace.write(f"{self._address} {method.decode()} {path.decode()}\n")
            answer = self.respond(method, path)
            if answer is None:
                self._hung = True
                return
            payload, delay = answer
            when = max(self._loop.time() + delay, self._busy_until)
            self._busy_until = when
            self._loop.call_at(when, self._send, payload)

    def respond(self, method: bytes, path: bytes) -> tuple[bytes, float] | None:
        """(the answer's bytes, delay in seconds) for a request; None: never answer."""
        answer = plan(method, path)
        if answer is None:
            return None
        status, body, extra, delay = answer
        return build(status, body, extra, method), delay

    def _send(self, payload: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(payload)
            self._stats.answered += 1


class ControlProtocol(asyncio.Protocol):
    """``GET /stats`` on the control address: the counters as JSON, then the connection closes."""

    def __init__(self, stats: Stats) -> None:
        self._stats = stats
        self._buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if b"\r\n\r\n" not in self._buffer:
            return
        body = self._stats.report()
        self._transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s" % (len(body), body)
        )
        self._transport.close()


async def serve(
    hosts: list[str],
    port: int,
    control_port: int,
    trace: TextIO | None = None,
    protocol: Callable[[Stats], HostProtocol] = HostProtocol,
) -> None:
    """Listen on every host address (``protocol`` answers them) and the control address."""
    loop = asyncio.get_running_loop()
    stats = Stats(trace)
    servers = [
        await loop.create_server(
            lambda: protocol(stats), host, port, backlog=1024, reuse_address=True
        )
        for host in hosts
    ]
    servers.append(
        await loop.create_server(lambda: ControlProtocol(stats), "127.0.0.1", control_port)
    )
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts-file", required=True, help="listen addresses, one a line")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--trace", action="store_true", help="print every request to stderr")
    args = parser.parse_args(argv)
    with open(args.hosts_file, encoding="utf-8") as lines:
        hosts = [line.strip() for line in lines if line.strip()]
    coroutine = serve(hosts, args.port, args.control_port, sys.stderr if args.trace else None)
    try:
        import uvloop
    except ImportError:  # plain asyncio still works, at a higher CPU cost
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
