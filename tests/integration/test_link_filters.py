"""``GET /links?platform=&host=`` on moto: filters, their validation, pagination and tenancy."""

from __future__ import annotations

from typing import Any

import pytest

from linkcheck.engine.verdict import CheckResult, Reason, Status
from linkcheck.settings import get_settings
from linkcheck.store.links import LinkStore
from linkcheck.store.results import ResultStore
from linkcheck.sweeps.process import Recorder
from linkcheck.sweeps.queue import CheckQueue
from tests.integration.test_links_api import register, request


def judged_by(tenant: str, link_id: str, platform: str | None) -> None:
    """Store a result of ``platform`` as the link's latest (as the worker does)."""
    links = LinkStore()
    link = links.get(tenant, link_id)
    recorder = Recorder(
        store=links, results=ResultStore(), queue=CheckQueue(), settings=get_settings()
    )
    outcome = recorder.save(
        link,
        CheckResult(
            url=link.url,
            status=Status.OK,
            reason=Reason.HTTP_2XX,
            detail="",
            platform=platform,
            checked_at="2026-11-27T00:00:00Z",
        ),
        is_confirmation=False,
    )
    assert outcome is not None


def listed(query: dict[str, Any], tenant: str = "acme") -> list[dict[str, Any]]:
    """Every link of every page for ``query`` (limit 1: one link per page at most)."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(50):
        status, page = request(
            "api-links-list",
            query={**query, "limit": 1, **({"cursor": cursor} if cursor else {})},
            tenant=tenant,
        )
        assert status == 200, page
        found.extend(page["links"])
        cursor = page["cursor"]
        if not cursor:
            return found
    raise AssertionError("more pages than links")


def test_platform_filter_pages_through_the_matching_links(aws_env: dict[str, str]) -> None:
    ids = {}
    for i, platform in enumerate(["youtube", None, "youtube", "vimeo", None, "youtube"]):
        _, link = register(f"https://example.com/{i}")
        ids[i] = link["id"]
        if platform is not None or i == 1:
            judged_by("acme", link["id"], platform)
    youtube = listed({"platform": "youtube"})
    assert sorted(link["id"] for link in youtube) == sorted([ids[0], ids[2], ids[5]])
    assert {link["platform"] for link in youtube} == {"youtube"}
    assert [link["id"] for link in listed({"platform": "vimeo"})] == [ids[3]]
    assert listed({"platform": "tiktok"}) == []
    # Unchecked links and results no platform judged show platform null.
    everything = {link["id"]: link for link in listed({})}
    assert everything[ids[1]]["platform"] is None and everything[ids[4]]["platform"] is None
    # Combined with the other filters.
    assert listed({"platform": "youtube", "status": "unchecked"}) == []
    assert len(listed({"platform": "youtube", "status": "ok", "host": "example.com"})) == 3
    # Another tenant sees none of them.
    assert listed({"platform": "youtube"}, tenant="globex") == []


def test_host_filter_matches_the_normalised_host(aws_env: dict[str, str]) -> None:
    register("https://Bücher.example/a")
    register("https://WWW.Example.com/b")
    register("https://example.com/c")
    assert register("http://[2606:4700:4700::1111]/d")[0] == 201
    register("https://www.example.com/e", tenant="globex")
    for asked, expected in (
        ("www.example.com", {"https://www.example.com/b"}),
        ("WWW.EXAMPLE.COM", {"https://www.example.com/b"}),
        ("www.example.com.", {"https://www.example.com/b"}),
        ("bücher.example", {"https://xn--bcher-kva.example/a"}),
        ("xn--bcher-kva.example", {"https://xn--bcher-kva.example/a"}),
        ("2606:4700:4700::1111", {"http://[2606:4700:4700::1111]/d"}),
        ("[2606:4700:4700::1111]", {"http://[2606:4700:4700::1111]/d"}),
        ("nowhere.example", set()),
    ):
        assert {link["url"] for link in listed({"host": asked})} == expected, asked


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"platform": "myspace"}, "youtube"),
        ({"platform": "YouTube"}, "youtube"),
        ({"host": "https://example.com/"}, "without scheme, path or port"),
        ({"host": "example.com:8080"}, "without a port"),
        ({"host": "a..example.com"}, "empty part"),
        ({"host": "exa mple.com"}, "host"),
    ],
)
def test_a_bad_filter_is_a_422_naming_it(
    aws_env: dict[str, str], query: dict[str, str], says: str
) -> None:
    status, error = request("api-links-list", query=query)
    assert status == 422, error
    assert error["error"]["field"] is not None
    assert error["error"]["field"].endswith(next(iter(query))), error
    assert says in str(error), error
