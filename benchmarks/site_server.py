"""The server of ``site_audit.py``: a static site from a folder, and slow hosts beside it.

The protocol, keep-alive handling and counters are ``real_web_server.py``'s (one uvloop
process, a raw ``asyncio.Protocol``, ``GET /stats`` on the control address); only the answers
differ. Every file of the site is read into memory at start, its answers built once.

On the site's address:
- a file's path: 200 with the file (``text/html``, ``application/xml``, ``text/plain``,
  ``image/png`` by suffix); a directory's path with its slash: its ``index.html``;
- a directory's path without its slash: 301 to the path with it (as nginx and most hosts do);
- ``/gone/...``: 410;
- anything else: 404 (a small HTML page).
On each slow address (``--slow ADDRESS=SECONDS``), every answer waits that long:
``/ok/...`` 200 (a small HTML page), anything else 404.

Run: ``python benchmarks/site_server.py --hosts-file hosts.txt --port 8080 --control-port 8081
--site DIR --slow 127.0.0.3=0.2``; the site is served on every address of the hosts file that
is not slow. It prints ``ready`` once it listens on every address.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path

from real_web_server import HostProtocol, Stats, build, serve

_TYPES = {
    ".html": b"text/html; charset=utf-8",
    ".xml": b"application/xml",
    ".txt": b"text/plain",
    ".png": b"image/png",
}
_MISSING = b"<!doctype html><html><head><title>Not Found</title></head><body>no</body></html>\n"
_GONE = b"<!doctype html><html><head><title>Gone</title></head><body>gone</body></html>\n"
_SLOW_PAGE = b"<!doctype html><html><head><title>Slow</title></head><body>slow</body></html>\n"


@dataclass
class Routes:
    """Every answer, built once: (GET bytes, HEAD bytes) by path, and the slow hosts' delays."""

    files: dict[bytes, tuple[bytes, bytes]] = field(default_factory=dict)
    directories: set[bytes] = field(default_factory=set)  # "/docs" for the 301s
    slow: dict[str, float] = field(default_factory=dict)  # address -> seconds

    @classmethod
    def load(cls, root: Path, slow: dict[str, float]) -> Routes:
        routes = cls(slow=slow)
        for path in sorted(root.rglob("*")):
            if path.is_dir():
                routes.directories.add(b"/" + path.relative_to(root).as_posix().encode())
                continue
            url = b"/" + path.relative_to(root).as_posix().encode()
            kind = _TYPES.get(path.suffix, b"application/octet-stream")
            answer = _both(200, path.read_bytes(), b"", kind)
            routes.files[url] = answer
            if url.endswith(b"/index.html"):
                routes.files[url[: -len(b"index.html")]] = answer
        return routes

    def site(self, method: bytes, path: bytes) -> bytes:
        answer = self.files.get(path)
        if answer is None:
            if path in self.directories:
                answer = _both(301, b"", b"Location: " + path + b"/\r\n")
            elif path.startswith(b"/gone/"):
                answer = _both(410, _GONE)
            else:
                answer = _both(404, _MISSING)
        return answer[1] if method == b"HEAD" else answer[0]


def _both(
    status: int, body: bytes, extra: bytes = b"", kind: bytes = b"text/html"
) -> tuple[bytes, bytes]:
    return build(status, body, extra, b"GET", kind), build(status, body, extra, b"HEAD", kind)


class SiteProtocol(HostProtocol):
    """One client connection to the site or to a slow host (by the address it came to)."""

    def __init__(self, stats: Stats, routes: Routes) -> None:
        super().__init__(stats)
        self._routes = routes

    def respond(self, method: bytes, path: bytes) -> tuple[bytes, float] | None:
        delay = self._routes.slow.get(self._address)
        if delay is None:
            return self._routes.site(method, path), 0.0
        if path.startswith(b"/ok/"):
            return build(200, _SLOW_PAGE, b"", method), delay
        return build(404, _MISSING, b"", method), delay


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts-file", required=True, help="listen addresses, one a line")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--site", type=Path, required=True, help="the folder to serve")
    parser.add_argument(
        "--slow", action="append", default=[], metavar="ADDRESS=SECONDS", help="a slow host"
    )
    parser.add_argument("--trace", action="store_true", help="print every request to stderr")
    args = parser.parse_args(argv)
    with open(args.hosts_file, encoding="utf-8") as lines:
        hosts = [line.strip() for line in lines if line.strip()]
    slow = {
        address: float(seconds)
        for address, _, seconds in (item.partition("=") for item in args.slow)
    }
    routes = Routes.load(args.site, slow)
    coroutine = serve(
        sorted(set(hosts) | set(slow)),
        args.port,
        args.control_port,
        sys.stderr if args.trace else None,
        lambda stats: SiteProtocol(stats, routes),
    )
    try:
        import uvloop
    except ImportError:  # plain asyncio still works, at a higher CPU cost
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
