"""The ``audit.completed`` event end to end (moto server): the item the completing transaction
writes -> the table stream -> the notifier -> SNS (filtered subscriptions) and signed webhook
POSTs to a receiver on 127.0.0.1; and the ``/events`` feed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from linkcheck.handlers import notifier
from linkcheck.store.events import audit_completed_item
from tests.integration.test_hooks_api import PUBLIC_TARGET
from tests.integration.test_links_api import request
from tests.integration.test_notifier_sns import TENANT, drain, put_event, stream_event
from tests.integration.test_webhooks_delivery import (
    Receiver,
    independent_signature_ok,
    pump_deliveries,
    subscribe,
)

AUDITED = "https://docs.example.com/guide/"


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture()
def hooks_env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")  # the receiver is on loopback
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "0.5")
    return aws_env


def put_audit_event(table: str, **overrides: Any) -> dict[str, Any]:
    """Write the item exactly as the audits code puts it (a plain item, in its transaction)."""
    args: dict[str, Any] = {
        "tenant": TENANT,
        "audit_id": "aud_1",
        "url": AUDITED,
        "mode": "site",
        "counts": {"ok": 40, "broken": 2},
        "pages": 7,
        "links": 42,
        "started_at": "2026-11-02T10:00:00Z",
        "completed_at": "2099-11-02T10:05:00Z",  # the feed hides expired events
        "correlation_id": "req-audit-1",
    }
    args.update(overrides)
    item = audit_completed_item(**args)
    boto3.client("dynamodb").put_item(TableName=table, Item=item)
    return {"id": item["id"]["S"], **args}


def subscribe_filtered(topic_arn: str, policy: dict[str, Any]) -> str:
    """An SQS queue subscribed (raw delivery) with a filter policy."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"filtered-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns").subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps(policy)},
    )
    return url


def test_an_audit_event_reaches_its_subscribers_once_even_when_the_record_comes_twice(
    aws_env: dict[str, str],
) -> None:
    # Given subscribers for audits, for audits that found broken links, and for links only
    topic = aws_env["TOPIC_ARN"]
    audits = subscribe_filtered(topic, {"event_type": ["audit.completed"]})
    with_broken = subscribe_filtered(
        topic, {"event_type": ["audit.completed"], "broken": [{"numeric": [">", 0]}]}
    )
    links_only = subscribe_filtered(topic, {"event_type": ["link.broken"]})
    audit = put_audit_event(aws_env["TABLE_NAME"])
    link = put_event(aws_env["TABLE_NAME"])
    batch = stream_event(aws_env["TABLE_NAME"])

    # When the stream hands the same records to the notifier twice
    for _ in range(2):
        assert notifier.handler(batch, None) == {"batchItemFailures": []}

    # Then the audit subscriber gets exactly one message: the audit, in numbers
    messages = drain(audits)
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body == {
        "id": audit["id"],
        "type": "audit.completed",
        "tenant": TENANT,
        "audit_id": "aud_1",
        "url": AUDITED,
        "host": "docs.example.com",
        "mode": "site",
        "counts": {"ok": 40, "broken": 2},
        "pages": 7,
        "links": 42,
        "started_at": "2026-11-02T10:00:00Z",
        "occurred_at": "2099-11-02T10:05:00Z",
    }
    attributes = {
        name: (value["DataType"], value["StringValue"])
        for name, value in messages[0]["MessageAttributes"].items()
    }
    assert attributes == {
        "event_type": ("String", "audit.completed"),
        "tenant": ("String", TENANT),
        "mode": ("String", "site"),
        "host": ("String", "docs.example.com"),
        "audit_id": ("String", "aud_1"),
        "event_id": ("String", audit["id"]),
        "broken": ("Number", "2"),
    }
    assert [json.loads(m["Body"])["id"] for m in drain(with_broken)] == [audit["id"]]
    # and the link-only subscriber gets its link event, never the audit
    assert [json.loads(m["Body"])["id"] for m in drain(links_only)] == [link["id"]]


def test_an_audit_without_broken_links_does_not_match_a_broken_filter(
    aws_env: dict[str, str],
) -> None:
    topic = aws_env["TOPIC_ARN"]
    audits = subscribe_filtered(topic, {"event_type": ["audit.completed"]})
    with_broken = subscribe_filtered(
        topic, {"event_type": ["audit.completed"], "broken": [{"numeric": [">", 0]}]}
    )
    put_audit_event(aws_env["TABLE_NAME"], counts={"ok": 12})

    assert notifier.handler(stream_event(aws_env["TABLE_NAME"]), None) == {"batchItemFailures": []}

    assert len(drain(audits)) == 1
    assert drain(with_broken) == []


