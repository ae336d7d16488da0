"""Security review regressions: what a hostile server can make the engine read or hold.

Every server here is a real one on 127.0.0.1 (loopback is allowed through the explicit
``allow_private_networks`` option of ``fast_options``). Bounds are checked by what the server
managed to send before the checker went away, never by timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from linkcheck.engine import Status

from .engine_helpers import check
from .servers import Reply, Request, ScriptedServer

ENDLESS = 64 * 1024 * 1024  # far more than any bound; the server stops when the client leaves
# The checker reads at most a 64 KiB drain; kernel socket buffers on loopback hold a few MiB more.
READ_BOUND = 16 * 1024 * 1024


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


async def test_unwanted_body_without_length_is_not_read_to_the_end(server: ScriptedServer) -> None:
    # HEAD is refused, so the engine asks with GET without needing the body; the answer has no
    # Content-Length (read until the server closes) and never ends.
    endless = Reply(
        200,
        {"Content-Type": "application/octet-stream"},
        stream_bytes=ENDLESS,
        content_length=False,
    )

    def script(request: Request) -> Reply:
        return Reply(405) if request.method == "HEAD" else endless

    server.route("/endless", script)
    result = await check(server.url("/endless"), timeout=3.0)
    await asyncio.sleep(0.1)  # let the server notice the closed connection
    assert (result.status, result.http_status) == (Status.OK, 200)
    assert server.bytes_sent("/endless") < READ_BOUND


async def test_unwanted_chunked_body_is_not_read_to_the_end(server: ScriptedServer) -> None:
    chunk = b"x" * 16 * 1024
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    dripping = Reply(
        200,
        {"Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked"},
        drip=(framed, 0.0, ENDLESS // len(chunk)),
        content_length=False,
    )

    def script(request: Request) -> Reply:
        return Reply(405) if request.method == "HEAD" else dripping

    server.route("/chunked", script)
    result = await check(server.url("/chunked"), timeout=3.0)
    await asyncio.sleep(0.1)
    assert (result.status, result.http_status) == (Status.OK, 200)
    assert server.bytes_sent("/chunked") < READ_BOUND
