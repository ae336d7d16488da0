"""Pages: checks that read their page for the caller (fetch_page, run_checks pages=,
open_batch), against real local servers."""

from __future__ import annotations

import gzip
import re
import threading
import time
from collections.abc import Iterator

import pytest

from linkcheck.engine import Checker, CheckResult, OpenBatch, Page, Reason, Status

from .engine_helpers import fast_options
from .servers import Reply, Request, ScriptedServer

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/page", Reply(200, headers=HTML, body=b"<h1 id=top>Hello</h1>"))
        running.route("/moved", Reply(301, headers={"Location": "/docs/page"}))
        running.route("/docs/page", Reply(200, headers=HTML, body=b"<a href=next>next</a>"))
        running.route("/gone", Reply(404, headers=HTML, body=b"<h1>Not found</h1>"))
        yield running


async def test_fetch_page_returns_the_final_page_after_redirects(server: ScriptedServer) -> None:
    async with Checker(fast_options(), detectors=()) as checker:
        result, page = await checker.fetch_page(server.url("/moved"))
    assert (result.status, result.reason) == (Status.OK, Reason.HTTP_2XX)
    assert page == Page(
        url=server.url("/docs/page"),  # relative links resolve against the final URL
        content_type="text/html",
        body=b"<a href=next>next</a>",
        complete=True,
    )
    assert [hit.method for hit in server.hits("/moved")] == ["GET"]


async def test_a_gzip_page_is_decoded(server: ScriptedServer) -> None:
    text = b"<p>" + b"words " * 5000 + b"</p>"
    server.route(
        "/zipped",
        Reply(200, headers={**HTML, "Content-Encoding": "gzip"}, body=gzip.compress(text)),
    )
    async with Checker(fast_options(), detectors=()) as checker:
        result, page = await checker.fetch_page(server.url("/zipped"))
    assert result.status is Status.OK
    assert page is not None and page.body == text and page.complete


async def test_a_page_beyond_max_page_bytes_is_cut_and_marked_incomplete(
    server: ScriptedServer,
) -> None:
    server.route("/huge", Reply(200, headers=HTML, stream_bytes=10 * 1024 * 1024))
    options = fast_options(max_page_bytes=64 * 1024, max_body_bytes=1024)
    async with Checker(options, detectors=()) as checker:
        result, page = await checker.fetch_page(server.url("/huge"))
    assert result.status is Status.OK
    assert page is not None and not page.complete
    assert len(page.body) == 64 * 1024
    assert server.bytes_sent("/huge") < 10 * 1024 * 1024  # the rest was never downloaded


async def test_a_page_read_to_its_end_is_complete_even_above_the_detector_prefix(
    server: ScriptedServer,
) -> None:
    body = b"<p>" + b"x" * 300_000 + b"</p>"  # above max_body_bytes (256 KiB)
    server.route("/long", Reply(200, headers=HTML, body=body))
    async with Checker(fast_options()) as checker:  # default detectors
        result, page = await checker.fetch_page(server.url("/long"))
    assert result.status is Status.OK
    assert page is not None and page.complete and page.body == body


@pytest.mark.parametrize("path", ["/gone", "/error"])
async def test_no_page_for_an_answer_other_than_2xx(server: ScriptedServer, path: str) -> None:
    server.route("/error", Reply(500, headers=HTML, body=b"<h1>oops</h1>"))
    async with Checker(fast_options(retries=0), detectors=()) as checker:
        result, page = await checker.fetch_page(server.url(path))
    assert result.status in {Status.BROKEN, Status.ERROR}
    assert page is None


async def test_fetch_page_of_an_invalid_url_is_invalid_without_a_page() -> None:
    async with Checker(fast_options(), detectors=()) as checker:
        result, page = await checker.fetch_page("not a url")
    assert result.status is Status.INVALID and page is None


async def test_a_page_is_always_a_get_even_with_head_first(server: ScriptedServer) -> None:
    reported: dict[int, CheckResult] = {}
    pages: dict[int, Page] = {}
    urls = [server.url("/page"), server.url("/docs/page")]
    async with Checker(fast_options(always_get=False), detectors=()) as checker:
        await checker.run_checks(urls, reported.__setitem__, pages={0}, on_page=pages.__setitem__)
    assert [hit.method for hit in server.hits("/page")] == ["GET"]
    assert [hit.method for hit in server.hits("/docs/page")] == ["HEAD"]
    assert set(pages) == {0} and pages[0].body == b"<h1 id=top>Hello</h1>"
    assert {i: r.status for i, r in reported.items()} == {0: Status.OK, 1: Status.OK}


