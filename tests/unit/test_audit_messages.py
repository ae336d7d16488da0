"""``audit.completed`` -> notification messages (pure), and the event type lists in step."""

from __future__ import annotations

import json
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBStreamEvent,
)

from linkcheck.awsrequest.dynamodb_codec import from_item
from linkcheck.domain.events import EventType
from linkcheck.handlers.routes.events import EVENT_TYPE_NAMES
from linkcheck.handlers.routes.hooks import EventTypeName
from linkcheck.notify.audit_messages import AuditEvent
from linkcheck.notify.events import read_event
from linkcheck.notify.messages import (
    EVENT_TYPES,
    LinkEvent,
    MalformedEvent,
    body_json,
    email_text,
    message_attributes,
    sns_message,
    subject,
)
from linkcheck.store.events import audit_completed_item

SAMPLE = Path(__file__).resolve().parents[2] / "events" / "notifier-stream-insert-audit.json"


def item(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "evt_9",
        "type": "audit.completed",
        "tenant": "acme",
        "audit_id": "aud_1",
        "url": "https://docs.example.com/guide/",
        "host": "docs.example.com",
        "mode": "site",
        "counts": {"broken": Decimal("2"), "error": Decimal("1"), "ok": Decimal("40")},
        "pages": Decimal("7"),
        "links": Decimal("43"),
        "started_at": "2026-11-02T10:00:00Z",
        "occurred_at": "2026-11-02T10:05:00Z",
        "correlation_id": "req-1",
        "expires_at": Decimal("1801389820"),
    }
    data.update(overrides)
    return data


def test_an_audit_item_is_read_as_an_audit_event_and_a_link_item_as_a_link_event() -> None:
    assert isinstance(read_event(item()), AuditEvent)
    link = {"id": "e", "type": "link.broken", "tenant": "t", "link_id": "l", "url": "https://x/"}
    assert isinstance(read_event(link), LinkEvent)


def test_the_item_written_by_the_store_is_what_the_notifier_reads() -> None:
    written = audit_completed_item(
        tenant="acme",
        audit_id="aud_1",
        url="https://docs.example.com/guide/",
        mode="page",
        counts={"ok": 3},
        pages=1,
        links=3,
        started_at="2026-11-02T10:00:00Z",
        completed_at="2026-11-02T10:00:05Z",
        retention_days=1,
    )
    event = read_event(from_item(written))
    assert isinstance(event, AuditEvent)
    assert (event.audit_id, event.mode, event.counts, event.links) == (
        "aud_1",
        "page",
        {"ok": 3},
        3,
    )


def test_the_body_has_the_audit_in_numbers_in_plain_json() -> None:
    body = json.loads(body_json(read_event(item())))
    assert body == {
        "id": "evt_9",
        "type": "audit.completed",
        "tenant": "acme",
        "audit_id": "aud_1",
        "url": "https://docs.example.com/guide/",
        "host": "docs.example.com",
        "mode": "site",
        "counts": {"ok": 40, "broken": 2, "error": 1},
        "pages": 7,
        "links": 43,
        "started_at": "2026-11-02T10:00:00Z",
        "occurred_at": "2026-11-02T10:05:00Z",
    }


def test_attributes_filter_on_type_tenant_mode_host_and_broken_links() -> None:
    attributes = message_attributes(read_event(item()))
    assert attributes == {
        "event_type": "audit.completed",
        "tenant": "acme",
        "mode": "site",
        "host": "docs.example.com",
        "audit_id": "aud_1",
        "event_id": "evt_9",
        "broken": 2,
    }
    assert "status" not in attributes  # an audit has many: status policies never match it
    assert len(attributes) <= 10  # SQS raw delivery carries at most 10 attributes
    assert message_attributes(read_event(item(counts={"ok": 5})))["broken"] == 0


def test_the_subject_and_the_email_say_what_the_audit_found() -> None:
    event = read_event(item())
    assert (
        subject(event)
        == "[linkcheck] Audit completed: docs.example.com/guide/ (43 links, 2 broken)"
    )
    text = email_text(event)
    assert text.startswith("An audit you started has completed.")
    assert "Links:      43 (40 ok, 2 broken, 1 error)" in text
    assert "Pages:      7" in text
    assert "GET /audits/aud_1/links" in text
    message = json.loads(sns_message(event))
    assert json.loads(message["default"])["audit_id"] == "aud_1"
    assert message["email"] == text


def test_a_long_url_keeps_the_subject_within_100_ascii_characters() -> None:
    text = subject(read_event(item(url="https://例え.jp/" + "ü" * 300)))
    assert len(text) <= 100 and text.isascii()
    assert text.endswith("... (43 links, 2 broken)")


def test_audit_events_are_always_sent() -> None:
    assert read_event(item(notify=False)).notify is True


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"audit_id": ""}, "audit_id"),
        ({"tenant": None}, "tenant"),
        ({"counts": ["ok"]}, "counts"),
        ({"counts": {"ok": -1}}, "count of ok"),
        ({"pages": "seven"}, "pages"),
    ],
)
def test_an_audit_event_without_what_a_notification_needs_is_malformed(
    overrides: dict[str, Any], says: str
) -> None:
    with pytest.raises(MalformedEvent, match=says):
        read_event(item(**overrides))


def test_the_sample_stream_record_is_a_well_formed_audit_event() -> None:
    record = next(iter(DynamoDBStreamEvent(json.loads(SAMPLE.read_text())).records))
    assert record.dynamodb is not None
    event = read_event(record.dynamodb.new_image)
    assert isinstance(event, AuditEvent) and event.links == 124


def test_every_list_of_event_types_has_them_all() -> None:
    names = {t.value for t in EventType}
    assert "audit.completed" in names
    assert set(typing.get_args(EventTypeName)) == names  # POST /hooks accepts each
    assert set(EVENT_TYPES) == set(EVENT_TYPE_NAMES) == names  # notifier, GET /events
