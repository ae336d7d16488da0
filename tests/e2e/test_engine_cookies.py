"""Cookies within one check: cookie-gated redirects, loops, probes, never across checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkcheck.engine import Checker, Reason, Status
from linkcheck.engine.detectors import Page, Probe
from linkcheck.engine.verdict import Verdict

from .engine_helpers import check, fast_options
from .servers import Reply, Request, ScriptedServer

EXPIRES = "Expires=Wed, 21 Oct 2037 07:28:00 GMT"


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def gate(name: str, value: str) -> object:
    """A page that redirects to itself once, setting the cookie it then wants."""

    def reply(request: Request) -> Reply:
        if f"{name}={value}" in request.headers.get("cookie", ""):
            return Reply(200, body=b"<h1>the article</h1>")
        return Reply(
            302,
            headers={"Location": request.path, "Set-Cookie": f"{name}={value}; Path=/; {EXPIRES}"},
        )

    return reply


async def test_a_page_that_redirects_to_itself_setting_a_cookie_is_ok(
    server: ScriptedServer,
) -> None:
    server.route("/news/story", gate("consent", "yes"))  # type: ignore[arg-type]
    result = await check(server.url("/news/story"))
    assert (result.status, result.reason) == (Status.OK, Reason.HTTP_2XX)
    assert [hop.status for hop in result.redirects] == [302]
    assert "consent=yes" in server.hits("/news/story")[-1].headers["cookie"]


async def test_several_set_cookie_headers_with_dates_are_all_kept(server: ScriptedServer) -> None:
    def reply(request: Request) -> Reply:
        sent = request.headers.get("cookie", "")
        if "a=1" in sent and "b=2" in sent:
            return Reply(200)
        headers = {"Location": "/shop", "Set-Cookie": f"a=1; {EXPIRES}", "set-cookie": "b=2"}
        return Reply(302, headers=headers)

    server.route("/shop", reply)
    result = await check(server.url("/shop"))
    assert (result.status, result.reason) == (Status.OK, Reason.HTTP_2XX)


async def test_a_redirect_to_itself_that_sets_nothing_new_is_still_a_loop(
    server: ScriptedServer,
) -> None:
    server.route("/spin", Reply(302, headers={"Location": "/spin", "Set-Cookie": "s=1"}))
    result = await check(server.url("/spin"))
    assert (result.status, result.reason) == (Status.ERROR, Reason.REDIRECT_LOOP)
    assert len(server.hits("/spin")) == 2  # once without the cookie, once with it


async def test_a_cookie_that_changes_every_time_ends_at_the_redirect_limit(
    server: ScriptedServer,
) -> None:
    counter = iter(range(1000))
    server.route(
        "/churn",
        lambda request: Reply(
            302, headers={"Location": "/churn", "Set-Cookie": f"n={next(counter)}"}
        ),
    )
    result = await check(server.url("/churn"), max_redirects=5)
    assert (result.status, result.reason) == (Status.ERROR, Reason.TOO_MANY_REDIRECTS)


async def test_cookies_never_outlive_their_check(server: ScriptedServer) -> None:
    server.route("/gate", gate("seen", "1"))  # type: ignore[arg-type]
    async with Checker(fast_options()) as checker:
        first = await checker.check(server.url("/gate"))
        second = await checker.check(server.url("/gate"))
    assert first.status is second.status is Status.OK
    firsts = [hit for hit in server.hits("/gate") if "cookie" not in hit.headers]
    assert len(firsts) == 2  # the second check started without the first one's cookie


async def test_a_cookie_for_another_site_is_not_sent(server: ScriptedServer) -> None:
    server.route(
        "/set",
        Reply(302, headers={"Location": "/next", "Set-Cookie": "t=1; Domain=example.com"}),
    )
    server.route("/next", Reply(200))
    result = await check(server.url("/set"))
    assert result.status is Status.OK
    assert "cookie" not in server.hits("/next")[0].headers


async def test_a_detector_probe_carries_the_checks_cookies(server: ScriptedServer) -> None:
    server.route("/video/1", gate("region", "eu"))  # type: ignore[arg-type]
    server.route("/api/oembed", Reply(200, body=b"{}"))

    class Probing:
        name = "probing"

        def wants(self, url: str) -> bool:
            return "/video/" in url

        async def detect(self, page: Page, probe: Probe) -> Verdict | None:
            await probe(server.url("/api/oembed"))
            return None

    async with Checker(fast_options(), detectors=[Probing()]) as checker:
        result = await checker.check(server.url("/video/1"))
    assert result.status is Status.OK
    assert server.hits("/api/oembed")[0].headers.get("cookie") == "region=eu"
