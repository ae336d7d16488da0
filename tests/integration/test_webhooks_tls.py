"""Deliveries connect to the vetted IP but keep the name for Host and TLS (SNI + certificate)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from linkcheck.notify.sender import WebhookSender


def serve_tls(ca: trustme.CA, name: str) -> tuple[ThreadingHTTPServer, list[dict[str, str]]]:
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            seen.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.fixture()
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture()
def ca_bundle(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture()
def localhost_server(ca: trustme.CA) -> Iterator[tuple[int, list[dict[str, str]]]]:
    server, seen = serve_tls(ca, "localhost")
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_the_certificate_is_checked_against_the_name_not_the_ip(
    localhost_server: tuple[int, list[dict[str, str]]], ca_bundle: str
) -> None:
    port, seen = localhost_server
    sender = WebhookSender(timeout=2, allow_private=True, ca_bundle=ca_bundle)
    result = sender.post(f"https://localhost:{port}/hook", {"webhook-id": "x"}, b"{}")
    assert result.delivered, result
    assert seen[0]["host"] == f"localhost:{port}"
    sender.close()


def test_a_certificate_for_another_name_is_refused(ca: trustme.CA, ca_bundle: str) -> None:
    server, seen = serve_tls(ca, "other.example")
    try:
        sender = WebhookSender(timeout=2, allow_private=True, ca_bundle=ca_bundle)
        result = sender.post(f"https://localhost:{server.server_address[1]}/", {}, b"{}")
        assert not result.delivered
        assert result.status is None
        assert seen == []
        sender.close()
    finally:
        server.shutdown()
        server.server_close()
