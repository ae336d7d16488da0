"""Security review: a user's URL cannot steer a platform detector's probe somewhere else."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from linkcheck.engine.detectors import ProbeResponse
from linkcheck.engine.options import Credentials
from linkcheck.engine.platforms.base import oembed
from linkcheck.engine.platforms.facebook import FacebookDetector
from linkcheck.engine.platforms.instagram import InstagramDetector
from linkcheck.engine.platforms.tiktok import OEMBED, TikTokDetector
from linkcheck.engine.verdict import Hop
from tests.fixtures.pages.corpus import StaticProbe, page


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


async def test_walled_instagram_and_facebook_probes_go_to_fixed_hosts_only() -> None:
    token = Credentials(meta_app_token="id|secret")
    hostile = "https://www.instagram.com/p/Cabc123xyz/?u=http://169.254.169.254/&access_token=x"
    wall = page(
        hostile,
        "instagram/login.html",
        final="https://www.instagram.com/accounts/login/?next=http://169.254.169.254/",
        redirects=[Hop(hostile, 302)],
    )
    probe = StaticProbe()
    verdict = await InstagramDetector().detect(replace(wall, credentials=token), probe)
    assert verdict is not None and "secret" not in verdict.detail
    assert [urlsplit(u).hostname for u in probe.calls] == [
        "www.instagram.com",
        "graph.facebook.com",
    ]
    assert urlsplit(probe.calls[0]).path == "/p/Cabc123xyz/embed/captioned/"
    graph = parse_qs(urlsplit(probe.calls[1]).query)
    assert graph == {
        "url": ["https://www.instagram.com/p/Cabc123xyz/"],
        "access_token": ["id|secret"],
    }

    fb = "https://www.facebook.com/x/posts/1?next=http://169.254.169.254/"
    fb_wall = page(
        fb, "facebook/login.html", final="https://www.facebook.com/login/", redirects=[Hop(fb, 302)]
    )
    probe = StaticProbe()
    await FacebookDetector().detect(replace(fb_wall, credentials=token), probe)
    assert [urlsplit(u).hostname for u in probe.calls] == ["graph.facebook.com"]
    assert parse_qs(urlsplit(probe.calls[0]).query)["url"] == [fb]  # one parameter, encoded
