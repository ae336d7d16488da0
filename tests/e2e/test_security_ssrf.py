"""Security review regressions: every way out of the engine is vetted, whoever drives it.

Refusals are proven against real listeners on 127.0.0.1: a refused request never arrives.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from linkcheck.engine import Checker, Reason, Status, ssrf
from linkcheck.engine.ssrf import ForbiddenTarget
from linkcheck.engine.urls import IPAddress

from .engine_helpers import fast_options
from .servers import Reply, ScriptedServer


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200))
        yield running


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]", "2130706433"])
async def test_the_shared_transport_vets_ip_literals(server: ScriptedServer, host: str) -> None:
    # ``Checker.transport`` (public, for any httpx client) vets IP literals itself when it
    # connects, in any spelling, not relying on the checker having done it.
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


@pytest.fixture()
def mixed_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """``mixed.example`` answers 127.0.0.1 and 127.0.0.2; only .2 counts as internal here.

    All traffic stays on loopback: 127.0.0.1 plays a public address, 127.0.0.2 a private one.
    """
    real_reason = ssrf.forbidden_reason

    def reason(ip: IPAddress) -> str | None:
        if str(ip) == "127.0.0.1":
            return None
        return real_reason(ip)

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> object:
        if host != "mixed.example":
            raise socket.gaierror(socket.EAI_NONAME, "no such name")
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
            for address in ("127.0.0.1", "127.0.0.2")
        ]

    monkeypatch.setattr(ssrf, "forbidden_reason", reason)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.usefixtures("mixed_dns")
async def test_a_name_mixing_public_and_private_answers_is_refused_at_every_hop(
    server: ScriptedServer,
) -> None:
    server.route("/hop", Reply(302, {"Location": f"http://mixed.example:{server.port}/ok"}))
    options = fast_options(allow_private_networks=False)
    async with Checker(options, detectors=()) as checker:
        direct, redirected = await checker.check_many(
            [f"http://mixed.example:{server.port}/ok", server.url("/hop")]
        )
    for result in (direct, redirected):
        assert (result.status, result.reason) == (Status.INVALID, Reason.FORBIDDEN_TARGET)
        assert "127.0.0.2" in result.detail
    assert len(server.hits("/hop")) == 1  # 127.0.0.1 itself passes (it plays a public address)
    assert server.hits("/ok") == []
