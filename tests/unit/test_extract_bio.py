"""Links listed by link-in-bio pages and profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.extract import extract_bio, is_bio_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def urls(body: bytes | str, page_url: str) -> list[str]:
    found = extract_bio(body, page_url)
    assert found is not None
    assert all(link.element == "bio" and link.source == page_url for link in found.links)
    return [link.url for link in found.links]


def test_linktree_lists_the_account_links_then_the_social_links() -> None:
    assert urls(page("linktree_profile.html"), "https://linktr.ee/carlareyes") == [
        "https://shop.example.com/spring",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://newsletter.example.org/subscribe?ref=linktree",
        "https://old.example.net/gone",
        "https://www.instagram.com/carlareyes",
        "https://www.tiktok.com/@carlareyes",
    ]


def test_a_linktree_page_on_a_custom_domain_is_recognised_by_its_data() -> None:
    found = urls(page("linktree_profile.html"), "https://links.carlareyes.example/")
    assert "https://shop.example.com/spring" in found


def test_an_inactive_linktree_account_lists_nothing() -> None:
    body = page("linktree_profile.html").replace(b'"isActive":true', b'"isActive":false')
    assert urls(body, "https://linktr.ee/carlareyes") == []


def test_tiktok_profile_gives_its_bio_link_with_a_scheme() -> None:
    assert urls(page("tiktok_profile.html"), "https://www.tiktok.com/@carlareyes") == [
        "https://linktr.ee/carlareyes"
    ]


def test_tiktok_profile_without_a_bio_link_lists_nothing() -> None:
    body = page("tiktok_profile.html").replace(b"linktr.ee/carlareyes", b"")
    assert urls(body, "https://www.tiktok.com/@carlareyes") == []


def test_tiktok_older_sigi_state() -> None:
    body = (
        '<script id="SIGI_STATE" type="application/json">{"UserModule":{"users":{"carla":'
        '{"uniqueId":"carla","bioLink":{"link":"https://carla.example/"}}}}}</script>'
    )
    assert urls(body, "https://www.tiktok.com/@carla") == ["https://carla.example/"]


def test_a_tiktok_video_is_no_bio_page() -> None:
    assert extract_bio(page("tiktok_profile.html"), "https://www.tiktok.com/") is None


def test_youtube_channel_links_are_unwrapped_from_the_redirect() -> None:
    assert urls(page("youtube_channel.html"), "https://www.youtube.com/@carlareyes") == [
        "https://shop.example.com/spring",
        "https://instagram.com/carlareyes",
        "https://www.youtube.com/@carlastudio",
        "https://newsletter.example.org/",
    ]


def test_a_youtube_video_is_no_bio_page() -> None:
    assert extract_bio(page("youtube_channel.html"), "https://www.youtube.com/watch?v=x") is None


def test_generic_bio_service_reads_page_data_and_outbound_anchors() -> None:
    found = urls(page("beacons_profile.html"), "https://beacons.ai/carlareyes")
    assert found == [
        "https://shop.example.com/spring",
        "https://calendly.com/carlareyes/30min",
        "https://podcast.example.fm/show",
    ]


def test_a_page_of_no_known_service_is_none() -> None:
    assert extract_bio(b"<a href='https://x.example/'>x</a>", "https://blog.example.com/") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://linktr.ee/carlareyes", True),
        ("https://linktr.ee/", False),
        ("https://beacons.ai/carla", True),
        ("https://stan.store/carla", True),
        ("https://carla.komi.io", True),
        ("https://hoo.be/carla", True),
        ("https://carla.carrd.co/", True),
        ("https://carrd.co/", False),
        ("https://taplink.cc/carla", True),
        ("https://taplink.at/en/carla", True),
        ("https://linkpop.com/carla", True),
        ("https://snipfeed.co/carla", True),
        ("https://bio.link/carla", True),
        ("https://carla.bio.link", True),
        ("https://lnk.bio/carla", True),
        ("https://campsite.bio/carla", True),
        ("https://carla.msha.ke/", True),
        ("https://www.tiktok.com/@carla", True),
        ("https://www.tiktok.com/@carla/video/123", True),
        ("https://www.tiktok.com/foryou", False),
        ("https://www.youtube.com/@carla", True),
        ("https://www.youtube.com/channel/UCabc", True),
        ("https://youtube.com/c/carla", True),
        ("https://m.youtube.com/user/carla", True),
        ("https://www.youtube.com/watch?v=abc", False),
        ("https://example.com/carla", False),
        ("not a url", False),
        ("https://[::1", False),
    ],
)
def test_is_bio_page(url: str, expected: bool) -> None:
    assert is_bio_page(url) is expected


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe\x00garbage",
        b'<script id="__NEXT_DATA__" type="application/json">{not json</script>',
        b'<script id="__NEXT_DATA__" type="application/json">' + b"[" * 100_000 + b"</script>",
        b'<script>window.__INITIAL_STATE__ = {"a": </script>',
        b'<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":'
        b'{"account":{"links":[1, null, {"url": 5}, {"url": "javascript:alert(1)"}]}}}}</script>',
    ],
)
def test_broken_page_data_never_raises(body: bytes) -> None:
    for url in ("https://linktr.ee/x", "https://www.tiktok.com/@x", "https://www.youtube.com/@x"):
        found = extract_bio(body, url)
        assert found is None or all(link.url.startswith("http") for link in found.links)
