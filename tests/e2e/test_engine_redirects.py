"""Manual redirects: every redirect code, chains, loops, the cap and what a hop records."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkcheck.engine import Reason, Status

from .engine_helpers import check
from .servers import Reply, ScriptedServer


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/target", Reply(200))
        yield running


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
async def test_each_redirect_code_is_followed(server: ScriptedServer, code: int) -> None:
    server.route("/from", Reply(code, {"Location": "/target"}))
    result = await check(server.url("/from"))
    assert (result.status, result.http_status) == (Status.OK, 200)
    assert result.final_url == server.url("/target")
    assert [(h.url, h.status) for h in result.redirects] == [(server.url("/from"), code)]


async def test_chain_records_every_hop(server: ScriptedServer) -> None:
    server.route("/a", Reply(301, {"Location": server.url("/b")}))  # absolute
    server.route("/b", Reply(302, {"Location": "c"}))  # relative
    server.route("/c", Reply(307, {"Location": "/target?x=1"}))
    server.route("/target", Reply(200))
    result = await check(server.url("/a"))
    assert result.status is Status.OK
    assert [(h.url, h.status) for h in result.redirects] == [
        (server.url("/a"), 301),
        (server.url("/b"), 302),
        (server.url("/c"), 307),
    ]
    assert result.final_url == server.url("/target?x=1")


async def test_redirect_to_a_404_is_broken(server: ScriptedServer) -> None:
    server.route("/moved", Reply(301, {"Location": "/deleted"}))
    result = await check(server.url("/moved"))
    assert (result.status, result.reason) == (Status.BROKEN, Reason.HTTP_404)
    assert result.final_url == server.url("/deleted")


async def test_loop_is_detected(server: ScriptedServer) -> None:
    server.route("/ping", Reply(302, {"Location": "/pong"}))
    server.route("/pong", Reply(302, {"Location": "/ping"}))
    result = await check(server.url("/ping"))
    assert (result.status, result.reason) == (Status.ERROR, Reason.REDIRECT_LOOP)
    assert len(result.redirects) == 2
    assert len(server.hits("/ping")) == 1  # stopped before asking again


async def test_too_many_redirects(server: ScriptedServer) -> None:
    for n in range(20):
        server.route(f"/r{n}", Reply(302, {"Location": f"/r{n + 1}"}))
    result = await check(server.url("/r0"), max_redirects=5)
    assert (result.status, result.reason) == (Status.ERROR, Reason.TOO_MANY_REDIRECTS)
    assert len(result.redirects) == 6
    assert server.hits("/r6") == []


async def test_redirect_to_unsupported_scheme_is_invalid(server: ScriptedServer) -> None:
    server.route("/ftp", Reply(301, {"Location": "ftp://files.example/x"}))
    result = await check(server.url("/ftp"))
    assert (result.status, result.reason) == (Status.INVALID, Reason.UNSUPPORTED_SCHEME)


async def test_redirect_without_location_is_a_protocol_error(server: ScriptedServer) -> None:
    server.route("/nowhere", Reply(302))
    result = await check(server.url("/nowhere"))
    assert (result.status, result.reason, result.http_status) == (
        Status.ERROR,
        Reason.PROTOCOL_ERROR,
        302,
    )
