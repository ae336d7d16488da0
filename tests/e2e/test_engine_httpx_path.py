"""``Checker.transport``: the engine's pool under httpx's model, for any ``httpx.AsyncClient``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from linkcheck.engine import Checker
from linkcheck.engine.ssrf import ForbiddenTarget

from .engine_helpers import fast_options
from .servers import Reply, ScriptedServer, free_port


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200, body=b"fine"))
        running.route("/moved", Reply(301, {"Location": "/ok"}))
        running.route("/slow", Reply(200, delay=1.5))
        yield running


async def test_a_plain_client_gets_answers_and_follows_redirects_itself(
    server: ScriptedServer,
) -> None:
    checker = Checker(fast_options(), detectors=())
    async with checker, httpx.AsyncClient(transport=checker.transport) as client:
        moved = await client.get(server.url("/moved"))
        followed = await client.get(server.url("/moved"), follow_redirects=True)
    assert (moved.status_code, moved.headers["location"]) == (301, "/ok")
    assert (followed.status_code, followed.content) == (200, b"fine")


async def test_the_transport_serves_a_plain_httpx_client(server: ScriptedServer) -> None:
    checker = Checker(fast_options(allow_private_networks=False), detectors=())
    async with httpx.AsyncClient(transport=checker.transport) as client:
        with pytest.raises(ForbiddenTarget):  # vetted like any check
            await client.get(f"http://localhost:{server.port}/ok")
    await checker.aclose()
    assert server.hits("/ok") == []


async def test_failures_come_out_as_httpx_exceptions(server: ScriptedServer) -> None:
    checker = Checker(fast_options(), detectors=())
    async with checker, httpx.AsyncClient(transport=checker.transport, timeout=0.3) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{free_port()}/")
        with pytest.raises(httpx.ReadTimeout):
            await client.get(server.url("/slow"))
        with pytest.raises(httpx.UnsupportedProtocol):
            await client.get("ftp://127.0.0.1/")