async def test_verdicts_do_not_change_when_the_page_is_wanted(server: ScriptedServer) -> None:
    # The same verdict as a GET check without the page (a deep check): a soft-404 stays a
    # soft-404, a 2xx JSON answer the detectors never read stays ok. A soft-404's page is
    # still given (its final answer was a 2xx).
    server.route(
        "/soft",
        Reply(200, headers=HTML, body=b"<title>Page not found</title><h1>404 Not Found</h1>"),
    )
    server.route(
        "/data",
        Reply(200, headers={"Content-Type": "application/json"}, body=b'{"captcha": true}'),
    )
    async with Checker(fast_options(always_get=True)) as checker:
        for path in ("/soft", "/data", "/gone"):
            plain = await checker.check(server.url(path))
            result, page = await checker.fetch_page(server.url(path))
            assert (result.status, result.reason) == (plain.status, plain.reason), path
            assert (page is not None) == (path != "/gone")
    assert plain.reason is Reason.HTTP_404


async def test_on_page_comes_before_on_result_for_each_index(server: ScriptedServer) -> None:
    events: list[tuple[str, int]] = []
    urls = [server.url("/page"), server.url("/gone"), server.url("/page#again")]
    async with Checker(fast_options(), detectors=()) as checker:
        await checker.run_checks(
            urls,
            lambda index, _: events.append(("result", index)),
            pages={0, 1, 2},
            on_page=lambda index, _: events.append(("page", index)),
        )
    assert events.index(("page", 0)) < events.index(("result", 0))
    assert ("page", 1) not in events  # a 404 has no page
    assert ("page", 2) not in events  # a duplicate gets its result, not the page again
    assert sorted(i for kind, i in events if kind == "result") == [0, 1, 2]
    assert len(server.hits("/page")) == 1  # the duplicate was checked once


async def test_host_limits_hold_for_pages() -> None:
    lock = threading.Lock()
    running = [0, 0]  # now, most at once

    def slow(_: Request) -> Reply:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return Reply(200, headers=HTML, body=b"<p>x</p>")

    with ScriptedServer() as server:
        server.route("/", slow)
        urls = [server.url(f"/?n={n}") for n in range(12)]
        pages: dict[int, Page] = {}
        async with Checker(fast_options(per_host=2, concurrency=8), detectors=()) as checker:
            await checker.run_checks(
                urls, lambda *_: None, pages=range(12), on_page=pages.__setitem__
            )
    assert running[1] <= 2
    assert sorted(pages) == list(range(12))


