"""`linkcheck crawl` and `linkcheck check --extract` over a local site (tests/e2e/site_server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from linkcheck.cli import main

from .servers import Reply, ScriptedServer
from .site_server import site

FAST = ["--allow-private-networks", "--timeout", "3", "--retries", "0"]


@pytest.fixture()
def servers() -> Iterator[tuple[ScriptedServer, ScriptedServer]]:
    with site() as running:
        yield running


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main([*argv, *FAST, "--format", "json"])
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    return code, {r["url"]: r for r in records}, err


@pytest.fixture(params=["here", "elsewhere"])
def parsing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Pages parsed in the crawl's process, or in its parsing process from the first page."""
    elsewhere = request.param == "elsewhere"
    monkeypatch.setattr("linkcheck.commands.audit_run.spare_cores", lambda: int(elsewhere))
    monkeypatch.setattr("linkcheck.audit.crawl.START_AFTER", 1)
    return str(request.param)


def test_crawl_reads_the_site_and_checks_every_link_once(
    servers: tuple[ScriptedServer, ScriptedServer],
    capsys: pytest.CaptureFixture[str],
    parsing: str,
) -> None:
    server, other = servers
    code, found, err = run(["crawl", server.url("/")], capsys)
    assert code == 1
    url = server.url
    assert found[url("/missing")]["status"] == "broken"
    assert found[url("/missing")]["found_in"] == [url("/")]
    assert found[url("/missing")]["found_count"] == 2  # two links, one check
    assert len(server.hits("/missing")) == 1
    # Fragments: the present one is ok, the missing one broken, both from one fetch of a.html.
    assert found[url("/a.html#intro")]["status"] == "ok"
    assert sorted(found[url("/a.html#intro")]["found_in"]) == [url("/"), url("/about/")]
    missing = found[url("/a.html#nope")]
    assert (missing["status"], missing["reason"]) == ("broken", "missing_fragment")
    # Relative links, <base href>, nested pages down to the bottom.
    assert found[url("/sub/page.html")]["found_in"] == [url("/a.html")]
    assert found[url("/sub/deep.html")]["status"] == "ok"
    # A page's links to its own anchors are judged against them.
    assert found[url("/sub/deep.html#bottom")]["status"] == "ok"
    gone = found[url("/sub/deep.html#gone")]
    assert (gone["status"], gone["reason"]) == ("broken", "missing_fragment")
    # robots.txt: the disallowed page is checked but not read for links.
    assert found[url("/private/secret.html")]["status"] == "ok"
    assert url("/only-in-private") not in found and server.hits("/only-in-private") == []
    assert len(server.hits("/robots.txt")) == 1
    # The redirect is followed; the slow page ends ok; another site is checked, not read.
    assert found[url("/redirect")]["final_url"] == url("/a.html")
    assert found[url("/slow")]["status"] == "ok"
    assert found[other.url("/elsewhere")]["status"] == "ok"
    assert other.hits("/never-read") == []
    for path in ("/", "/sub/page.html", "/about/", "/slow", "/private/secret.html"):
        assert len(server.hits(path)) == 1, path
    assert all(hit.method == "GET" for hit in server.hits("/a.html"))
    assert not any(u.startswith("mailto:") for u in found)
    assert "pages read" in err


