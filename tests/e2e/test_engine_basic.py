"""Final statuses, HEAD -> GET fallback and the result fields, against a real local server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkcheck.engine import Checker, Reason, Status

from .engine_helpers import check, fast_options
from .servers import Reply, Request, ScriptedServer


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


async def test_200_is_ok_with_every_field(server: ScriptedServer) -> None:
    server.route("/page", Reply(200, body=b"<h1>hi</h1>"))
    result = await check("  " + server.url("/page") + " ")
    assert (result.status, result.reason) == (Status.OK, Reason.HTTP_2XX)
    assert result.url == server.url("/page")  # the input, stripped
    assert result.final_url == server.url("/page")
    assert result.http_status == 200
    assert result.redirects == ()
    assert result.platform is None
    assert result.detail == "The server answered 200 OK."
    assert result.elapsed_ms >= 0 and result.checked_at.endswith("Z")
    assert [hit.method for hit in server.hits("/page")] == ["HEAD"]  # no body on the common path


async def test_404_is_broken(server: ScriptedServer) -> None:
    result = await check(server.url("/nothing-here"))
    assert (result.status, result.reason, result.http_status) == (
        Status.BROKEN,
        Reason.HTTP_404,
        404,
    )


async def test_410_is_broken(server: ScriptedServer) -> None:
    server.route("/gone", Reply(410))
    result = await check(server.url("/gone"))
    assert (result.status, result.reason) == (Status.BROKEN, Reason.HTTP_410)


async def test_405_on_head_falls_back_to_get(server: ScriptedServer) -> None:
    server.route("/no-head", lambda req: Reply(405) if req.method == "HEAD" else Reply(200))
    result = await check(server.url("/no-head"))
    assert (result.status, result.http_status) == (Status.OK, 200)
    assert [hit.method for hit in server.hits("/no-head")] == ["HEAD", "GET"]


async def test_head_lying_404_is_asked_again_with_get(server: ScriptedServer) -> None:
    server.route("/liar", lambda req: Reply(404) if req.method == "HEAD" else Reply(200))
    result = await check(server.url("/liar"))
    assert result.status is Status.OK


async def test_500_is_error_after_retries(server: ScriptedServer) -> None:
    server.route("/fail", Reply(500))
    result = await check(server.url("/fail"))
    assert (result.status, result.reason, result.http_status) == (
        Status.ERROR,
        Reason.HTTP_5XX,
        500,
    )
    # 500 is not transient: HEAD, then one GET, no retries.
    assert [hit.method for hit in server.hits("/fail")] == ["HEAD", "GET"]


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        (401, Status.RESTRICTED, Reason.HTTP_401),
        (403, Status.BLOCKED, Reason.HTTP_403),
        (451, Status.RESTRICTED, Reason.HTTP_451),
        (999, Status.BLOCKED, Reason.HTTP_999),
        (418, Status.ERROR, Reason.HTTP_4XX),
    ],
)
async def test_other_statuses(
    server: ScriptedServer, code: int, status: Status, reason: Reason
) -> None:
    server.route("/s", Reply(code))
    result = await check(server.url("/s"))
    assert (result.status, result.reason, result.http_status) == (status, reason, code)


async def test_truthful_user_agent_and_configurable(server: ScriptedServer) -> None:
    server.route("/ua", Reply(200))
    await check(server.url("/ua"))
    await check(server.url("/ua"), user_agent="my-bot/1.0")
    agents = [hit.headers["user-agent"] for hit in server.hits("/ua")]
    assert agents[0].startswith("linkcheck/")
    assert agents[1] == "my-bot/1.0"


async def test_bad_and_unsupported_urls_are_invalid() -> None:
    bad = await check("http://exa mple.com/")
    assert (bad.status, bad.reason) == (Status.INVALID, Reason.BAD_URL)
    ftp = await check("ftp://example.com/file")
    assert (ftp.status, ftp.reason) == (Status.INVALID, Reason.UNSUPPORTED_SCHEME)
    assert ftp.url == "ftp://example.com/file"


async def test_head_404_is_believed_once_the_host_proved_honest(server: ScriptedServer) -> None:
    async with Checker(fast_options(), detectors=()) as checker:
        for n in range(4):
            result = await checker.check(server.url(f"/missing/{n}"))
            assert result.reason is Reason.HTTP_404
    methods = [[hit.method for hit in server.hits(f"/missing/{n}")] for n in range(4)]
    assert methods == [["HEAD", "GET"], ["HEAD", "GET"], ["HEAD"], ["HEAD"]]


async def test_a_host_lying_on_head_is_asked_with_get_first(server: ScriptedServer) -> None:
    def lies(req: Request) -> Reply:
        return Reply(404) if req.method == "HEAD" else Reply(200)

    server.route("/a", lies)
    server.route("/b", lies)
    async with Checker(fast_options(), detectors=()) as checker:
        assert (await checker.check(server.url("/a"))).status is Status.OK
        assert (await checker.check(server.url("/b"))).status is Status.OK
    assert [hit.method for hit in server.hits("/b")] == ["GET"]


async def test_head_answers_without_content_length_keep_the_connection(
    server: ScriptedServer,
) -> None:
    server.route("/dynamic", Reply(200, content_length=False))
    async with Checker(fast_options(), detectors=()) as checker:
        for _ in range(4):
            assert (await checker.check(server.url("/dynamic"))).status is Status.OK
    hits = server.hits("/dynamic")
    assert [hit.method for hit in hits] == ["HEAD"] * 4
    assert len({hit.peer for hit in hits}) == 1  # one connection, reused
