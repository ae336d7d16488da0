"""The httpx path (``CheckOptions(client="httpx")``) gives the same verdicts as the fast path."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from linkcheck.engine import Checker, Reason, Status
from linkcheck.engine.ssrf import ForbiddenTarget

from .engine_helpers import fast_options
from .servers import Reply, ScriptedServer


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200))
        running.route("/moved", Reply(301, {"Location": "/ok"}))
        running.route("/gone", Reply(410))
        running.route("/no-head", lambda r: Reply(405) if r.method == "HEAD" else Reply(200))
        running.route("/huge", Reply(200, stream_bytes=100 * 1024 * 1024))
        yield running


@pytest.mark.parametrize("client", ["wire", "httpx"])
async def test_both_paths_agree(server: ScriptedServer, client: str) -> None:
    paths = ["/ok", "/moved", "/gone", "/no-head", "/missing"]
    async with Checker(fast_options(client=client), detectors=()) as checker:
        results = await checker.check_many([server.url(p) for p in paths])
    assert [(r.status, r.reason, r.http_status, len(r.redirects)) for r in results] == [
        (Status.OK, Reason.HTTP_2XX, 200, 0),
        (Status.OK, Reason.HTTP_2XX, 200, 1),
        (Status.BROKEN, Reason.HTTP_410, 410, 0),
        (Status.OK, Reason.HTTP_2XX, 200, 0),
        (Status.BROKEN, Reason.HTTP_404, 404, 0),
    ]


async def test_httpx_path_reads_bounded_bodies(server: ScriptedServer) -> None:
    options = fast_options(client="httpx", always_get=True, max_body_bytes=32 * 1024)
    async with Checker(options, detectors=()) as checker:
        result = await checker.check(server.url("/huge"))
    assert result.status is Status.OK
    assert server.bytes_sent("/huge") < 16 * 1024 * 1024


async def test_the_transport_serves_a_plain_httpx_client(server: ScriptedServer) -> None:
    checker = Checker(fast_options(allow_private_networks=False), detectors=())
    async with httpx.AsyncClient(transport=checker.transport) as client:
        with pytest.raises(ForbiddenTarget):  # vetted like any check
            await client.get(f"http://localhost:{server.port}/ok")
    await checker.aclose()
    assert server.hits("/ok") == []


def test_unknown_client_is_refused() -> None:
    with pytest.raises(ValueError, match="client"):
        Checker(fast_options(client="curl"))
