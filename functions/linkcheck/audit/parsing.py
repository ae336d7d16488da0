"""Pages parsed for links in another process, while the audit's event loop does the network.

Link extraction is pure (bytes in, links out) and a large share of a crawl's CPU; on a machine
with a core to spare, one ``python`` child (``parse_worker``) parses the pages a crawl reads.
It is started only once an audit has asked for ``START_AFTER`` pages (a small crawl never pays
its start, ~0.1 s of the other core); until it is ready, and whenever it already has
``BACKLOG`` pages waiting, the audit parses the page itself, so the child never holds the crawl
back. A child that fails or dies costs nothing but its pages, parsed again in the audit.
Not for the deployed functions: one request's audit there has one core (``AuditOptions``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

from ..engine import Page
from ..extract import ExtractedDocument, FoundLink
from .documents import read_document
from .parse_worker import HEADER

START_AFTER = 8  # pages an audit asks to read before the child is started
BACKLOG = 256  # pages waiting in the child beyond which the audit parses a page itself
STOP_SECONDS = 2.0
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder ``linkcheck`` is in
CHILD_CODE = (
    f"import sys; sys.path.insert(0, {_PACKAGE_ROOT!r}); "
    "from linkcheck.audit.parse_worker import main; main()"
)

OnParsed = Callable[[ExtractedDocument | None], None]


def spare_cores() -> int:
    """Cores this process may use beyond the one its event loop runs on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(usable - 1, 0)


class ParsingProcess:
    """One parsing child: ``offer`` a page, its links come to ``on_parsed`` later."""

    def __init__(self, *, media: bool) -> None:
        self._media = media
        self._process: asyncio.subprocess.Process | None = None
        self._starting: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, tuple[Page, OnParsed]] = {}
        self._seq = 0
        self._gone = False  # its answers are no longer read: nothing more is sent to it

    def start(self) -> None:
        """Start the child in the background (once); pages are parsed here until it is up."""
        if self._starting is None:
            self._starting = asyncio.create_task(self._start())

    async def _start(self) -> None:
        with contextlib.suppress(OSError):
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                CHILD_CODE,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            self._reader = asyncio.create_task(self._read(self._process))

    def offer(self, page: Page, on_parsed: OnParsed) -> bool:
        """Send ``page`` to the child; False when it is not up or has enough waiting (the
        caller then parses the page itself)."""
        process = self._process
        if process is None or process.stdin is None or len(self._pending) >= BACKLOG:
            return False
        if self._gone:
            return False
        if process.returncode is not None or process.stdin.is_closing():
            return False
        self._seq += 1
        message = (self._seq, page.url, page.content_type, page.body, self._media)
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        process.stdin.write(HEADER.pack(len(data)) + data)
        self._pending[self._seq] = (page, on_parsed)
        return True

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while True:
                head = await process.stdout.readexactly(HEADER.size)
                (size,) = HEADER.unpack(head)
                # Pickles between this process and its own child, over a private pipe.
                answer = pickle.loads(await process.stdout.readexactly(size))  # noqa: S301
                page, on_parsed = self._pending.pop(answer[0])
                if len(answer) == 2:  # it failed on this page: read here (and meet it here)
                    on_parsed(
                        read_document(page.url, page.content_type, page.body, media=self._media)
                    )
                    continue
                _, links, anchors, base_url = answer
                if links is None:
                    on_parsed(None)
                    continue
                source = page.url
                found = tuple(FoundLink(url, source, line, element) for url, line, element in links)
                on_parsed(ExtractedDocument(found, anchors, base_url))
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError):
            pass  # the child is gone: what it held is parsed here
        finally:
            self._gone = True
            self._drain_here()

    def _drain_here(self) -> None:
        pending, self._pending = self._pending, {}
        for page, on_parsed in pending.values():
            on_parsed(self._here(page))

    def _here(self, page: Page) -> ExtractedDocument | None:
        return read_document(page.url, page.content_type, page.body, media=self._media)

    async def close(self, *, parse_pending: bool = True) -> None:
        """Stop the child (its input ends; killed if it lingers). The pages it still holds
        are parsed here, or dropped without ``parse_pending`` (the audit was stopped)."""
        if not parse_pending:
            self._pending = {}
        if self._starting is not None:
            await self._starting
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()
        if self._reader is not None:
            await self._reader
