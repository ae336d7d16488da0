"""Fail-closed fixture runs (``--only-connect-to``): a host no ``--connect-to`` rule maps is
refused as ``forbidden_target`` before any DNS lookup or connection, whatever else is allowed."""

from __future__ import annotations

import socket

import pytest

from linkcheck.cli import main
from linkcheck.engine import ConnectTo

from .engine_helpers import check
from .servers import Reply, ScriptedServer


@pytest.fixture()
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name looked up; none resolves (nothing may reach real DNS in these tests)."""
    asked: list[str] = []

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> object:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "no such name")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.facebook.com/v19.0/instagram_oembed?url=x",  # an unmapped oEmbed host
        "http://example.org/",
        "http://127.0.0.1:9/",  # IP literals too: nothing unmapped is dialled
    ],
)
async def test_an_unmapped_host_is_refused_without_a_lookup(lookups: list[str], url: str) -> None:
    with ScriptedServer() as server:
        server.route("/", Reply(200))
        mapped = (ConnectTo("mapped.example", None, "127.0.0.1", server.port),)
        # Even with private networks allowed: the mapping alone decides.
        result = await check(url, connect_to=mapped, only_connect_to=True)
        ok = await check("http://mapped.example/", connect_to=mapped, only_connect_to=True)
    assert (result.status.value, result.reason.value) == ("invalid", "forbidden_target")
    assert "--only-connect-to" in result.detail
    assert ok.status.value == "ok"
    assert lookups == []


async def test_a_redirect_to_an_unmapped_host_is_refused_too(lookups: list[str]) -> None:
    with ScriptedServer() as server:
        server.route("/", Reply(302, headers={"Location": "https://leak.example/x"}))
        mapped = (ConnectTo("mapped.example", None, "127.0.0.1", server.port),)
        result = await check("http://mapped.example/", connect_to=mapped, only_connect_to=True)
    assert (result.status.value, result.reason.value) == ("invalid", "forbidden_target")
    assert lookups == []


def test_the_cli_needs_a_rule_for_only_connect_to(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--only-connect-to", "https://example.org/"]) == 2
    assert "--only-connect-to needs at least one --connect-to" in capsys.readouterr().err
