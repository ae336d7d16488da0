"""Security review regressions: every way out of the engine is vetted, whoever drives it.

Refusals are proven against real listeners on 127.0.0.1: a refused request never arrives.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from linkcheck.engine import Checker
from linkcheck.engine.ssrf import ForbiddenTarget

from .engine_helpers import fast_options
from .servers import Reply, ScriptedServer


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200))
        yield running


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]", "2130706433"])
async def test_the_shared_transport_vets_ip_literals(server: ScriptedServer, host: str) -> None:
    # aiohttp never asks a resolver about an IP literal: ``Checker.transport`` (public, for any
    # httpx client) must vet them itself, not rely on the checker having done it.
    checker = Checker(fast_options(allow_private_networks=False), detectors=())
    try:
        async with httpx.AsyncClient(transport=checker.transport) as client:
            with pytest.raises(ForbiddenTarget):
                await client.get(f"http://{host}:{server.port}/ok")
    finally:
        await checker.aclose()
    assert server.hits("/ok") == []


async def test_the_shared_transport_reaches_literals_when_allowed(server: ScriptedServer) -> None:
    checker = Checker(fast_options(), detectors=())
    try:
        async with httpx.AsyncClient(transport=checker.transport) as client:
            response = await client.get(server.url("/ok"))
    finally:
        await checker.aclose()
    assert response.status_code == 200
