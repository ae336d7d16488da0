"""Event -> notification messages, and the webhook delivery schedule (pure)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from linkcheck.notify.deliveries import (
    Delivery,
    MalformedDelivery,
    retry_wait,
    sqs_delay,
)
from linkcheck.notify.messages import (
    LINK_EVENT_TYPES,
    LinkEvent,
    MalformedEvent,
    body_json,
    email_text,
    message_attributes,
    sns_message,
    subject,
)
from linkcheck.settings import parse_delays


def item(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "evt_1",
        "type": "link.broken",
        "tenant": "acme",
        "link_id": "lnk_1",
        "url": "https://example.com/page",
        "host": "example.com",
        "occurred_at": "2026-11-02T10:00:00.000Z",
        "result": {
            "url": "https://example.com/page",
            "status": "broken",
            "reason": "http_404",
            "detail": "The server answered 404 Not Found.",
            "http_status": Decimal("404"),
            "elapsed_ms": Decimal("120"),
            "platform": None,
        },
        "previous": "ok",
        "state": "broken",
        "tags": ["docs"],
        "notify": True,
    }
    data.update(overrides)
    return data


def test_the_body_has_the_event_the_link_and_the_result_in_plain_json() -> None:
    body = json.loads(body_json(LinkEvent.from_item(item())))
    assert body == {
        "id": "evt_1",
        "type": "link.broken",
        "tenant": "acme",
        "link_id": "lnk_1",
        "url": "https://example.com/page",
        "host": "example.com",
        "occurred_at": "2026-11-02T10:00:00.000Z",
        "previous": "ok",
        "state": "broken",
        "tags": ["docs"],
        "result": {
            "url": "https://example.com/page",
            "status": "broken",
            "reason": "http_404",
            "detail": "The server answered 404 Not Found.",
            "http_status": 404,
            "elapsed_ms": 120,
            "platform": None,
        },
    }


def test_attributes_are_filterable_strings_never_empty() -> None:
    attributes = message_attributes(LinkEvent.from_item(item()))
    assert attributes == {
        "event_type": "link.broken",
        "status": "broken",
        "reason": "http_404",
        "platform": "none",
        "host": "example.com",
        "tenant": "acme",
        "event_id": "evt_1",
    }
    assert len(attributes) <= 10  # SQS raw delivery carries at most 10 attributes


@pytest.mark.parametrize("event_type", LINK_EVENT_TYPES)
def test_every_link_event_type_has_a_subject_and_a_summary(event_type: str) -> None:
    event = LinkEvent.from_item(item(type=event_type))
    assert subject(event).startswith("[linkcheck] ")
    assert event_type not in subject(event)  # a word, not the code
    assert email_text(event).startswith("A link you monitor ")


def test_subjects_are_ascii_and_at_most_100_characters() -> None:
    url = "https://例え.jp/" + "ü" * 300
    text = subject(LinkEvent.from_item(item(url=url)))
    assert len(text) <= 100
    assert text.isascii()
    assert text.endswith("... (http_404)")
    assert "\n" not in text


def test_the_email_summary_says_what_happened() -> None:
    text = email_text(LinkEvent.from_item(item()))
    assert "A link you monitor is broken." in text
    assert "https://example.com/page" in text
    assert "broken (http_404)" in text
    assert "The server answered 404 Not Found." in text
    assert "Before:     ok" in text


def test_the_sns_message_has_json_for_machines_and_text_for_email() -> None:
    event = LinkEvent.from_item(item())
    message = json.loads(sns_message(event))
    assert json.loads(message["default"])["id"] == "evt_1"
    assert message["email"] == email_text(event)


def test_notify_off_and_defaults_are_read() -> None:
    assert LinkEvent.from_item(item(notify=False)).notify is False
    event = LinkEvent.from_item(item(host=None, previous={"status": "ok", "reason": "http_2xx"}))
    assert event.host == "example.com"
    assert event.previous == "ok"


@pytest.mark.parametrize("missing", ["id", "type", "tenant", "link_id", "url"])
def test_an_event_without_what_a_notification_needs_is_malformed(missing: str) -> None:
    with pytest.raises(MalformedEvent, match=missing):
        LinkEvent.from_item(item(**{missing: ""}))


def test_retry_waits_grow_then_stop() -> None:
    delays = (5, 300, 1800)
    assert [retry_wait(a, delays) for a in (1, 2, 3, 4)] == [5, 300, 1800, None]


def test_retry_after_is_honoured_when_longer_and_capped_at_a_day() -> None:
    delays = (5, 300)
    assert retry_wait(1, delays, retry_after=120) == 120
    assert retry_wait(2, delays, retry_after=10) == 300
    assert retry_wait(1, delays, retry_after=10**9) == 24 * 3600
    assert retry_wait(3, delays, retry_after=1) is None


def test_long_waits_go_in_hops_of_at_most_900_seconds() -> None:
    assert sqs_delay(7200) == 900
    assert sqs_delay(30) == 30
    delivery = Delivery("acme", "hook_1", "evt_1", "link.broken", "{}")
    later = delivery.next_attempt(7200, now=1000)
    assert later.attempt == 2
    assert later.waiting_for(1000 + 900) == 6300  # after one hop: put back, not attempted
    assert later.waiting_for(1000 + 7200) == 0


def test_delivery_messages_round_trip_and_reject_garbage() -> None:
    delivery = Delivery("acme", "hook_1", "evt_1", "link.broken", '{"a":1}', attempt=3)
    assert Delivery.from_json(delivery.to_json()) == delivery
    assert "secret" not in delivery.to_json()
    for raw in ("not json", "{}", '{"tenant": "a"}'):
        with pytest.raises(MalformedDelivery):
            Delivery.from_json(raw)


def test_retry_delays_from_the_environment() -> None:
    assert parse_delays("0,1,1") == (0, 1, 1)
    with pytest.raises(ValueError, match="WEBHOOK_RETRY_DELAYS"):
        parse_delays("1,soon")
    with pytest.raises(ValueError, match="negative"):
        parse_delays("-1")


def test_a_parked_delivery_moved_back_as_is_is_still_its_delivery() -> None:
    """Regression: a delivery parked in the dead-letter queue (``{"delivery", "error"}``) and
    moved back by an SQS redrive (the documented remedy) was dropped as malformed."""
    delivery = Delivery("acme", "hook_1", "evt_1", "link.broken", '{"a":1}', attempt=7)
    parked = json.dumps({"delivery": json.loads(delivery.to_json()), "error": "HTTP 503"})
    assert Delivery.from_json(parked) == delivery


def test_a_transition_that_switched_smart_links_says_so() -> None:
    from linkcheck.notify.messages import LinkEvent

    item = {
        "id": "01J",
        "type": "link.broken",
        "tenant": "acme",
        "link_id": "abc",
        "url": "https://www.tiktok.com/@me/video/1",
        "result": {"status": "broken", "reason": "platform_deleted"},
        "previous": "ok",
        "state": "broken",
        "smartlinks": [{"slug": "bio", "serving": "fallback"}],
    }
    event = LinkEvent.from_item(item)
    assert event.body()["smartlinks"] == [{"slug": "bio", "serving": "fallback"}]
    assert "Smart link: /r/bio now redirects to its fallback" in event.email_text()
    plain = LinkEvent.from_item({k: v for k, v in item.items() if k != "smartlinks"})
    assert "smartlinks" not in plain.body()  # other links' bodies are unchanged
