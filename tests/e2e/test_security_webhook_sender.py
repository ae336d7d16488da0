"""Security review regressions: a webhook target cannot hold a delivery attempt hostage.

The webhook function delivers a batch in parallel threads and its Lambda timeout assumes each
attempt ends within ``WEBHOOK_TIMEOUT_SECONDS``. Per-read timeouts alone would never trip on a
target that drips its answer a byte at a time: the attempt needs a total deadline. The
target here is a raw socket server on 127.0.0.1.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from linkcheck.notify.sender import WebhookSender

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Padding: " + b"p" * 40 + b"\r\n\r\n"
BYTE_EVERY = 0.05  # far inside the per-read timeout; the whole answer takes ~3.5 s


class DrippingTarget:
    """Accepts one connection, reads the request, then sends ``ANSWER`` one byte at a time."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.sent = 0
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._listener.settimeout(5.0)
        try:
            connection, _ = self._listener.accept()
        except OSError:
            self.finished.set()
            return
        connection.settimeout(5.0)
        try:
            if self._tls is not None:
                connection = self._tls.wrap_socket(connection, server_side=True)
        except OSError:
            connection.close()
            self.finished.set()
            return
        with connection:
            try:
                connection.recv(65536)
                for byte in ANSWER:
                    connection.sendall(bytes([byte]))
                    self.sent += 1
                    time.sleep(BYTE_EVERY)
            except OSError:  # the sender hung up: what a deadline does
                pass
        self.finished.set()

    def close(self) -> None:
        self._listener.close()
        self._thread.join(timeout=10)


@pytest.fixture(params=["http", "https"])
def scheme(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture()
def target(scheme: str, ca: trustme.CA) -> Iterator[DrippingTarget]:
    tls = None
    if scheme == "https":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(tls)
    running = DrippingTarget(tls)
    yield running
    running.close()


def test_a_dripping_target_is_cut_off_at_the_attempt_deadline(
    target: DrippingTarget, scheme: str, ca: trustme.CA, tmp_path: Path
) -> None:
    # HTTPS too: the TLS socket replaces the TCP one, and the deadline must follow it.
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    sender = WebhookSender(timeout=0.5, allow_private=True, ca_bundle=str(bundle))
    try:
        result = sender.post(f"{scheme}://127.0.0.1:{target.port}/hook", {}, b"{}")
    finally:
        sender.close()
    assert not result.delivered
    assert result.error is not None and "timed out" in result.error
    assert target.finished.wait(5.0)
    assert target.sent < len(ANSWER)  # hung up on before the answer was complete
