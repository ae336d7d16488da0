"""(helper) Serve one asyncio connection handler on several loopback addresses, one port.

``serve_on_hosts(answer, ["127.0.0.2", "127.0.0.3"])`` starts the servers in a background
thread with its own event loop and returns the port they share (so URLs differ by host only,
as links to many sites do).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def serve_on_hosts(answer: Handler, hosts: list[str]) -> int:
    ready = threading.Event()
    port_box: list[int] = []

    async def serve() -> None:
        first = await asyncio.start_server(answer, hosts[0], 0)
        port = first.sockets[0].getsockname()[1]
        for host in hosts[1:]:
            await asyncio.start_server(answer, host, port)
        port_box.append(port)
        ready.set()
        await asyncio.Event().wait()

    threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()
    if not ready.wait(10):
        raise RuntimeError(f"the target servers on {hosts} did not start")
    return port_box[0]
