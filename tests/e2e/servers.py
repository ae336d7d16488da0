"""Real HTTP(S) servers on 127.0.0.1 with scriptable behaviours, for end-to-end tests.

API (reusable by every e2e test)::

    from tests.e2e.servers import Reply, ScriptedServer, free_port

    with ScriptedServer() as server:                      # http://127.0.0.1:<port>
        server.route("/ok", Reply(200, body=b"hello"))
        server.route("/flaky", [Reply(503), Reply(200)])  # n-th request gets n-th reply,
                                                          # the last one repeats
        server.route("/who", lambda req: Reply(200, body=req.headers["user-agent"].encode()))
        server.url("/ok")                                 # "http://127.0.0.1:<port>/ok"
        server.hits("/flaky")                             # [Request(method, path, headers, at)]
        server.bytes_sent("/big")                         # body bytes actually written

    with ScriptedServer(tls_names=("secure.test",)) as server:   # HTTPS (trustme CA)
        server.ca_pem                                      # path of the CA certificate (PEM)

``Reply`` fields: ``status``, ``headers`` (dict), ``body`` (bytes), ``delay`` (seconds before
the status line: slow headers), ``drip`` (``(chunk, interval_s, count)``: a body sent slowly),
``stream_bytes`` (a huge body of that many bytes, sent in chunks until the client goes away),
``reset`` (close the connection with a TCP RST instead of answering), ``content_length``
(False: no Content-Length header; only sensible for HEAD). Unrouted paths get 404.
``Request.peer`` is the client's port (equal ports: one keep-alive connection).
HEAD requests get the headers only. Connections are HTTP/1.1 keep-alive.

``free_port()`` returns a port with nothing listening (for "connection refused").

``SilentServer()`` accepts connections and never answers (a hanging host), until stopped:
``with SilentServer() as silent: silent.url("/x"); silent.accepted``.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

CHUNK = 16 * 1024


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    drip: tuple[bytes, float, int] | None = None
    stream_bytes: int = 0
    reset: bool = False
    content_length: bool = True  # False: no Content-Length header (HEAD answers of dynamic pages)


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-cased names
    at: float  # time.monotonic() when it arrived
    peer: int = 0  # the client's port: equal ports mean one reused (keep-alive) connection


Script = Reply | Sequence[Reply] | Callable[[Request], Reply]


def free_port() -> int:
    """A TCP port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet tests
        return

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        owner = self.server.owner
        request = Request(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            at=time.monotonic(),
            peer=self.client_address[1],
        )
        reply = owner._next_reply(request)
        if reply.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if reply.delay:
            time.sleep(reply.delay)
        body_length = len(reply.body)
        if reply.drip is not None:
            body_length = len(reply.drip[0]) * reply.drip[2]
        elif reply.stream_bytes:
            body_length = reply.stream_bytes
        self.send_response(reply.status)
        headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if reply.content_length and "content-length" not in {k.lower() for k in headers}:
            self.send_header("Content-Length", str(body_length))
        self.end_headers()
        if self.command == "HEAD":
            return
        route = request.path.split("?", 1)[0]
        try:
            if reply.drip is not None:
                chunk, interval, count = reply.drip
                for _ in range(count):
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    owner._count(route, len(chunk))
                    time.sleep(interval)
            elif reply.stream_bytes:
                left = reply.stream_bytes
                block = b"x" * CHUNK
                while left > 0:
                    piece = block[: min(CHUNK, left)]
                    self.wfile.write(piece)
                    owner._count(route, len(piece))
                    left -= len(piece)
            else:
                self.wfile.write(reply.body)
                owner._count(route, len(reply.body))
        except OSError:  # the client went away: that is what bounded reads do
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops SYNs when a checker opens its connections in
    # a burst (a second's retransmit then looks like a connect timeout); real servers use 511+.
    request_queue_size = 512
    owner: ScriptedServer

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        if self.owner._tls is not None:
            # Handshake in the handler thread (first read), never in the accept loop.
            sock = self.owner._tls.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # resets, failed handshakes and gone clients are expected here


class ScriptedServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 (optionally TLS) with scripted routes."""

    def __init__(self, *, tls_names: Sequence[str] = ()) -> None:
        self._routes: dict[str, Script] = {}
        self._hits: dict[str, list[Request]] = {}
        self._sent: dict[str, int] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.ca_pem = ""
        if tls_names:
            self._setup_tls(tls_names)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _setup_tls(self, names: Sequence[str]) -> None:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert(*names)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self._tls = context
        self._tmp = tempfile.TemporaryDirectory()
        path = Path(self._tmp.name) / "ca.pem"
        ca.cert_pem.write_to_path(str(path))
        self.ca_pem = str(path)

    # -- scripting -------------------------------------------------------------------------

    def route(self, path: str, script: Script) -> None:
        with self._lock:
            self._routes[path] = script

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return list(self._hits.get(path, ()))

    def bytes_sent(self, path: str) -> int:
        with self._lock:
            return self._sent.get(path, 0)

    def _next_reply(self, request: Request) -> Reply:
        route = request.path.split("?", 1)[0]
        with self._lock:
            seen = self._hits.setdefault(route, [])
            seen.append(request)
            script = self._routes.get(route)
            count = len(seen)
        if script is None:
            return Reply(404, body=b"<h1>Not found</h1>")
        if isinstance(script, Reply):
            return script
        if callable(script):
            return script(request)
        return script[min(count, len(script)) - 1]

    def _count(self, route: str, size: int) -> None:
        with self._lock:
            self._sent[route] = self._sent.get(route, 0) + size

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def scripted_server(*, tls_names: Sequence[str] = ()) -> Iterator[ScriptedServer]:
    """Context-manager form, handy in fixtures: ``with scripted_server() as s: ...``."""
    with ScriptedServer(tls_names=tls_names) as server:
        yield server


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers: a host that hangs."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=512)
        self._listener.settimeout(0.05)  # the accept loop checks for stop between waits
        self.port: int = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def accepted(self) -> int:
        return len(self._held)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(connection)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._listener.close()
        for connection in self._held:
            connection.close()
