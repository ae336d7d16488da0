"""Batches (order, de-duplication, streaming), detectors and event-loop reuse."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Iterator
from typing import ClassVar

import pytest

from linkcheck.engine import Checker, CheckResult, Reason, Status, check_urls
from linkcheck.engine.batch import plan_jobs
from linkcheck.engine.detectors import Page, Probe
from linkcheck.engine.verdict import Verdict

from .engine_helpers import fast_options
from .servers import Reply, ScriptedServer


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200))
        running.route("/gone", Reply(410))
        yield running


async def test_check_many_keeps_input_order_and_checks_duplicates_once(
    server: ScriptedServer,
) -> None:
    urls = [
        server.url("/ok"),
        "not a url",
        server.url("/gone"),
        server.url("/ok#fragment"),  # same URL once normalised
        server.url("/missing"),
    ]
    async with Checker(fast_options(), detectors=()) as checker:
        results = await checker.check_many(urls)
    assert [r.url for r in results] == urls
    assert [r.status for r in results] == [
        Status.OK,
        Status.INVALID,
        Status.BROKEN,
        Status.OK,
        Status.BROKEN,
    ]
    assert len(server.hits("/ok")) == 1


async def test_run_checks_reports_duplicates_across_the_first_wave(
    server: ScriptedServer,
) -> None:
    # The first wave (``concurrency`` URLs) starts before the rest is planned: duplicates of
    # first-wave URLs later in the list get their result too, each index exactly once.
    urls = [
        server.url("/ok"),
        server.url("/gone"),
        "not a url",
        server.url("/ok"),
        server.url("/gone#again"),
        server.url("/missing"),
        "also not a url",
    ]
    reported: dict[int, CheckResult] = {}

    def keep(index: int, result: CheckResult) -> None:
        assert index not in reported, f"index {index} reported twice"
        reported[index] = result

    async with Checker(fast_options(concurrency=2), detectors=()) as checker:
        await checker.run_checks(urls, keep)
    assert [reported[i].url for i in range(len(urls))] == urls
    assert [reported[i].status for i in range(len(urls))] == [
        Status.OK,
        Status.BROKEN,
        Status.INVALID,
        Status.OK,
        Status.BROKEN,
        Status.BROKEN,
        Status.INVALID,
    ]
    assert len(server.hits("/ok")) == 1


def test_planning_the_rest_reports_duplicates_of_finished_checks_at_once() -> None:
    done = CheckResult(
        url="https://example.com/", status=Status.OK, reason=Reason.HTTP_2XX, detail="200"
    )
    urls = ["https://example.com/", "https://example.com/#top", "https://example.org/"]
    groups = {"https://example.com/": [0]}
    reported: list[tuple[int, str]] = []
    jobs = plan_jobs(
        urls,
        range(1, 3),
        groups,
        {"https://example.com/": done},
        lambda index, result: reported.append((index, result.url)),
    )
    assert reported == [(1, "https://example.com/#top")]
    assert [target.url for _, target, _ in jobs] == ["https://example.org/"]
    assert groups["https://example.com/"] == [0, 1]


async def test_iter_checks_yields_every_index_once(server: ScriptedServer) -> None:
    urls = [server.url(f"/p{n}") for n in range(30)] + [server.url("/p0")]
    async with Checker(fast_options(concurrency=4), detectors=()) as checker:
        seen = [index async for index, _ in checker.iter_checks(urls)]
    assert sorted(seen) == list(range(31))


async def test_per_check_timeout_override(server: ScriptedServer) -> None:
    server.route("/slow", Reply(200, delay=1.0))
    async with Checker(fast_options(), detectors=()) as checker:
        result = await checker.check(server.url("/slow"), timeout=0.3)
    assert (result.status, result.reason) == (Status.ERROR, Reason.TIMEOUT)


def test_sync_check_urls_and_reuse_across_event_loops(server: ScriptedServer) -> None:
    assert [r.status for r in check_urls([server.url("/ok")], fast_options())] == [Status.OK]
    checker = Checker(fast_options(), detectors=())
    # Lambda style: asyncio.run per invocation with one long-lived checker.
    for _ in range(2):
        result = asyncio.run(checker.check(server.url("/gone")))
        assert result.reason is Reason.HTTP_410
    asyncio.run(checker.aclose())


class DeletedVideo:
    """A platform detector: wants /video URLs and reads their body."""

    name = "fakeplatform"

    def wants(self, url: str) -> bool:
        return "/video" in url

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if b"removed" in page.body:
            return Verdict(Status.BROKEN, Reason.PLATFORM_DELETED, "The video was removed.")
        return None


class SoftNotFound:
    """A generic detector: judges 2xx HTML by GET, and probes a sibling URL."""

    name = "soft404"
    generic: ClassVar[bool] = True
    probed: ClassVar[list[int | None]] = []

    def wants(self, url: str) -> bool:
        return False

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        sibling = await probe(page.final_url.rsplit("/", 1)[0] + "/surely-missing")
        SoftNotFound.probed.append(sibling.status if sibling else None)
        if b"not found" in page.body.lower():
            return Verdict(Status.BROKEN, Reason.SOFT_404, "The page says it was not found.")
        return None


async def test_platform_detector_forces_get_and_overrides(server: ScriptedServer) -> None:
    server.route("/video/1", Reply(200, body=b"<p>This video was removed</p>"))
    server.route("/video/2", Reply(200, body=b"<p>Playing</p>"))
    server.route("/plain", Reply(200))
    async with Checker(fast_options(), detectors=[DeletedVideo()]) as checker:
        removed, playing, plain = await checker.check_many(
            [server.url("/video/1"), server.url("/video/2"), server.url("/plain")]
        )
    assert (removed.status, removed.reason, removed.platform) == (
        Status.BROKEN,
        Reason.PLATFORM_DELETED,
        "fakeplatform",
    )
    assert (playing.status, playing.platform) == (Status.OK, "fakeplatform")
    assert (plain.status, plain.platform) == (Status.OK, None)
    assert server.hits("/video/1")[0].method == "GET"
    assert server.hits("/plain")[0].method == "HEAD"


async def test_generic_detector_runs_on_get_html_only(server: ScriptedServer) -> None:
    server.route("/soft", Reply(200, body=b"<h1>Page Not Found</h1>"))
    SoftNotFound.probed.clear()
    async with Checker(fast_options(), detectors=[SoftNotFound()]) as checker:
        by_head = await checker.check(server.url("/soft"))
    assert by_head.status is Status.OK  # HEAD: no body, generic detectors not consulted
    async with Checker(fast_options(always_get=True), detectors=[SoftNotFound()]) as checker:
        by_get = await checker.check(server.url("/soft"))
    assert (by_get.status, by_get.reason, by_get.platform) == (
        Status.BROKEN,
        Reason.SOFT_404,
        None,
    )
    assert SoftNotFound.probed == [404]  # the probe went through the engine


async def test_a_failing_detector_keeps_the_http_verdict(server: ScriptedServer) -> None:
    class Broken:
        name = "broken"

        def wants(self, url: str) -> bool:
            return True

        async def detect(self, page: Page, probe: Probe) -> Verdict | None:
            raise RuntimeError("bug")

    async with Checker(fast_options(), detectors=[Broken()]) as checker:
        result = await checker.check(server.url("/ok"))
    assert (result.status, result.platform) == (Status.OK, "broken")


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
async def test_a_deflate_page_is_read_in_both_forms(server: ScriptedServer, wbits: int) -> None:
    packer = zlib.compressobj(wbits=wbits)
    body = packer.compress(b"<p>This video was removed</p>") + packer.flush()
    server.route("/video/9", Reply(200, headers={"Content-Encoding": "deflate"}, body=body))
    async with Checker(fast_options(), detectors=[DeletedVideo()]) as checker:
        result = await checker.check(server.url("/video/9"))
    assert (result.status, result.reason) == (Status.BROKEN, Reason.PLATFORM_DELETED)


async def test_waiting_behind_its_own_host_never_eats_a_checks_deadline(
    server: ScriptedServer,
) -> None:
    # One connection per host, answers in 0.4 s, a 1 s deadline per check: the third check
    # waits 0.8 s for its turn. That wait is the batch's, so all three are judged.
    server.route("/slow", Reply(200, delay=0.4))
    options = fast_options(per_host=1, timeout=1.0, retries=0)
    async with Checker(options, detectors=()) as checker:
        results = await checker.check_many([server.url(f"/slow?n={n}") for n in range(3)])
    assert [(r.status, r.reason) for r in results] == [(Status.OK, Reason.HTTP_2XX)] * 3


async def test_a_full_host_never_holds_slots_other_hosts_could_use(
    server: ScriptedServer,
) -> None:
    # Two slots in all, one per host: while the busy host (listed first) works through its
    # queue, the other host's URL runs in the second slot instead of waiting behind it.
    server.route("/busy", Reply(200, delay=0.3))
    server.route("/other", Reply(200))
    busy = [server.url(f"/busy?n={n}") for n in range(3)]
    other = server.url("/other", host="localhost")
    order: list[str] = []
    options = fast_options(per_host=1, concurrency=2, timeout=2.0, retries=0)
    async with Checker(options, detectors=()) as checker:
        await checker.run_checks([*busy, other], lambda index, result: order.append(result.url))
    assert order[0] == other  # done long before the busy host's queue


async def test_at_the_idle_cap_the_least_recently_used_connection_goes() -> None:
    # Two idle connections at most (twice concurrency 1): after hosts a, b, c, the connection
    # to a (released longest ago) is closed, while b's and c's are kept and reused.
    with ScriptedServer() as a, ScriptedServer() as b, ScriptedServer() as c:
        for running in (a, b, c):
            running.route("/", Reply(200))
        options = fast_options(concurrency=1, per_host=2, retries=0)
        async with Checker(options, detectors=()) as checker:
            for running in (a, b, c, b, c, a):
                assert (await checker.check(running.url("/"))).status is Status.OK
    assert len({hit.peer for hit in b.hits("/")}) == 1
    assert len({hit.peer for hit in c.hits("/")}) == 1
    assert len({hit.peer for hit in a.hits("/")}) == 2  # a's first connection was evicted


async def test_a_batch_closes_the_idle_connections_of_hosts_it_is_done_with() -> None:
    with ScriptedServer() as a, ScriptedServer() as b:
        a.route("/", Reply(200))
        b.route("/", Reply(200))
        async with Checker(fast_options(retries=0), detectors=()) as checker:
            await checker.check_many([a.url("/"), b.url("/")])
            # Both hosts are done: a new check of one of them opens a new connection.
            await checker.check(a.url("/"))
    assert len({hit.peer for hit in a.hits("/")}) == 2
