"""LinkedIn detector: 999, sign-in walls and rate limits are refusals, never dead links."""

from __future__ import annotations

import pytest

from linkcheck.engine.platforms.linkedin import LinkedInDetector
from linkcheck.engine.verdict import Hop, Reason, Status
from tests.fixtures.pages.corpus import StaticProbe, page

LI = "https://www.linkedin.com"
PROFILE = f"{LI}/in/alice-example"


@pytest.fixture()
def detector() -> LinkedInDetector:
    return LinkedInDetector()


async def test_999_is_blocked(detector: LinkedInDetector) -> None:
    verdict = await detector.detect(
        page(PROFILE, "linkedin/blocked_999.html", status=999), StaticProbe()
    )
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.HTTP_999)


@pytest.mark.parametrize(
    "wall",
    [
        "/authwall?trk=bf&sessionRedirect=x",
        "/uas/login?session_redirect=x",
        "/login?session_redirect=x",
        "/checkpoint/lg/login",
    ],
)
async def test_sign_in_walls_are_blocked(detector: LinkedInDetector, wall: str) -> None:
    walled = page(
        PROFILE, "linkedin/authwall.html", final=f"{LI}{wall}", redirects=[Hop(PROFILE, 302)]
    )
    verdict = await detector.detect(walled, StaticProbe())
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.BLOCKED, Reason.BOT_CHALLENGE)


async def test_a_200_that_only_scripts_to_the_authwall_is_blocked(
    detector: LinkedInDetector,
) -> None:
    verdict = await detector.detect(page(PROFILE, "linkedin/authwall_script.html"), StaticProbe())
    assert verdict is not None and verdict.status is Status.BLOCKED


async def test_rate_limited(detector: LinkedInDetector) -> None:
    verdict = await detector.detect(page(PROFILE, status=429), StaticProbe())
    assert verdict is not None and verdict.reason is Reason.RATE_LIMITED


async def test_live_page_and_real_404(detector: LinkedInDetector) -> None:
    live = page(f"{LI}/posts/harbourbakery_hiring-activity-1", "linkedin/post_live.html")
    verdict = await detector.detect(live, StaticProbe())
    assert verdict is not None and verdict.status is Status.OK
    assert await detector.detect(page(PROFILE, status=404), StaticProbe()) is None


async def test_lnkd_in_pages_are_left_alone(detector: LinkedInDetector) -> None:
    assert (
        await detector.detect(page("https://lnkd.in/abc", body=b"<p>x</p>"), StaticProbe()) is None
    )
