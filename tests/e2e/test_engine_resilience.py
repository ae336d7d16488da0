"""Retries, Retry-After, deadlines, dead and resetting servers, bounded body reads."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest

from linkcheck.engine import Reason, Status

from .engine_helpers import check
from .servers import Reply, ScriptedServer, free_port


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


async def test_429_with_retry_after_is_honoured(server: ScriptedServer) -> None:
    server.route("/busy", [Reply(429, {"Retry-After": "1"}), Reply(200)])
    result = await check(server.url("/busy"), timeout=3.0)
    assert (result.status, result.http_status) == (Status.OK, 200)
    first, second = server.hits("/busy")
    assert second.at - first.at >= 0.9  # waited as asked


async def test_429_wait_beyond_deadline_is_rate_limited_at_once(server: ScriptedServer) -> None:
    server.route("/busy", [Reply(429, {"Retry-After": "120"}), Reply(200)])
    result = await check(server.url("/busy"))
    assert (result.status, result.reason) == (Status.BLOCKED, Reason.RATE_LIMITED)
    assert "120 s" in result.detail
    assert len(server.hits("/busy")) == 1  # neither waited nor retried with GET


async def test_503_then_200_is_retried(server: ScriptedServer) -> None:
    server.route("/flaky", [Reply(503), Reply(503), Reply(200)])
    result = await check(server.url("/flaky"))
    assert (result.status, result.http_status) == (Status.OK, 200)
    assert [hit.method for hit in server.hits("/flaky")] == ["HEAD", "GET", "GET"]


async def test_503_retry_after_beyond_deadline_is_http_5xx(server: ScriptedServer) -> None:
    server.route("/down", Reply(503, {"Retry-After": "600"}))
    result = await check(server.url("/down"))
    assert (result.status, result.reason) == (Status.ERROR, Reason.HTTP_5XX)
    assert "600 s" in result.detail


async def test_slow_headers_time_out(server: ScriptedServer) -> None:
    server.route("/slow", Reply(200, delay=1.5))
    result = await check(server.url("/slow"), read_timeout=0.3, timeout=1.0, retries=0)
    assert (result.status, result.reason) == (Status.ERROR, Reason.TIMEOUT)
    assert result.http_status is None


async def test_body_dripping_past_the_deadline_times_out(server: ScriptedServer) -> None:
    # Each chunk arrives well within the read timeout; only the total deadline can stop it.
    server.route("/drip", Reply(200, drip=(b"x" * 10, 0.1, 40)))
    started = time.monotonic()
    result = await check(server.url("/drip"), always_get=True, timeout=0.8, read_timeout=0.5)
    assert (result.status, result.reason) == (Status.ERROR, Reason.TIMEOUT)
    assert "0.8 s deadline" in result.detail
    assert time.monotonic() - started < 3.0  # stopped by the deadline, not by the server


async def test_connection_refused_is_connect_error() -> None:
    result = await check(f"http://127.0.0.1:{free_port()}/")
    assert (result.status, result.reason) == (Status.ERROR, Reason.CONNECT_ERROR)
    assert "refused" in result.detail.lower()


async def test_connection_reset_is_connect_error(server: ScriptedServer) -> None:
    server.route("/reset", Reply(reset=True))
    result = await check(server.url("/reset"), retries=1)
    assert (result.status, result.reason) == (Status.ERROR, Reason.CONNECT_ERROR)
    # A reset is transient: retried once by the engine; a reused connection found closed is
    # also re-sent once on a new one (RFC 9112 9.3.1). Bounded either way.
    assert 2 <= len(server.hits("/reset")) <= 4


async def test_reset_then_ok_recovers(server: ScriptedServer) -> None:
    server.route("/blip", [Reply(reset=True), Reply(200)])
    result = await check(server.url("/blip"))
    assert result.status is Status.OK


async def test_huge_body_is_never_downloaded(server: ScriptedServer) -> None:
    size = 200 * 1024 * 1024
    server.route("/huge", Reply(200, stream_bytes=size))
    result = await check(server.url("/huge"), always_get=True, max_body_bytes=64 * 1024)
    assert result.status is Status.OK
    await asyncio.sleep(0.2)  # let the server notice the closed connection
    # Socket buffers let the server write a few MB at most before it notices the close.
    assert 0 < server.bytes_sent("/huge") < 16 * 1024 * 1024


def test_free_port_has_no_listener() -> None:
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(1)
        sock.connect(("127.0.0.1", free_port()))
