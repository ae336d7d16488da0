"""TLS verification, --connect-to, IDN hosts and SSRF vetting of every hop, end to end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkcheck.engine import ConnectTo, Reason, Status

from .engine_helpers import check
from .servers import Reply, ScriptedServer


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def to_local(host: str, port: int) -> tuple[ConnectTo, ...]:
    return (ConnectTo(host=host, port=port, to_host="127.0.0.1", to_port=port),)


async def test_self_signed_tls_fails_without_ca_bundle() -> None:
    with ScriptedServer(tls_names=("secure.test",)) as tls:
        tls.route("/", Reply(200))
        result = await check(
            tls.url("/", host="secure.test"), connect_to=to_local("secure.test", tls.port)
        )
    assert (result.status, result.reason) == (Status.ERROR, Reason.TLS_ERROR)
    assert "certificate" in result.detail


async def test_self_signed_tls_passes_with_ca_bundle() -> None:
    with ScriptedServer(tls_names=("secure.test",)) as tls:
        tls.route("/", Reply(200))
        result = await check(
            tls.url("/", host="secure.test"),
            connect_to=to_local("secure.test", tls.port),
            ca_bundle=tls.ca_pem,
        )
        host_header = tls.hits("/")[0].headers["host"]
    assert (result.status, result.reason) == (Status.OK, Reason.HTTP_2XX)
    assert host_header == f"secure.test:{tls.port}"  # the name, not the dialled address


async def test_tls_name_mismatch_is_tls_error() -> None:
    with ScriptedServer(tls_names=("other.test",)) as tls:
        result = await check(
            tls.url("/", host="secure.test"),
            connect_to=to_local("secure.test", tls.port),
            ca_bundle=tls.ca_pem,
        )
    assert (result.status, result.reason) == (Status.ERROR, Reason.TLS_ERROR)


async def test_idn_host_via_connect_to(server: ScriptedServer) -> None:
    server.route("/", Reply(200))
    result = await check(
        f"http://bücher.test:{server.port}/", connect_to=to_local("bücher.test", server.port)
    )
    assert result.status is Status.OK
    assert result.final_url == f"http://xn--bcher-kva.test:{server.port}/"
    assert server.hits("/")[0].headers["host"] == f"xn--bcher-kva.test:{server.port}"


async def test_connect_to_target_is_trusted_without_private_opt_in(
    server: ScriptedServer,
) -> None:
    server.route("/", Reply(200))
    result = await check(
        f"http://public.test:{server.port}/",
        connect_to=to_local("public.test", server.port),
        allow_private_networks=False,
    )
    assert result.status is Status.OK


async def test_redirect_to_loopback_is_refused_without_opt_in(server: ScriptedServer) -> None:
    server.route("/", Reply(302, {"Location": server.url("/internal")}))
    server.route("/internal", Reply(200))
    result = await check(
        f"http://public.test:{server.port}/",
        connect_to=to_local("public.test", server.port),
        allow_private_networks=False,
    )
    assert (result.status, result.reason) == (Status.INVALID, Reason.FORBIDDEN_TARGET)
    assert "loopback" in result.detail
    assert result.final_url == server.url("/internal")
    assert [hop.status for hop in result.redirects] == [302]
    assert server.hits("/internal") == []  # never reached


async def test_redirect_to_localhost_name_is_refused(server: ScriptedServer) -> None:
    server.route("/", Reply(302, {"Location": f"http://localhost:{server.port}/internal"}))
    result = await check(
        f"http://public.test:{server.port}/",
        connect_to=to_local("public.test", server.port),
        allow_private_networks=False,
    )
    assert (result.status, result.reason) == (Status.INVALID, Reason.FORBIDDEN_TARGET)
    assert server.hits("/internal") == []


async def test_loopback_literal_is_refused_without_opt_in(server: ScriptedServer) -> None:
    result = await check(server.url("/"), allow_private_networks=False)
    assert (result.status, result.reason) == (Status.INVALID, Reason.FORBIDDEN_TARGET)
    assert server.hits("/") == []
