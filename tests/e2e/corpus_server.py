"""The fixture corpus over real HTTPS: one local server for every platform host.

A threaded HTTP/1.1 server on 127.0.0.1 with a trustme certificate naming every corpus host.
It routes on the Host header through ``tests/fixtures/pages/*/manifest.json`` (pages, redirects,
oEmbed answers, per-host defaults), so the engine reaches "www.tiktok.com" with
``--connect-to www.tiktok.com:443:127.0.0.1:PORT --ca-bundle CA`` and exercises TLS, redirects
and detectors exactly as against the real site. Every corpus run adds ``--only-connect-to``
(``CheckOptions.only_connect_to``): a host the corpus does not serve is refused, never looked
up, so a new oEmbed host in a detector cannot leak a fixture run to the network.

Run it by hand: ``.venv/bin/python -m tests.e2e.corpus_server`` prints the CLI flags to use.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from linkcheck.engine.options import CheckOptions, ConnectTo
from tests.fixtures.pages.corpus import Corpus


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _serve(self, *, with_body: bool) -> None:
        host = self.headers.get("host", "")
        answer = self.server.corpus.answer(host, self.path, self.headers.get("cookie", ""))
        with self.server.lock:
            self.server.requests.append((host.split(":")[0], self.path))
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(answer.body)

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops SYNs when a checker opens its connections in
    # a burst (a second's retransmit then looks like a connect timeout); real servers use 511+.
    request_queue_size = 512
    corpus: Corpus
    tls: ssl.SSLContext
    lock: threading.Lock
    requests: list[tuple[str, str]]
    server_names: list[str | None]  # the TLS SNI of every handshake, in order

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        # Handshake in the handler thread (first read), never in the accept loop.
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # resets and gone clients are expected


class CorpusServer:
    """Serves the corpus on 127.0.0.1 over HTTPS; ``connect_to`` maps every host onto it."""

    def __init__(self, corpus: Corpus | None = None) -> None:
        import trustme

        self.corpus = corpus or Corpus()
        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*self.corpus.hosts).configure_cert(context)
        self._tmp = tempfile.TemporaryDirectory()
        self.ca_pem = str(Path(self._tmp.name) / "ca.pem")
        ca.cert_pem.write_to_path(self.ca_pem)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.corpus = self.corpus
        self._server.tls = context
        self._server.lock = threading.Lock()
        self._server.requests = []
        self._server.server_names = []
        context.sni_callback = self._record_server_name
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def connect_to(self) -> tuple[ConnectTo, ...]:
        return tuple(
            ConnectTo(host=h, port=443, to_host="127.0.0.1", to_port=self.port)
            for h in self.corpus.hosts
        )

    def check_options(self, **overrides: Any) -> CheckOptions:
        """Engine options for a corpus run, as ``cli_args`` gives the CLI: every corpus host
        mapped here, any other refused without a lookup, short deadlines, no retries."""
        values: dict[str, Any] = {
            "connect_to": self.connect_to,
            "only_connect_to": True,
            "ca_bundle": self.ca_pem,
            "timeout": 5.0,
            "connect_timeout": 2.0,
            "read_timeout": 2.0,
            "retries": 0,
        }
        values.update(overrides)
        return CheckOptions(**values)

    def cli_args(self) -> list[str]:
        """``--connect-to`` for every host, ``--only-connect-to`` (any other host is refused
        without a DNS lookup: a fixture run never reaches the network) and ``--ca-bundle``."""
        args = ["--only-connect-to", "--ca-bundle", self.ca_pem]
        for host in self.corpus.hosts:
            args += ["--connect-to", f"{host}:443:127.0.0.1:{self.port}"]
        return args

    @property
    def requests(self) -> list[tuple[str, str]]:
        with self._server.lock:
            return list(self._server.requests)

    @property
    def server_names(self) -> list[str | None]:
        """The SNI each TLS client sent (None: none sent)."""
        with self._server.lock:
            return list(self._server.server_names)

    def _record_server_name(
        self, sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, context: ssl.SSLContext
    ) -> None:
        with self._server.lock:
            self._server.server_names.append(name)

    def start(self) -> CorpusServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._tmp.cleanup()

    def __enter__(self) -> CorpusServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":  # pragma: no cover - manual use
    import time

    with CorpusServer() as server:
        print(" ".join(server.cli_args()))
        print("Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