def test_a_webhook_for_audits_gets_a_signed_delivery_and_a_link_hook_gets_nothing(
    hooks_env: dict[str, str], receiver: Receiver
) -> None:
    audit_hook = subscribe(hooks_env, receiver.url("/audits"), ("audit.completed",))
    subscribe(hooks_env, receiver.url("/links"), ("link.broken", "link.recovered"))
    subscribe(hooks_env, receiver.url("/all"))
    audit = put_audit_event(hooks_env["TABLE_NAME"])
    batch = stream_event(hooks_env["TABLE_NAME"])

    for _ in range(2):  # a retried batch: its deliveries are queued once
        assert notifier.handler(batch, None) == {"batchItemFailures": []}
    pump_deliveries(hooks_env["DELIVERIES_QUEUE_URL"])

    assert sorted(r.path for r in receiver.received) == ["/all", "/audits"]
    got = next(r for r in receiver.received if r.path == "/audits")
    assert got.headers["webhook-id"] == audit["id"]
    assert independent_signature_ok(audit_hook.secret, got.headers, got.body)
    payload = json.loads(got.body)
    assert (payload["type"], payload["audit_id"]) == ("audit.completed", "aud_1")
    assert payload["counts"] == {"ok": 40, "broken": 2}


def test_a_hook_can_subscribe_to_audit_events(aws_env: dict[str, str]) -> None:
    status, created = request(
        "api-hooks-create", body={"target_url": PUBLIC_TARGET, "event_types": ["audit.completed"]}
    )
    assert status == 201, created
    assert created["event_types"] == ["audit.completed"]


def test_an_unknown_event_type_names_the_allowed_ones(aws_env: dict[str, str]) -> None:
    status, error = request(
        "api-hooks-create",
        body={"target_url": PUBLIC_TARGET, "event_types": ["audit.done"]},
    )
    assert status == 422, error
    assert "audit.completed" in json.dumps(error) and "link.broken" in json.dumps(error)


def test_the_feed_lists_audit_events_beside_link_events(aws_env: dict[str, str]) -> None:
    link = put_event(aws_env["TABLE_NAME"], id="01A0000000000000000000LINK")
    audit = put_audit_event(aws_env["TABLE_NAME"])  # a new id: sorts after the link event

    status, feed = request("api-events-list", query={})
    assert status == 200, feed
    assert [e["id"] for e in feed["events"]] == [audit["id"], link["id"]]
    shown = feed["events"][0]
    assert shown == {
        "id": audit["id"],
        "type": "audit.completed",
        "audit_id": "aud_1",
        "url": AUDITED,
        "host": "docs.example.com",
        "mode": "site",
        "counts": {"ok": 40, "broken": 2},
        "pages": 7,
        "links": 42,
        "started_at": "2026-11-02T10:00:00Z",
        "occurred_at": "2099-11-02T10:05:00Z",
    }
    assert feed["events"][1]["result"]["reason"] == "platform_deleted"


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        ("audit.completed", ["audit"]),
        ("link.broken", ["link"]),
        ("link.broken,audit.completed", ["audit", "link"]),
    ],
)
def test_the_feed_filters_by_type(aws_env: dict[str, str], types: str, expected: list[str]) -> None:
    ids = {
        "link": put_event(aws_env["TABLE_NAME"], id="01A0000000000000000000LINK")["id"],
        "audit": put_audit_event(aws_env["TABLE_NAME"])["id"],
    }
    status, feed = request("api-events-list", query={"type": types})
    assert status == 200, feed
    assert [e["id"] for e in feed["events"]] == [ids[name] for name in expected]
    assert feed["cursor"] is None


def test_a_filtered_feed_pages_through_rare_types(aws_env: dict[str, str]) -> None:
    # Given three audits among many link events
    audits = [put_audit_event(aws_env["TABLE_NAME"], audit_id=f"aud_{n}")["id"] for n in range(3)]
    for n in range(150):
        put_event(aws_env["TABLE_NAME"], id=f"01A{n:023d}")

    # When the audits are read two at a time
    status, first = request("api-events-list", query={"type": "audit.completed", "limit": 2})
    assert status == 200, first
    status, second = request(
        "api-events-list",
        query={"type": "audit.completed", "limit": 2, "cursor": first["cursor"]},
    )

    # Then every audit comes once, newest first, and nothing else
    assert [e["id"] for e in first["events"] + second["events"]] == audits[::-1]
    assert second["cursor"] is None


def test_an_unknown_type_filter_is_a_clear_error(aws_env: dict[str, str]) -> None:
    status, error = request("api-events-list", query={"type": "audit.done"})
    assert status == 422, error
    assert error["error"]["field"] == "type"
    assert "audit\\.completed" in error["error"]["message"]  # the accepted form, as a pattern
