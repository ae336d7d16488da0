"""resolve_vetted against a real listener on 127.0.0.1: refused by default, reached when allowed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from linkcheck.engine.ssrf import ForbiddenTarget, resolve_vetted
from linkcheck.engine.urls import normalize_url


class Listener:
    def __init__(self) -> None:
        self.connections = 0
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.write(b"hello\n")
        await writer.drain()
        writer.close()


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    state = Listener()
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield state


@pytest.mark.parametrize(
    "spelling",
    ["http://127.0.0.1:{port}/", "http://2130706433:{port}/", "http://localhost:{port}/"],
)
async def test_loopback_listener_is_refused_by_default(listener: Listener, spelling: str) -> None:
    target = normalize_url(spelling.format(port=listener.port))
    with pytest.raises(ForbiddenTarget):
        await resolve_vetted(target.host, target.port, allow_private=False)
    assert listener.connections == 0


async def test_vetted_address_reaches_the_listener_when_allowed(listener: Listener) -> None:
    # Given the opt-in, localhost resolves to addresses the fetcher may dial
    target = normalize_url(f"http://localhost:{listener.port}/")
    addresses = await resolve_vetted(target.host, target.port, allow_private=True)
    # When we connect to the vetted IPv4 address (the listener is IPv4 only)
    address = next(a for a in addresses if ":" not in a)
    reader, writer = await asyncio.open_connection(address, target.port)
    greeting = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    await writer.wait_closed()
    # Then it is the listener that answered
    assert greeting == b"hello\n"
    assert listener.connections == 1
