"""The checks queue's message kinds and an audit's rules for the links of a page (pure)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from linkcheck.audit.robots import parse_robots
from linkcheck.store.audits import FoundUrl, Role
from linkcheck.sweeps.audit_plan import (
    DISALLOW_ALL,
    Crawl,
    Mode,
    normalised,
    plan_links,
    robots_text,
)
from linkcheck.sweeps.messages import (
    AuditLinks,
    AuditPages,
    CheckBatch,
    PageToRead,
    chunk_by_size,
    parse_message,
)

START = "https://docs.example.com/"


def test_a_message_without_kind_is_todays_batch_of_registered_links() -> None:
    message = parse_message('{"links": [{"tenant": "acme", "link_id": "l1"}], "hops": 2}')
    assert isinstance(message, CheckBatch) and message.hops == 2
    # What the sweep sends today has no kind, and keeps none.
    assert "kind" not in json.loads(message.model_dump_json(exclude_defaults=True))


def test_audit_messages_are_read_by_their_kind_and_round_trip() -> None:
    pages = AuditPages(tenant="acme", audit_id="aud_1", pages=[PageToRead(url=START, depth=1)])
    links = AuditLinks(tenant="acme", audit_id="aud_1", links=[START + "a#b"], hops=3)
    assert parse_message(pages.model_dump_json()) == pages
    assert parse_message(links.model_dump_json()) == links


@pytest.mark.parametrize(
    "body",
    [
        '{"kind": "audit_everything", "tenant": "acme", "audit_id": "a"}',
        '{"kind": "audit_pages", "tenant": "acme", "audit_id": "a", "pages": []}',
        '{"kind": "audit_links", "tenant": "", "audit_id": "a", "links": ["x"]}',
        '{"kind": 7}',
        "[]",
        "not json",
    ],
)
def test_unreadable_messages_are_refused(body: str) -> None:
    with pytest.raises(ValidationError):
        parse_message(body)


def test_chunks_hold_a_count_and_a_size() -> None:
    items = ["a" * 100] * 7
    assert [len(c) for c in chunk_by_size(items, count=3, max_bytes=10_000)] == [3, 3, 1]
    assert [len(c) for c in chunk_by_size(items, count=50, max_bytes=250)] == [2, 2, 2, 1]
    assert chunk_by_size(["x" * 500], count=5, max_bytes=100) == [["x" * 500]]  # never empty


def test_urls_are_keyed_normalised_with_judged_fragments_only() -> None:
    assert normalised("HTTPS://Docs.Example.com:443/a") == "https://docs.example.com/a"
    assert normalised("https://docs.example.com/a#Setup") == "https://docs.example.com/a#Setup"
    assert normalised("https://app.example.com/#/route") == "https://app.example.com/"
    assert normalised("mailto:someone@example.com") is None
    assert normalised("ftp://example.com/file") is None


def test_a_site_audit_reads_same_site_pages_within_depth_and_robots() -> None:
    robots = parse_robots("User-agent: *\nDisallow: /private/\n", "linkcheck")
    crawl = Crawl(mode=Mode.SITE, start=START, max_depth=2, robots=robots)
    found = plan_links(
        crawl,
        START,
        1,
        [
            "https://docs.example.com/guide",
            "https://www.docs.example.com/guide#install",  # same site; a fragment to check
            "https://docs.example.com/private/notes",  # disallowed: checked, not read
            "https://elsewhere.example.org/",  # another site: checked only
            "https://docs.example.com/guide",  # again: once
            START,  # itself: nothing
        ],
    )
    assert found == [
        FoundUrl("https://docs.example.com/guide", Role.PAGE, 2, START),
        FoundUrl("https://www.docs.example.com/guide", Role.PAGE, 2, START),
        FoundUrl("https://www.docs.example.com/guide#install", Role.LINK, 2, START),
        FoundUrl("https://docs.example.com/private/notes", Role.LINK, 2, START),
        FoundUrl("https://elsewhere.example.org/", Role.LINK, 2, START),
    ]
    # One click deeper than max_depth: links only
    deeper = plan_links(crawl, START, 2, ["https://docs.example.com/guide"])
    assert deeper == [FoundUrl("https://docs.example.com/guide", Role.LINK, 3, START)]


@pytest.mark.parametrize("mode", [Mode.PAGE, Mode.BIO])
def test_page_and_bio_audits_read_only_their_start_page(mode: str) -> None:
    crawl = Crawl(mode=mode, start=START, max_depth=5)
    found = plan_links(crawl, START, 0, ["https://docs.example.com/guide"])
    assert found == [FoundUrl("https://docs.example.com/guide", Role.LINK, 1, START)]


def test_the_robots_answer_kept_is_the_rules_it_means() -> None:
    assert robots_text(200, b"User-agent: *\nDisallow: /x\n") == "User-agent: *\nDisallow: /x\n"
    assert robots_text(404, None) == ""  # no robots.txt: everything allowed
    assert robots_text(503, None) == DISALLOW_ALL  # the site may be down: nothing read
    assert robots_text(None, None) == DISALLOW_ALL


def test_a_page_that_redirected_off_the_site_is_not_followed() -> None:
    crawl = Crawl(mode=Mode.SITE, start=START, max_depth=3)
    assert crawl.follows("https://elsewhere.example.org/", 0)  # the start page: always
    assert crawl.follows("https://www.docs.example.com/guide", 1)
    assert not crawl.follows("https://elsewhere.example.org/", 1)
