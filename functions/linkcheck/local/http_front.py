"""The HTTP API on a local port: a threading HTTP server in front of ``api_gateway.HttpApi``.

Each connection gets its own thread, so requests are handled concurrently (each function
scales out over process environments, see ``environments.py``).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .api_gateway import MAX_BODY_BYTES, HttpApi, HttpRequest, HttpResponse, gateway_error

log = logging.getLogger("linkcheck.dev")


class _BodyTooLarge(Exception):
    pass


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, like API Gateway

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK (40 ms on Linux), on every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
        except _BodyTooLarge:
            self.close_connection = True  # the rest of the body is not read
            self._send(gateway_error(413, "Request Entity Too Large"))
            return
        except ValueError:
            self.close_connection = True
            self._send(gateway_error(400, "Bad Request"))
            return
        request = HttpRequest(
            method=self.command,
            path=path or "/",
            raw_query=query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        self._send(self.server.api.handle(request))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("content-length") or 0)
        if length < 0:
            raise ValueError("negative content-length")
        if length > MAX_BODY_BYTES:
            raise _BodyTooLarge
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise _BodyTooLarge
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    # The access log shows paths without query strings: a query can carry secrets
    # (GET /check?url=https://user:password@host/), and the log is printed and often kept.
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = code.value if isinstance(code, HTTPStatus) else code
        log.info('%s "%s" %s %s', self.address_string(), self._logged_request(), status, size)

    def log_error(self, format: str, *args: Any) -> None:
        if args and isinstance(args[0], int):
            # send_error's message quotes the raw request line, query string and all.
            log.info("%s refused a malformed request (%s)", self.address_string(), args[0])
            return
        log.info("%s %s", self.address_string(), format % args)  # a timeout: no request data

    def _logged_request(self) -> str:
        """``METHOD /path HTTP/1.1`` from the request line, without its query string."""
        words = self.requestline.split()
        if len(words) < 2:
            return "-"
        method, target = words[0], words[1]
        version = words[2] if len(words) == 3 else "-"
        return _printable(f"{method} {target.partition('?')[0]} {version}")


def _printable(text: str) -> str:
    """``text`` with control characters escaped, so a request line cannot forge log lines."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: HttpApi) -> None:
        self.api = api
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):  # the client went away: nothing to answer
            log.debug("client %s disconnected: %s", client_address, error)
            return
        log.exception("error serving %s", client_address)


class HttpFront:
    """Serves ``api`` on host:port (port 0 picks a free one) in a background thread."""

    def __init__(self, api: HttpApi, *, host: str = "127.0.0.1", port: int = 3000) -> None:
        self._server = _Server((host, port), api)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    @property
    def base_url(self) -> str:
        host = self._server.server_address[0]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            daemon=True,
            name="linkcheck-dev-http",
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()  # idempotent; also frees a port bound but never served