class SmallSite:
    """A 3-level site: / links to /a and /b, each links to two pages of level 3 (one shared),
    one of which is missing; every page links back to /."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        links = {
            "/": ["/a", "/b", "ftp://files.example/x"],
            "/a": ["/", "/a/1", "/shared"],
            "/b": ["/", "/b/1", "/shared", "/missing"],
            "/a/1": ["/"],
            "/b/1": ["/a"],
            "/shared": ["/"],
        }
        for path, targets in links.items():
            body = "".join(f'<a href="{target}">{target}</a>' for target in targets)
            server.route(path, Reply(200, headers=HTML, body=body.encode()))


def crawl_links(page: Page) -> list[str]:
    return re.findall(r'href="([^"]+)"', page.body.decode())


async def test_open_batch_crawls_a_small_site_from_on_page() -> None:
    with ScriptedServer() as server:
        SmallSite(server)
        origin = server.url("/").rstrip("/")
        results: dict[int, CheckResult] = {}
        added: dict[int, str] = {}
        seen_pages: list[str] = []
        batch: OpenBatch

        def on_result(index: int, result: CheckResult) -> None:
            assert index not in results, f"index {index} reported twice"
            assert index in added, "a result named an index before add() returned it"
            results[index] = result

        def on_page(index: int, page: Page) -> None:
            seen_pages.append(page.url)
            for href in crawl_links(page):
                url = origin + href if href.startswith("/") else href
                internal = url.startswith(origin)
                added[batch.add(url, page=internal)] = url

        async with (
            Checker(fast_options(retries=0), detectors=()) as checker,
            checker.open_batch(on_result, on_page=on_page) as batch,
        ):
            added[batch.add(server.url("/"), page=True)] = server.url("/")
        assert sorted(results) == sorted(added) == list(range(len(added)))
        by_url = {added[i]: results[i] for i in results}
        assert by_url[origin + "/missing"].reason is Reason.HTTP_404
        assert by_url["ftp://files.example/x"].reason is Reason.UNSUPPORTED_SCHEME
        assert sorted(seen_pages) == sorted(
            origin + path for path in ("/", "/a", "/b", "/a/1", "/b/1", "/shared")
        )
        for path in ("/", "/a", "/b", "/a/1", "/b/1", "/shared", "/missing"):
            assert len(server.hits(path)) == 1, path  # each page requested once


async def test_open_batch_duplicates_and_page_after_no_page(server: ScriptedServer) -> None:
    results: dict[int, CheckResult] = {}
    pages: dict[int, Page] = {}
    async with Checker(fast_options(), detectors=()) as checker:
        async with checker.open_batch(results.__setitem__) as batch:
            first = batch.add(server.url("/page"))
            again = batch.add(server.url("/page#x"))  # same URL once normalised
            assert (first, again) == (0, 1)
        assert len(server.hits("/page")) == 1
        assert results[1].url == server.url("/page#x") and results[1].status is Status.OK
        async with checker.open_batch(results.__setitem__) as later:
            plain = later.add(server.url("/page"))  # a new batch checks again
            invalid = later.add("not a url")
            assert (plain, invalid) == (0, 1)
    assert len(server.hits("/page")) == 2
    assert results[1].status is Status.INVALID

    hits_before = len(server.hits("/docs/page"))
    results.clear()
    pages.clear()
    order: list[int] = []

    def on_result(index: int, result: CheckResult) -> None:
        results[index] = result
        order.append(index)
        if index == 0:  # checked without its page: now ask for the page too
            assert batch.add(server.url("/docs/page"), page=True) == 1
        if index == 1:  # once more with the page: a duplicate, reported at once
            assert batch.add(server.url("/docs/page"), page=True) == 2

    async with (
        Checker(fast_options(), detectors=()) as checker,
        checker.open_batch(on_result, on_page=pages.__setitem__) as batch,
    ):
        batch.add(server.url("/docs/page"))
    assert sorted(order) == [0, 1, 2]
    assert set(pages) == {1}  # the duplicate (2) got its result, not the page again
    assert len(server.hits("/docs/page")) - hits_before == 2  # no page, then the page


async def test_open_batch_budget_ends_unstarted_checks_as_not_checked() -> None:
    with ScriptedServer() as server:
        server.route("/slow", Reply(200, headers=HTML, body=b"<p>x</p>", delay=0.3))
        results: dict[int, CheckResult] = {}
        options = fast_options(per_host=1, concurrency=4, retries=0)
        async with (
            Checker(options, detectors=()) as checker,
            checker.open_batch(results.__setitem__, budget=0.2) as batch,
        ):
            for n in range(5):
                batch.add(server.url(f"/slow?n={n}"), page=True)
        assert sorted(results) == list(range(5))
        reasons = [results[i].reason for i in range(5)]
        assert reasons.count(Reason.NOT_CHECKED) >= 3  # at most one ran within 0.2 s
        assert len(server.hits("/slow")) <= 2


async def test_open_batch_refuses_loopback_without_the_switch(server: ScriptedServer) -> None:
    results: dict[int, CheckResult] = {}
    options = fast_options(allow_private_networks=False)
    async with (
        Checker(options, detectors=()) as checker,
        checker.open_batch(results.__setitem__) as batch,
    ):
        batch.add(server.url("/page"), page=True)
        batch.add(server.url("/moved"))
        result, page = await checker.fetch_page(server.url("/page"))
    assert [results[i].reason for i in range(2)] == [Reason.FORBIDDEN_TARGET] * 2
    assert result.reason is Reason.FORBIDDEN_TARGET and page is None
    assert server.hits("/page") == [] and server.hits("/moved") == []


async def test_a_redirect_to_loopback_is_refused_for_pages_too() -> None:
    # A public-looking first hop is not needed: the vetting runs on every hop. Here the
    # switch is on for the first server only through --connect-to, which is trusted, while
    # its redirect to a loopback URL is vetted like any URL.
    with ScriptedServer() as target:
        target.route("/secret", Reply(200, headers=HTML, body=b"secret"))
        with ScriptedServer() as front:
            front.route("/", Reply(302, headers={"Location": target.url("/secret")}))
            port = int(front.url("/").rsplit(":", 1)[1].strip("/"))
            from linkcheck.engine import ConnectTo

            options = fast_options(
                allow_private_networks=False,
                connect_to=(ConnectTo("public.example", 80, "127.0.0.1", port),),
            )
            async with Checker(options, detectors=()) as checker:
                result, page = await checker.fetch_page("http://public.example/")
    assert result.reason is Reason.FORBIDDEN_TARGET and page is None
    assert target.hits("/secret") == []


async def test_leaving_the_block_waits_for_checks_added_meanwhile(server: ScriptedServer) -> None:
    results: dict[int, CheckResult] = {}

    def on_result(index: int, result: CheckResult) -> None:
        results[index] = result
        if index < 5:
            batch.add(server.url(f"/page?step={index + 1}"))

    async with (
        Checker(fast_options(), detectors=()) as checker,
        checker.open_batch(on_result) as batch,
    ):
        batch.add(server.url("/page?step=0"))
    assert sorted(results) == list(range(6))
    with pytest.raises(RuntimeError, match="ended"):
        batch.add(server.url("/page"))
