"""An in-process moto server (server mode): real boto3 clients talk to it over HTTP."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .moto_queries import patch_queries
from .moto_transactions import patch_rollbacks

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class AtomicDynamoDB:
    """WSGI middleware that runs DynamoDB requests one at a time.

    Real DynamoDB applies each conditional write atomically; moto's threaded server does not
    lock its tables, so two concurrent conditional updates can both pass. Serialising the
    DynamoDB calls (only those: SQS long polls must not wait behind them) restores the
    guarantee the code relies on, so races are tested against the real semantics.
    """

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if not target.startswith(("DynamoDB_", "DynamoDBStreams_")):
            return self._app(environ, start_response)
        with self._lock:
            # Materialise the body inside the lock: the work happens while it is produced.
            return list(self._app(environ, start_response))


@dataclass
class MotoServer:
    endpoint: str
    _server: Any

    def stop(self) -> None:
        self._server.stop()


def start_moto_server(host: str = "127.0.0.1", port: int = 0) -> MotoServer:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    class NoDelayRequestHandler(MotoRequestHandler):  # type: ignore[misc]
        def setup(self) -> None:
            super().setup()
            # werkzeug writes headers and body apart: without this, Nagle's algorithm holds the
            # body until the client's delayed ACK (40 ms) whenever the client is another process.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    class AtomicMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = AtomicDynamoDB(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=NoDelayRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    # moto prints werkzeug request lines even with verbose=False (NOTES.md).
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    patch_rollbacks()  # item by item: moto's copies are slow and blind the stream readers
    patch_queries()  # moto sorts the whole table for each query
    port = port or free_port(host)
    server = AtomicMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return MotoServer(endpoint=f"http://{host}:{port}", _server=server)
