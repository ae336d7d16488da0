"""Hostile HTTP servers on 127.0.0.1: every way a target can try to hold or flood a checker.

One asyncio server answers by the first path segment, the *kind* (``/drip_head/17``); a
second port accepts TCP and never starts TLS (``tls_stall``). ``EXPECTED`` says how a check
of each kind must end, so the e2e batch test and ``benchmarks/hostile.py`` share one truth::

    async with HostileServer(drip=0.3) as server:          # in the caller's event loop
        urls = [server.url(kind, n) for kind in KINDS for n in range(10)]
        server.stats.max_sent["endless"]                    # most body bytes sent on one connection

    with hostile_process(drip=0.5) as targets:               # in a process of its own, so
        targets.url("reset", 3)                              # it never competes with the checker
        targets.stats()["max_sent"]["endless"]               # for the event loop or the GIL

    python -m tests.e2e.hostile_server --drip 2              # what hostile_process runs: prints
    READY <port> <tls_stall_port>                            # and serves GET /__stats (JSON)

Every loop is bounded (drips, endless bodies), and a client that goes away ends its handler.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from linkcheck.engine import Reason, Status

# How a check of each kind ends (deep checks: GET, the HTML body read).
EXPECTED: dict[str, tuple[Status, Reason]] = {
    "silent": (Status.ERROR, Reason.TIMEOUT),  # accepts, reads the request, never answers
    "drip_head": (Status.ERROR, Reason.TIMEOUT),  # a header byte every `drip` seconds
    "drip_body": (Status.ERROR, Reason.TIMEOUT),  # a body byte every `drip` seconds
    "endless": (Status.OK, Reason.HTTP_2XX),  # a body without length that never ends
    "endless_chunked": (Status.OK, Reason.HTTP_2XX),  # chunks that never end
    "gzip_bomb": (Status.OK, Reason.HTTP_2XX),  # a small gzip body inflating to `bomb_mib`
    "deflate_bomb": (Status.OK, Reason.HTTP_2XX),  # the same as a zlib (deflate) stream
    "redirects": (Status.ERROR, Reason.TOO_MANY_REDIRECTS),  # a chain of 100 hops
    "bad_status": (Status.ERROR, Reason.PROTOCOL_ERROR),  # "HTTP/1.1 2OO OK"
    "bad_header": (Status.ERROR, Reason.PROTOCOL_ERROR),  # a header line without a colon
    "huge_head": (Status.ERROR, Reason.PROTOCOL_ERROR),  # 128 KiB of header lines
    "reset": (Status.ERROR, Reason.CONNECT_ERROR),  # reads the request, answers with a RST
    "tls_stall": (Status.ERROR, Reason.TIMEOUT),  # TCP accepted, the TLS handshake never starts
}
KINDS = tuple(EXPECTED)

REDIRECT_HOPS = 100
ENDLESS_CAP = 1 << 30  # an "endless" body stops at 1 GiB, far beyond any bound of the checker
DRIP_CAP = 100_000  # drips stop after this many bytes
HUGE_HEAD_BYTES = 128 * 1024
FILLER = b"<p>" + b"x" * 16_377 + b"</p>\n"  # 16 KiB of HTML


@dataclass
class Stats:
    """What the server saw, per kind: requests (connections for ``tls_stall``), body bytes
    sent, and the most body bytes sent on one connection."""

    requests: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    max_sent: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {
            "requests": dict(self.requests),
            "sent": dict(self.sent),
            "max_sent": dict(self.max_sent),
        }


def bomb(encoding: str, mib: int) -> bytes:
    """An HTML page of ``mib`` MiB, mostly spaces, compressed (about 1000:1)."""
    page = b"<html><body>" + b" " * (mib << 20)
    if encoding == "gzip":
        return gzip.compress(page, compresslevel=9)
    return zlib.compress(page, 9)


class HostileServer:
    """The hostile kinds on one port, ``tls_stall`` on another; ``async with`` runs both."""

    def __init__(self, *, drip: float = 2.0, bomb_mib: int = 256) -> None:
        self.drip = drip
        self.bombs = {"gzip": bomb("gzip", bomb_mib), "deflate": bomb("deflate", bomb_mib)}
        self.stats = Stats()
        self.port = 0
        self.tls_stall_port = 0
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: list[asyncio.StreamWriter] = []

    def url(self, kind: str, n: int = 0) -> str:
        return target_url(self.port, self.tls_stall_port, kind, n)

    async def __aenter__(self) -> HostileServer:
        main = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=4096)
        stall = await asyncio.start_server(self._stall, "127.0.0.1", 0, backlog=4096)
        self._servers = [main, stall]
        self.port = main.sockets[0].getsockname()[1]
        self.tls_stall_port = stall.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for server in self._servers:
            server.close()
        for writer in self._held:
            writer.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    # -- handlers ---------------------------------------------------------------------------

    async def _stall(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.requests["tls_stall"] += 1
        self._held.append(writer)  # never a byte back: the client's handshake waits

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        kind = ""
        try:
            for _ in range(REDIRECT_HOPS + 10):  # keep-alive, bounded
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                target = head.split(b" ", 2)[1].decode("latin-1")
                kind, _, rest = target.lstrip("/").partition("/")
                if kind == "__stats":
                    body = json.dumps(self.stats.to_dict()).encode()
                    writer.write(_answer(200, body, b"Content-Type: application/json\r\n"))
                    await writer.drain()
                    continue
                self.stats.requests[kind] += 1
                if not await self._answer(kind, rest, writer):
                    return
        except (ConnectionError, asyncio.CancelledError):
            return  # the client went away, or our own shutdown
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()

    async def _answer(self, kind: str, rest: str, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must end."""
        if kind == "silent":
            await asyncio.Event().wait()  # until the client leaves or the server stops
        if kind == "drip_head":
            writer.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
            return await self._drip(kind, writer)
        if kind == "drip_body":
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 999999\r\n\r\n"
            )
            return await self._drip(kind, writer)
        if kind == "endless":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
            return await self._flood(kind, writer, FILLER)
        if kind == "endless_chunked":
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            return await self._flood(kind, writer, b"%x\r\n%s\r\n" % (len(FILLER), FILLER))
        if kind in ("gzip_bomb", "deflate_bomb"):
            encoding = kind.split("_")[0]
            body = self.bombs[encoding]
            header = b"Content-Type: text/html\r\nContent-Encoding: %s\r\n" % encoding.encode()
            writer.write(_answer(200, body, header))
            self._count(kind, len(body))
        elif kind == "redirects":
            chain, _, hop = rest.partition("/")
            step = int(hop or 0) + 1 if hop.isdigit() else 1
            if step > REDIRECT_HOPS:
                writer.write(_answer(200, b"<html><body>the end</body></html>"))
            else:
                location = b"/redirects/%s/%d" % (chain.encode(), step)
                writer.write(_answer(301, b"", b"Location: %s\r\n" % location))
        elif kind == "bad_status":
            writer.write(b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")
        elif kind == "bad_header":
            writer.write(b"HTTP/1.1 200 OK\r\nThis line has no colon\r\nContent-Length: 0\r\n\r\n")
        elif kind == "huge_head":
            line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
            writer.write(b"HTTP/1.1 200 OK\r\n" + line * (HUGE_HEAD_BYTES // len(line)) + b"\r\n")
        elif kind == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        else:
            writer.write(_answer(404, b"no such kind"))
        await writer.drain()
        return True

    async def _drip(self, kind: str, writer: asyncio.StreamWriter) -> bool:
        for _ in range(DRIP_CAP):
            writer.write(b"a")
            await writer.drain()
            self._count(kind, 1)
            await asyncio.sleep(self.drip)
        return False

    async def _flood(self, kind: str, writer: asyncio.StreamWriter, block: bytes) -> bool:
        sent = 0
        while sent < ENDLESS_CAP:
            writer.write(block)
            await writer.drain()
            sent += len(block)
            self._count(kind, len(block), total=sent)
        return False

    def _count(self, kind: str, size: int, *, total: int = 0) -> None:
        self.stats.sent[kind] += size
        self.stats.max_sent[kind] = max(self.stats.max_sent[kind], total or size)


def target_url(port: int, tls_stall_port: int, kind: str, n: int) -> str:
    if kind == "tls_stall":
        return f"https://127.0.0.1:{tls_stall_port}/{kind}/{n}"
    return f"http://127.0.0.1:{port}/{kind}/{n}"


@dataclass(frozen=True)
class HostileTargets:
    """The URLs of a ``hostile_process`` and what its server saw."""

    port: int
    tls_stall_port: int
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the servers' process has used (Linux ``/proc``)."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def url(self, kind: str, n: int = 0) -> str:
        return target_url(self.port, self.tls_stall_port, kind, n)

    def stats(self) -> dict[str, dict[str, int]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", "/__stats/")
            stats: dict[str, dict[str, int]] = json.load(connection.getresponse())
        finally:
            connection.close()
        return stats


@contextmanager
def hostile_process(*, drip: float = 2.0, bomb_mib: int = 256) -> Iterator[HostileTargets]:
    """Run the hostile servers in a child process (this interpreter, this checkout)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "functions")])}
    command = [sys.executable, "-m", "tests.e2e.hostile_server", "--drip", str(drip)]
    command += ["--bomb-mib", str(bomb_mib)]
    child = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        ready = child.stdout.readline().split()  # "READY <port> <tls_stall_port>"
        if len(ready) != 3 or ready[0] != "READY":
            raise RuntimeError(f"the hostile server did not start: {ready}")
        yield HostileTargets(int(ready[1]), int(ready[2]), child.pid)
    finally:
        child.terminate()
        child.wait(timeout=10)


def _answer(status: int, body: bytes, headers: bytes = b"") -> bytes:
    return b"HTTP/1.1 %d X\r\n%sContent-Length: %d\r\n\r\n%s" % (status, headers, len(body), body)


async def _main(drip: float, bomb_mib: int) -> None:
    async with HostileServer(drip=drip, bomb_mib=bomb_mib) as server:
        print(f"READY {server.port} {server.tls_stall_port}", flush=True)
        await asyncio.Event().wait()  # until the parent ends this process


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drip", type=float, default=2.0, help="seconds between dripped bytes")
    parser.add_argument("--bomb-mib", type=int, default=256, help="inflated size of the bombs")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(_main(options.drip, options.bomb_mib))
