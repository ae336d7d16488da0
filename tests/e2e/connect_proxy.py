"""A real HTTP CONNECT proxy on 127.0.0.1 for the egress tests (asyncio, in its own thread).

It records every CONNECT (request line and headers), can demand Basic credentials (407
otherwise) or refuse every tunnel with a status, and pipes bytes both ways once it answered
200. ``forward`` maps the address a CONNECT names to where the bytes really go (the tests'
servers listen on random ports, the URLs name 443), like a NAT in front of the internet.
Only loopback is ever dialled.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from dataclasses import dataclass, field
from types import TracebackType


@dataclass(frozen=True)
class Seen:
    line: str  # e.g. "CONNECT 127.0.0.1:443 HTTP/1.1"
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names


class ConnectProxy:
    def __init__(
        self,
        *,
        credentials: tuple[str, str] | None = None,
        refuse_with: int | None = None,
        forward: dict[tuple[str, int], tuple[str, int]] | None = None,
    ) -> None:
        self.credentials = credentials
        self.refuse_with = refuse_with
        self.forward = dict(forward or {})
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def start(self) -> ConnectProxy:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        )
        self._server = started.result(timeout=5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> ConnectProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            line, *fields = head.decode("latin-1").split("\r\n")
            headers = {}
            for text in fields:
                name, _, value = text.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            with self._lock:
                self._seen.append(Seen(line, headers))
            status = self._decide(line, headers)
            if status != 200:
                writer.write(f"HTTP/1.1 {status} No\r\nContent-Length: 0\r\n\r\n".encode())
                await writer.drain()
                return
            host, _, port = line.split()[1].rpartition(":")
            where = self.forward.get((host.strip("[]"), int(port)), (host.strip("[]"), int(port)))
            assert where[0] in ("127.0.0.1", "::1"), "the test proxy only dials loopback"
            up_reader, up_writer = await asyncio.open_connection(*where)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            with contextlib.suppress(OSError):
                writer.close()

    def _decide(self, line: str, headers: dict[str, str]) -> int:
        if not line.startswith("CONNECT "):
            return 405
        if self.credentials is not None:
            token = base64.b64encode(":".join(self.credentials).encode()).decode()
            if headers.get("proxy-authorization") != f"Basic {token}":
                return 407
        return self.refuse_with or 200


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()
