"""An in-process moto server (server mode): real boto3 clients talk to it over HTTP."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class MotoServer:
    endpoint: str
    _server: Any

    def stop(self) -> None:
        self._server.stop()


def start_moto_server(host: str = "127.0.0.1", port: int = 0) -> MotoServer:
    from moto.server import ThreadedMotoServer

    # moto prints werkzeug request lines even with verbose=False (NOTES.md).
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = port or free_port(host)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return MotoServer(endpoint=f"http://{host}:{port}", _server=server)
