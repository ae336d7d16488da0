"""``GET /r/{slug}`` and the switch: the redirect handler and the worker on moto, against a
local 127.0.0.1 target that goes from 200 to 404 and back.

The redirect serves the target while its confirmed state is ``ok`` or ``unchecked`` and the
fallback while it is ``broken``, ``restricted`` or ``down``; the switch happens inside the
worker's transition transaction (never on an unconfirmed result or a refusal), and the link
event's notification says so.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcheck import aws
from linkcheck.awsrequest.dynamodb_codec import from_item
from linkcheck.domain.transitions import LinkState
from linkcheck.engine.verdict import CheckResult, Reason, Status
from linkcheck.handlers import redirect
from linkcheck.notify.messages import LinkEvent
from linkcheck.settings import get_settings
from linkcheck.store.events import EventStore
from linkcheck.store.links import LinkStore, NewLink
from linkcheck.store.results import ResultStore
from linkcheck.sweeps.process import Recorder
from linkcheck.sweeps.queue import CheckQueue
from tests.integration.test_smartlinks_api import request
from tests.integration.test_worker_checks import Target, check, pump, records

EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture()
def env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("CONFIRM_DELAY_SECONDS", "1")
    get_settings.cache_clear()
    redirect._cache.clear()
    yield aws_env
    redirect._cache.clear()


@pytest.fixture()
def site() -> Iterator[Target]:
    target = Target()
    target.answer("/video", 200)
    target.answer("/home", 200)
    yield target
    target.close()


def hit(slug: str, **changes: Any) -> dict[str, Any]:
    """``GET /r/<slug>`` as API Gateway hands it to the redirect function (fresh cache)."""
    event = copy.deepcopy(json.loads((EVENTS / "redirect-hit.json").read_text()))
    event["pathParameters"] = {"slug": slug}
    event["rawPath"] = f"/r/{slug}"
    event.update(changes)
    redirect._cache.clear()
    response: dict[str, Any] = redirect.handler(event, None)
    return response


def smartlink(site: Target, slug: str = "bio") -> dict[str, Any]:
    status, created = request(
        "api-smartlinks-create",
        body={
            "slug": slug,
            "target_url": site.base + "/video",
            "fallback_url": site.base + "/home",
        },
    )
    assert status == 201, created
    return dict(created)


def slug_item(slug: str) -> dict[str, Any]:
    item = aws.dynamodb().get_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": f"SLUG#{slug}"}, "sk": {"S": "SLUG"}},
    )["Item"]
    return from_item(item)


def confirm(queue_url: str, *links: str) -> None:
    """Let the delayed confirmation re-checks arrive, and run the worker on them: one, or one
    for each of ``links`` (ids; each re-check is delayed from its own check, so they become
    visible apart), until none of those links is pending any more."""

    def settled() -> bool:
        return all(LinkStore().get("acme", link).tracking.pending is None for link in links)

    for _ in range(60):  # bounded: each delay is 1 s
        if records(queue_url):
            assert pump(queue_url) == []
            if settled():
                return
        time.sleep(0.1)
    raise AssertionError("the confirmation re-checks did not all arrive")


@pytest.mark.slow
def test_the_redirect_follows_the_targets_confirmed_transitions(
    env: dict[str, str], site: Target
) -> None:
    queue_url = env["CHECKS_QUEUE_URL"]
    created = smartlink(site)
    target = LinkStore().get("acme", created["target_link_id"])
    assert target.smart_targets == ["bio"]
    assert hit("bio")["headers"]["Location"] == site.base + "/video"  # unchecked: the target

    target = check(target, queue_url)
    assert target.tracking.state is LinkState.OK
    assert hit("bio")["headers"]["Location"] == site.base + "/video"

    # A new 404 is only pending: the redirect does not move on an unconfirmed result
    site.answer("/video", 404)
    target = check(target, queue_url)
    assert target.tracking.pending is LinkState.BROKEN
    assert slug_item("bio")["serving"] == "target"
    assert hit("bio")["headers"]["Location"] == site.base + "/video"

    # Confirmed: the transition and the switch are one transaction, and the event says so
    confirm(queue_url)
    target = LinkStore().get("acme", target.id)
    assert target.tracking.state is LinkState.BROKEN
    assert slug_item("bio")["serving"] == "fallback"
    assert hit("bio")["headers"]["Location"] == site.base + "/home"
    (event,) = EventStore().feed("acme").events
    assert event["type"] == "link.broken"
    message = LinkEvent.from_item(_event_item("acme", event["id"]))
    assert message.body()["smartlinks"] == [{"slug": "bio", "serving": "fallback"}]
    assert "/r/bio now redirects to its fallback" in message.email_text()
    assert request("api-smartlinks-get", path="/smartlinks/bio")[1]["serving"] == "fallback"

    # One ok result recovers the link, and the smart link serves its target again
    site.answer("/video", 200)
    target = check(target, queue_url)
    assert target.tracking.state is LinkState.OK
    assert slug_item("bio")["serving"] == "target"
    assert hit("bio")["headers"]["Location"] == site.base + "/video"
    newest = EventStore().feed("acme").events[0]
    assert newest["type"] == "link.recovered"
    body = LinkEvent.from_item(_event_item("acme", newest["id"])).body()
    assert body["smartlinks"] == [{"slug": "bio", "serving": "target"}]


def _event_item(tenant: str, event_id: str) -> dict[str, Any]:
    item = aws.dynamodb().get_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": f"T#{tenant}"}, "sk": {"S": f"EVT#{event_id}"}},
    )["Item"]
    return from_item(item)


@pytest.mark.slow
def test_a_refusal_never_switches_and_a_dead_fallback_is_still_served(
    env: dict[str, str], site: Target
) -> None:
    queue_url = env["CHECKS_QUEUE_URL"]
    created = smartlink(site)
    target = check(LinkStore().get("acme", created["target_link_id"]), queue_url)
    fallback = check(LinkStore().get("acme", created["fallback_link_id"]), queue_url)
    # The target is refused (403 is a refusal of the checker: blocked), for a long run
    site.answer("/video", 403)
    for _ in range(3):
        target = check(target, queue_url)
    assert target.tracking.state is LinkState.OK and target.tracking.blocked_checks == 3
    assert slug_item("bio")["serving"] == "target"
    # The target breaks for real; the fallback is broken too: it is still the one served
    site.answer("/video", 404)
    site.answer("/home", 404)
    check(target, queue_url)
    check(fallback, queue_url)
    confirm(queue_url, target.id, fallback.id)
    assert LinkStore().get("acme", fallback.id).tracking.state is LinkState.BROKEN
    assert slug_item("bio")["serving"] == "fallback"
    assert hit("bio")["headers"]["Location"] == site.base + "/home"
    # The fallback's own event is a plain link event: it switched nothing
    for event in EventStore().feed("acme").events:
        item = _event_item("acme", event["id"])
        switched = "smartlinks" in item
        assert switched == (item["link_id"] == target.id), item


@pytest.mark.parametrize(
    ("state", "served"),
    [
        (LinkState.UNCHECKED, "/video"),
        (LinkState.OK, "/video"),
        (LinkState.BROKEN, "/home"),
        (LinkState.RESTRICTED, "/home"),
        (LinkState.DOWN, "/home"),
    ],
)
def test_a_new_smart_link_starts_from_its_targets_state(
    state: LinkState, served: str, env: dict[str, str], site: Target
) -> None:
    store = LinkStore()
    link, _ = store.register(
        "acme", NewLink(url=site.base + "/video", host="127.0.0.1", interval=3600), now=1
    )
    aws.dynamodb().update_item(
        TableName=get_settings().table_name,
        Key=link.key,
        UpdateExpression="SET #state = :state",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={":state": {"S": state.value}},
    )
    smartlink(site)
    assert hit("bio")["headers"]["Location"] == site.base + served


def test_a_smart_link_made_while_the_worker_holds_the_link_is_switched_too(
    env: dict[str, str], site: Target
) -> None:
    # The worker read the target (pending broken) before the smart link existed; creating it
    # bumps the link's version, so the worker's write fails, re-reads and switches it.
    store = LinkStore()
    link, _ = store.register(
        "acme", NewLink(url=site.base + "/video", host="127.0.0.1", interval=3600), now=1
    )
    recorder = Recorder(
        store=store, results=ResultStore(), queue=CheckQueue(), settings=get_settings()
    )
    gone = CheckResult(
        url=link.url, status=Status.BROKEN, reason=Reason.HTTP_404, detail="gone", http_status=404
    )
    recorder.save(link, gone, is_confirmation=False)
    stale = store.get("acme", link.id)
    assert stale.tracking.pending is LinkState.BROKEN and stale.smart_targets == []
    smartlink(site)
    outcome = recorder.save(stale, gone, is_confirmation=True)
    assert outcome is not None and outcome.event is not None
    assert slug_item("bio")["serving"] == "fallback"


def test_clicks_are_counted_per_day_without_personal_data(
    env: dict[str, str], site: Target
) -> None:
    smartlink(site)
    for _ in range(3):
        assert hit("bio")["statusCode"] == 302
    status, detail = request("api-smartlinks-get", path="/smartlinks/bio")
    assert status == 200
    assert detail["clicks_today"] == 3 and detail["clicks_total"] == 3
    assert detail["clicks"][-1]["count"] == 3 and sum(d["count"] for d in detail["clicks"]) == 3
    assert request("api-smartlinks-list")[1]["smartlinks"][0]["clicks_today"] == 3
    # The counter holds a count and its expiry: no address, agent or referrer
    counters = aws.dynamodb().scan(
        TableName=get_settings().table_name,
        FilterExpression="begins_with(pk, :click)",
        ExpressionAttributeValues={":click": {"S": "CLICK#bio#"}},
    )["Items"]
    (counter,) = [from_item(item) for item in counters]
    assert set(counter) == {"pk", "sk", "kind", "count", "expires_at"}
    assert counter["count"] == 3


def test_a_slug_made_again_starts_counting_from_zero(env: dict[str, str], site: Target) -> None:
    smartlink(site)
    hit("bio")
    assert request("api-smartlinks-delete", path="/smartlinks/bio")[0] == 204
    smartlink(site)
    assert request("api-smartlinks-get", path="/smartlinks/bio")[1]["clicks_total"] == 0


def test_unknown_and_impossible_slugs_are_a_plain_404_page(env: dict[str, str]) -> None:
    for slug in ("nobody-has-this", "..", "a b", "x" * 65):
        response = hit(slug)
        assert response["statusCode"] == 404
        assert response["headers"]["Content-Type"].startswith("text/html")
        assert "Link not found" in response["body"]
        assert response["headers"]["Cache-Control"] == "no-store"


def test_only_stored_urls_are_ever_redirected_to(env: dict[str, str], site: Target) -> None:
    # Open-redirect review: whatever the request carries, Location is the stored URL.
    smartlink(site)
    tricks = {
        "rawQueryString": "url=https://evil.example/&next=//evil.example",
        "queryStringParameters": {"url": "https://evil.example/", "next": "//evil.example"},
        "headers": {"host": "evil.example", "referer": "https://evil.example/", "x-url": "x"},
    }
    response = hit("bio", **tricks)
    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == site.base + "/video"
    assert response["headers"]["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "evil" not in json.dumps(response)


def test_the_cache_is_short_and_a_deleted_slug_stops_redirecting(
    env: dict[str, str], site: Target
) -> None:
    smartlink(site)
    now = time.monotonic()
    first = redirect.lookup("bio", now=now)
    assert first is not None and first.location == site.base + "/video"
    assert request("api-smartlinks-delete", path="/smartlinks/bio")[0] == 204
    # Within the cache's life the old answer stands; past it, the slug is gone
    assert redirect.lookup("bio", now=now + 1) == first
    assert redirect.lookup("bio", now=now + redirect.CACHE_SECONDS + 0.1) is None
    assert redirect.cache_seconds() == redirect.CACHE_SECONDS <= redirect.MAX_CACHE_SECONDS == 60


@pytest.mark.parametrize(
    ("setting", "seconds"), [("0", 0.0), ("5", 5.0), ("600", 60.0), ("x", 30.0)]
)
def test_the_cache_time_is_configurable_but_never_over_a_minute(
    setting: str, seconds: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIRECT_CACHE_SECONDS", setting)
    assert redirect.cache_seconds() == seconds


def test_an_unreadable_table_serves_the_last_known_answer_or_a_503(
    env: dict[str, str], site: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    smartlink(site)
    now = time.monotonic()
    known = redirect.lookup("bio", now=now)
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    assert redirect.lookup("bio", now=now + redirect.CACHE_SECONDS + 1) == known
    redirect._cache.clear()
    response = redirect.handler({"pathParameters": {"slug": "bio"}}, None)
    assert response["statusCode"] == 503 and response["headers"]["Retry-After"]
