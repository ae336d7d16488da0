"""X / Twitter detector: oEmbed answers for posts, unverifiable shells for everything else."""

from __future__ import annotations

import pytest

from linkcheck.engine.detectors import ProbeResponse
from linkcheck.engine.platforms.twitter import TwitterDetector, status_url
from linkcheck.engine.verdict import Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page, read

POST = "https://x.com/alice/status/1700000000000000001"
OEMBED = "https://publish.twitter.com/oembed?url="


@pytest.fixture()
def detector() -> TwitterDetector:
    return TwitterDetector()


def oembed(status: int, body: bytes | str) -> ProbeResponse:
    data = read(body) if isinstance(body, str) else body
    return ProbeResponse(status, "https://publish.twitter.com/oembed", {}, data)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, "twitter/oembed_live.json", (Status.OK, Reason.HTTP_2XX)),
        (404, "twitter/oembed_deleted.json", (Status.BROKEN, Reason.PLATFORM_DELETED)),
        (403, "twitter/oembed_protected.json", (Status.RESTRICTED, Reason.PLATFORM_PRIVATE)),
        (403, "twitter/oembed_suspended.json", (Status.BROKEN, Reason.PLATFORM_DELETED)),
        (
            403,
            b'{"errors":[{"message":"Sorry, you are not authorized to see this status.",'
            b'"code":179}]}',
            (Status.RESTRICTED, Reason.PLATFORM_PRIVATE),
        ),
        (404, b"<html>Not Found</html>", (Status.BLOCKED, Reason.BOT_CHALLENGE)),
        (403, b"{}", (Status.BLOCKED, Reason.BOT_CHALLENGE)),
        (200, b"{}", (Status.BLOCKED, Reason.BOT_CHALLENGE)),
        (429, b'{"errors":[{"code":88}]}', (Status.BLOCKED, Reason.RATE_LIMITED)),
        (503, b"", (Status.BLOCKED, Reason.BOT_CHALLENGE)),
    ],
)
def test_oembed_answers(
    detector: TwitterDetector, status: int, body: bytes | str, expected: tuple[Status, Reason]
) -> None:
    verdict = detector.read_oembed(oembed(status, body))
    assert (verdict.status, verdict.reason) == expected


def test_no_oembed_answer_is_unknown(detector: TwitterDetector) -> None:
    assert detector.read_oembed(None).status is Status.BLOCKED


async def test_posts_ask_oembed_with_the_canonical_url(detector: TwitterDetector) -> None:
    probe = StaticProbe({OEMBED: (200, "twitter/oembed_live.json")})
    verdict = await detector.detect(page(POST, "twitter/shell.html"), probe)
    assert verdict is not None and verdict.status is Status.OK
    assert probe.calls == [
        OEMBED + "https%3A%2F%2Ftwitter.com%2Falice%2Fstatus%2F1700000000000000001"
    ]


async def test_a_profile_shell_is_not_verified(detector: TwitterDetector) -> None:
    probe = StaticProbe()
    verdict = await detector.detect(page("https://x.com/alice", "twitter/shell.html"), probe)
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)
    assert "@alice" in verdict.detail and "not verified" in verdict.detail
    assert probe.calls == []


@pytest.mark.parametrize("status", [404, 410, 401])
async def test_a_profile_is_never_dead_on_its_status_alone(
    detector: TwitterDetector, status: int
) -> None:
    verdict = await detector.detect(page("https://x.com/ghost", status=status), StaticProbe())
    assert verdict is not None and verdict.status is Status.BLOCKED


async def test_home_and_server_errors_keep_the_http_verdict(detector: TwitterDetector) -> None:
    assert (
        await detector.detect(page("https://x.com/", "twitter/shell.html"), StaticProbe()) is None
    )
    assert await detector.detect(page("https://x.com/alice", status=503), StaticProbe()) is None


def test_status_urls_only_on_x_hosts() -> None:
    assert status_url("https://mobile.twitter.com/a/status/1") == "https://twitter.com/a/status/1"
    assert status_url("https://example.com/a/status/1") is None
