"""Security review: a user's URL cannot steer a platform detector's probe somewhere else."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from linkcheck.engine.detectors import ProbeResponse
from linkcheck.engine.platforms.base import oembed
from linkcheck.engine.platforms.tiktok import OEMBED, TikTokDetector


@pytest.mark.parametrize(
    "url",
    [
        "https://tiktok.com.evil.example/@a/video/1",
        "https://eviltiktok.com/@a/video/1",
        "https://evil.example/www.tiktok.com/@a/video/1",
        "https://evil.example/?u=https://www.tiktok.com/",
    ],
)
def test_a_host_that_merely_contains_the_platform_is_not_the_platform(url: str) -> None:
    assert not TikTokDetector().wants(url)


def test_the_platform_and_its_subdomains_are() -> None:
    detector = TikTokDetector()
    assert detector.wants("https://tiktok.com/@a") and detector.wants("https://vm.tiktok.com/x/")


async def test_the_oembed_probe_goes_to_the_fixed_endpoint_with_the_url_encoded() -> None:
    asked: list[str] = []

    async def probe(url: str) -> ProbeResponse | None:
        asked.append(url)
        return None

    hostile = "https://www.tiktok.com/@a/video/1?x=1&url=http://169.254.169.254/#@evil.example"
    await oembed(probe, OEMBED, hostile)
    (sent,) = asked
    parts = urlsplit(sent)
    assert (parts.scheme, parts.hostname, parts.path) == ("https", "www.tiktok.com", "/oembed")
    assert parse_qs(parts.query) == {"url": [hostile]}  # one parameter: nothing injected
    assert parts.fragment == ""
