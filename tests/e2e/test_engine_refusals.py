"""Refusals on every path, wrapper URLs and ``Follow`` hops, through the real engine."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from linkcheck.engine import Checker, Reason, Status
from linkcheck.engine.detectors import Follow, Page, Probe
from linkcheck.engine.verdict import Hop, Verdict
from tests.fixtures.pages.corpus import read

from .engine_helpers import fast_options
from .servers import Reply, ScriptedServer

HTML = {"content-type": "text/html; charset=utf-8"}


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200, HTML, b"<html><title>Harbour</title></html>"))
        running.route(
            "/cf", Reply(403, {**HTML, "cf-mitigated": "challenge"}, b"<html>challenge</html>")
        )
        running.route("/attack", Reply(503, HTML, read("refusals/cf_under_attack.html")))
        running.route("/robot", Reply(200, HTML, read("refusals/amazon_robot_check.html")))
        running.route("/down", Reply(503, HTML, b"<html><h1>Service Unavailable</h1></html>"))
        yield running


async def test_refusals_are_blocked_on_the_default_head_first_path(server: ScriptedServer) -> None:
    async with Checker(fast_options(retries=0)) as checker:  # default detectors, HEAD first
        cf, attack, down = await checker.check_many(
            [server.url("/cf"), server.url("/attack"), server.url("/down")]
        )
    assert (cf.status, cf.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)
    # A challenge served as 503 never counts as a server failure.
    assert (attack.status, attack.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)
    assert (down.status, down.reason) == (Status.ERROR, Reason.HTTP_5XX)


async def test_a_challenge_is_never_asked_again(server: ScriptedServer) -> None:
    # A 503 is retried, but not one Cloudflare marks as a challenge: it would only ask again.
    server.route(
        "/busy-cf", Reply(503, {**HTML, "cf-mitigated": "challenge"}, b"<html>wait</html>")
    )
    async with Checker(fast_options(retries=2, always_get=True)) as checker:
        challenged, down = await checker.check_many([server.url("/busy-cf"), server.url("/down")])
    assert (challenged.status, challenged.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)
    assert len(server.hits("/busy-cf")) == 1
    assert down.status is Status.ERROR
    assert len(server.hits("/down")) == 3  # an ordinary 503 still gets its retries


async def test_a_header_proves_a_challenge_without_reading_a_body(server: ScriptedServer) -> None:
    server.route("/head-cf", Reply(403, {"cf-mitigated": "challenge", "content-type": "image/png"}))
    async with Checker(fast_options(retries=0)) as checker:
        result = await checker.check(server.url("/head-cf"))
    assert (result.status, result.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


async def test_a_robot_check_at_200_needs_the_page_and_ordinary_pages_stay_head_only(
    server: ScriptedServer,
) -> None:
    async with Checker(fast_options()) as checker:
        ok = await checker.check(server.url("/ok"))
    assert ok.status is Status.OK
    assert [hit.method for hit in server.hits("/ok")] == ["HEAD"]  # bulk path unchanged
    async with Checker(fast_options(always_get=True)) as checker:  # deep checks read pages
        robot = await checker.check(server.url("/robot"))
    assert (robot.status, robot.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


async def test_a_wrapper_url_is_unwrapped_and_its_target_vetted(server: ScriptedServer) -> None:
    target = server.url("/ok")
    wrapper = f"https://www.linkedin.com/safety/go?url={quote(target, safe='')}&trk=x"
    async with Checker(fast_options()) as checker:
        allowed = await checker.check(wrapper)
    assert (allowed.status, allowed.final_url, allowed.platform) == (Status.OK, target, None)
    assert allowed.redirects == (Hop(wrapper, 0),)  # listed, never requested
    async with Checker(fast_options(allow_private_networks=False)) as checker:
        refused = await checker.check(wrapper)
    assert (refused.status, refused.reason) == (Status.INVALID, Reason.FORBIDDEN_TARGET)


async def test_a_redirect_onto_a_wrapper_is_unwrapped(server: ScriptedServer) -> None:
    wrapper = f"https://bitly.com/a/warning?hash=x&url={quote(server.url('/ok'), safe='')}"
    server.route("/short", Reply(302, {"location": wrapper}))
    async with Checker(fast_options()) as checker:
        result = await checker.check(server.url("/short"))
    assert result.status is Status.OK
    assert [hop.status for hop in result.redirects] == [302, 0]


class Stepper:
    """A first detector that turns /step/N pages into ``Follow`` hops (an interstitial chain).

    First detectors read bodies: the checks use GET (``always_get``).
    """

    name = "stepper"
    first = True

    def __init__(self, to: dict[str, str]) -> None:
        self.to = to

    def wants(self, url: str) -> bool:
        return "/step/" in url

    async def detect(self, page: Page, probe: Probe) -> Verdict | Follow | None:
        path = "/" + page.final_url.split("/", 3)[3]
        return (
            Follow(page.final_url.replace(path, self.to[path]), "test") if path in self.to else None
        )


@pytest.fixture()
def steps(server: ScriptedServer) -> ScriptedServer:
    for n in range(4):
        server.route(f"/step/{n}", Reply(200, HTML, b"<html>stop</html>"))
    return server


async def test_follow_hops_count_as_redirects(steps: ScriptedServer) -> None:
    chain = {"/step/0": "/step/1", "/step/1": "/ok"}
    async with Checker(fast_options(always_get=True), detectors=[Stepper(chain)]) as checker:
        done = await checker.check(steps.url("/step/0"))
    assert (done.status, done.final_url) == (Status.OK, steps.url("/ok"))
    assert done.redirects == (Hop(steps.url("/step/0"), 200), Hop(steps.url("/step/1"), 200))
    async with Checker(
        fast_options(always_get=True, max_redirects=1), detectors=[Stepper(chain)]
    ) as checker:
        capped = await checker.check(steps.url("/step/0"))
    assert capped.reason is Reason.TOO_MANY_REDIRECTS
    looping = {"/step/2": "/step/3", "/step/3": "/step/2"}
    async with Checker(fast_options(always_get=True), detectors=[Stepper(looping)]) as checker:
        loop = await checker.check(steps.url("/step/2"))
    assert loop.reason is Reason.REDIRECT_LOOP
