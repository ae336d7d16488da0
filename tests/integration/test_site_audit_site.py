"""The site of benchmarks/site_audit.py, generated small and served as the benchmark serves it.

The benchmark scores each tool against the generator's truth, so the truth must be what the
server really answers: every dead link fails, every good link answers 2xx (after the one
trailing-slash redirect), every missing fragment names a page that lacks the anchor, and the
shape (pages, links, duplicates, robots.txt, sitemap) is what the generator says.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # a script folder

import site_gen
from site_gen import GONE, MISSING, REFUSED, SLOW_MISSING, Origins, Site

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SITE, SLOW, SLOWER, CLOSED = "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"
PAGES, LINKS = 60, 600


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class _Links(HTMLParser):
    """Every href/src and every id, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))
        if values.get("id"):
            self.ids.add(str(values["id"]))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work = tmp_path_factory.mktemp("site")
    port = _free_port(SITE)
    origins = Origins(
        f"http://{SITE}:{port}",
        f"http://{SLOW}:{port}",
        f"http://{SLOWER}:{port}",
        f"http://{CLOSED}:{_free_port(CLOSED)}",
    )
    site = site_gen.build_site(origins, PAGES, LINKS, seed=5)
    site_gen.write_site(site, work / "site")
    (work / "hosts.txt").write_text(f"{SITE}\n")
    process = subprocess.Popen(
        [
            sys.executable,
            str(BENCHMARKS / "site_server.py"),
            "--hosts-file",
            str(work / "hosts.txt"),
            "--port",
            str(port),
            "--control-port",
            str(_free_port("127.0.0.1")),
            "--site",
            str(work / "site"),
            "--slow",
            f"{SLOW}=0.01",
            "--slow",
            f"{SLOWER}=0.02",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"ready"
        yield site
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(url: str) -> tuple[int, str, bytes]:
    """(status, Location, body) of one GET; status 0 when the connection is refused."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.hostname.startswith("127.")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path or "/")
        answer = connection.getresponse()
        return answer.status, answer.getheader("Location") or "", answer.read()
    except ConnectionRefusedError:
        return 0, "", b""
    finally:
        connection.close()


def _parsed(site: Site, path: str) -> _Links:
    name = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
    parser = _Links()
    parser.feed(site.files[name].decode())
    return parser


def test_the_same_seed_gives_the_same_site_and_another_seed_another() -> None:
    origins = Origins("http://a:1", "http://b:1", "http://c:1", "http://d:2")
    first = site_gen.build_site(origins, PAGES, LINKS, seed=1)
    assert site_gen.build_site(origins, PAGES, LINKS, seed=1).files == first.files
    assert site_gen.build_site(origins, PAGES, LINKS, seed=2).files != first.files


def test_the_site_has_the_pages_and_links_asked_for(served: Site) -> None:
    site = served
    assert len(site.pages) == PAGES == len(set(site.pages))
    assert site.links == LINKS
    assert sum(len(_parsed(site, page).links) for page in site.pages) == LINKS
    depths = {page.rstrip("/").count("/") for page in site.pages}
    assert max(depths) >= 3  # nested folders
    hrefs = [link for page in site.pages for link in _parsed(site, page).links]
    assert any(link.startswith("../") for link in hrefs)  # relative
    assert any(link.startswith("/") for link in hrefs)  # root-relative
    assert any(link.startswith("http://") for link in hrefs)  # absolute
    targets = Counter(
        urljoin(site.start.rstrip("/") + page, link)
        for page in site.pages
        for link in _parsed(site, page).links
    )
    assert targets[site.start] >= PAGES  # the same link on every page
    assert len(targets) < LINKS / 2


def test_every_page_is_reachable_by_links_except_the_sitemaps_own(served: Site) -> None:
    site = served
    seen, queue = {site.start}, [site.start]
    while queue:
        url = queue.pop()
        path = urlsplit(url).path
        if path not in site.reachable:
            continue
        for link in _parsed(site, path).links:
            target = urljoin(url, link).partition("#")[0]
            if target.startswith(site.start) and target not in seen:
                seen.add(target)
                queue.append(target)
    paths = {urlsplit(url).path for url in seen}
    assert set(site.reachable) <= paths
    assert not set(site.orphans) & paths
    sitemap = site.files["sitemap.xml"].decode()
    assert all(f"{site.start.rstrip('/')}{page}<" in sitemap for page in site.orphans)
    assert not any(page in sitemap for page in site.private)
    assert "Disallow: /private/" in site.files["robots.txt"].decode()


def test_every_dead_link_fails_as_its_kind_says(served: Site) -> None:
    site = served
    truth = {**site.dead, **site.dead_orphans}
    assert {MISSING, GONE, REFUSED, SLOW_MISSING} <= set(truth.values())
    for url, kind in truth.items():
        status, _, _ = _get(url)
        expected = {MISSING: 404, GONE: 410, REFUSED: 0, SLOW_MISSING: 404}[kind]
        assert status == expected, url


def test_every_good_link_answers_2xx_at_most_after_the_slash_redirect(served: Site) -> None:
    site = served
    assert not site.good & set(site.dead)
    for url in site.good:
        status, location, _ = _get(url)
        if status == 301:
            assert location == urlsplit(url).path + "/"
            status, _, _ = _get(urljoin(url, location))
        assert status == 200, url
    status, _, _ = _get(site.start + "robots.txt")
    assert status == 200


def test_a_missing_fragment_names_a_page_without_that_anchor(served: Site) -> None:
    site = served
    assert site.missing_fragments
    for url in site.missing_fragments:
        page, _, fragment = url.partition("#")
        status, _, body = _get(page)
        assert status == 200
        parser = _Links()
        parser.feed(body.decode())
        assert fragment not in parser.ids
        assert {"s1", "s2", "s3"} <= parser.ids  # the anchors that good links use