def test_max_depth_and_max_pages(
    servers: tuple[ScriptedServer, ScriptedServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = servers
    _, found, _ = run(["crawl", server.url("/"), "--max-depth", "1"], capsys)
    assert server.url("/sub/page.html") in found  # a link of a depth-1 page is checked,
    assert server.url("/sub/deep.html") not in found  # the page it leads to is not read
    _, found, err = run(["crawl", server.url("/"), "--max-pages", "1"], capsys)
    assert server.url("/a.html") in found and server.url("/sub/page.html") not in found
    assert "1 page read" in err


def test_sitemap_seeds_the_crawl(
    servers: tuple[ScriptedServer, ScriptedServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = servers
    _, found, _ = run(["crawl", server.url("/")], capsys)
    assert server.url("/from-sitemap.html") not in found
    _, found, _ = run(["crawl", server.url("/"), "--sitemap"], capsys)
    assert found[server.url("/from-sitemap.html")]["found_in"] == [server.url("/sitemap.xml")]


def test_no_robots_reads_the_disallowed_section(
    servers: tuple[ScriptedServer, ScriptedServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = servers
    _, found, _ = run(["crawl", server.url("/"), "--no-robots"], capsys)
    assert server.url("/only-in-private") in found
    assert server.hits("/robots.txt") == []


def test_a_failing_robots_txt_stops_reading(capsys: pytest.CaptureFixture[str]) -> None:
    from .servers import Reply

    with ScriptedServer() as server:
        server.route("/robots.txt", Reply(503))
        server.route("/", Reply(200, body=b"<a href='/next'>next</a>"))
        code, found, err = run(["crawl", server.url("/")], capsys)
    assert code == 0
    assert list(found) == [server.url("/")]  # checked, not read
    assert "robots.txt answered 503" in err and "--no-robots" in err


def test_filters_leave_links_unchecked(
    servers: tuple[ScriptedServer, ScriptedServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server, other = servers
    argv = ["crawl", server.url("/"), "--exclude", "/missing$", "--exclude", "#nope|#gone"]
    code, found, err = run([*argv, "--include", "127\\.0\\.0\\.1"], capsys)
    assert code == 0
    assert server.hits("/missing") == []
    assert server.url("/a.html#nope") not in found
    assert server.url("/a.html#intro") in found
    assert "left out by --include/--exclude" in err
    assert other.url("/elsewhere") in found  # the include pattern matches both servers


def test_accept_turns_a_status_into_ok(
    servers: tuple[ScriptedServer, ScriptedServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = servers
    code, found, _ = run(
        ["crawl", server.url("/"), "--accept", "200..299,404", "--exclude", "#nope|#gone"], capsys
    )
    assert code == 0
    assert found[server.url("/missing")]["status"] == "ok"
    assert "--accept" in found[server.url("/missing")]["detail"]


def test_check_extract_reads_only_the_pages_named(
    servers: tuple[ScriptedServer, ScriptedServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = servers
    code, found, _ = run(["check", "--extract", server.url("/")], capsys)
    assert code == 1
    assert found[server.url("/a.html#nope")]["reason"] == "missing_fragment"
    assert server.url("/sub/page.html") not in found  # a.html is checked, not read
    assert found[server.url("/missing")]["found_in"] == [server.url("/")]
    code, found, _ = run(["check", "--extract", "--no-fragments", server.url("/")], capsys)
    assert server.url("/a.html#nope") not in found and server.url("/a.html") in found


def test_check_extract_reads_a_sitemap(
    servers: tuple[ScriptedServer, ScriptedServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = servers
    code, found, _ = run(["check", "--extract", server.url("/sitemap.xml")], capsys)
    assert code == 0
    assert found[server.url("/from-sitemap.html")]["status"] == "ok"


@pytest.mark.parametrize(
    "argv",
    [["crawl"], ["crawl", "example.com"], ["crawl", "--max-pages", "0", "https://example.com/"]],
)
def test_crawl_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("linkcheck crawl: ")


def test_check_extract_reads_a_link_in_bio_page(capsys: pytest.CaptureFixture[str]) -> None:
    """A Linktree page (reached on its own host name through --connect-to) lists its links in
    its page data: each is checked, and the page's own assets are not links of the bio."""
    from .servers import Reply

    with ScriptedServer() as target, ScriptedServer() as bio:
        data = {
            "page": "/[profile]",
            "props": {
                "pageProps": {
                    "account": {
                        "username": "creator",
                        "isActive": True,
                        "links": [
                            {"url": target.url("/shop")},
                            {"url": target.url("/gone")},
                        ],
                    }
                }
            },
        }
        body = (
            "<!doctype html><html><head><link rel='stylesheet' href='/static/app.css'></head>"
            f"<body><script id='__NEXT_DATA__' type='application/json'>{json.dumps(data)}"
            "</script></body></html>"
        )
        bio.route("/creator", Reply(200, {"Content-Type": "text/html"}, body.encode()))
        target.route("/shop", Reply(200, body=b"<p>shop</p>"))
        target.route("/gone", Reply(404))
        page = f"http://linktr.ee:{bio.port}/creator"
        mapping = f"linktr.ee:{bio.port}:127.0.0.1:{bio.port}"
        code, found, _ = run(["check", "--extract", page, "--connect-to", mapping], capsys)
    assert code == 1
    assert found[target.url("/shop")]["status"] == "ok"
    assert found[target.url("/gone")]["reason"] == "http_404"
    assert found[target.url("/gone")]["found_in"] == [page]
    assert not any("/static/" in url for url in found)


def test_media_links_are_checked_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    from .servers import Reply

    with ScriptedServer() as server:
        server.route(
            "/",
            Reply(
                200,
                {"Content-Type": "text/html"},
                b"<img src='/missing.png' alt=''><script src='/app.js'></script>"
                b"<a href='/ok.html'>ok</a>",
            ),
        )
        server.route("/ok.html", Reply(200, body=b"<p>ok</p>"))
        server.route("/app.js", Reply(200, {"Content-Type": "text/javascript"}, b"1"))
        code, found, _ = run(["check", "--extract", server.url("/")], capsys)
        assert code == 0 and set(found) == {server.url("/"), server.url("/ok.html")}
        code, found, _ = run(["check", "--extract", "--media", server.url("/")], capsys)
    assert code == 1
    assert found[server.url("/missing.png")]["status"] == "broken"
    assert found[server.url("/app.js")]["status"] == "ok"


PARKING = "<script>window.park = 'lander';</script><p>Related searches</p>"


def test_a_live_site_is_not_scanned_for_parking_a_parked_one_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with ScriptedServer() as live, ScriptedServer() as parked, ScriptedServer() as elsewhere:
        elsewhere.route("/lander", Reply(200, body=PARKING.encode()))
        live.route(
            "/",
            Reply(
                200,
                body=(
                    "<h1>Harbour</h1><a href='/quotes-a-lander'>x</a><a href='/gone'>y</a>"
                    f"<a href='{elsewhere.url('/lander')}'>z</a>"
                ).encode(),
            ),
        )
        live.route("/quotes-a-lander", Reply(200, body=PARKING.encode()))
        live.route("/gone", Reply(200, body=b"<title>Page not found</title>"))
        parked.route("/", Reply(200, body=f"{PARKING}<a href='/other'>o</a>".encode()))
        parked.route("/other", Reply(200, body=PARKING.encode()))
        _, found, _ = run(["crawl", live.url("/")], capsys)
        _, lander, _ = run(["crawl", parked.url("/")], capsys)
    # The site's front page is live: its pages are no parked domain's landers...
    assert found[live.url("/quotes-a-lander")]["status"] == "ok"
    # ...but still soft-404s, and other sites are scanned as ever.
    assert found[live.url("/gone")]["reason"] == "soft_404"
    assert found[elsewhere.url("/lander")]["reason"] == "parked_domain"
    # A parked front page: every page of its site is scanned.
    assert lander[parked.url("/")]["reason"] == "parked_domain"
    assert lander[parked.url("/other")]["reason"] == "parked_domain"
