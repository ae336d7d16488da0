"""The notifier: table stream -> SNS, exactly once per confirmed transition (moto server)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from linkcheck.handlers import notifier
from linkcheck.settings import get_settings
from linkcheck.store.outbox import ClaimOutcome, Outbox

TENANT = "acme"


def put_event(table: str, **overrides: Any) -> dict[str, Any]:
    """Write an event item shaped like the registry's (store/events.py) into the table."""
    event_id = overrides.pop("id", f"evt_{uuid.uuid4().hex[:12]}")
    tenant = overrides.pop("tenant", TENANT)
    result = {
        "url": "https://www.tiktok.com/@someone/video/123",
        "status": "broken",
        "reason": "platform_deleted",
        "detail": "TikTok says this video is unavailable.",
        "final_url": "https://www.tiktok.com/@someone/video/123",
        "http_status": 200,
        "redirects": [],
        "platform": "tiktok",
        "elapsed_ms": 120,
        "checked_at": "2026-11-02T10:00:00.000Z",
    }
    result.update(overrides.pop("result", {}))
    item: dict[str, Any] = {
        "pk": f"T#{tenant}",
        "sk": f"EVT#{event_id}",
        "kind": "event",
        "id": event_id,
        "type": "link.broken",
        "tenant": tenant,
        "link_id": "lnk_1",
        "url": result["url"],
        "host": "www.tiktok.com",
        "occurred_at": "2026-11-02T10:00:00.000Z",
        "result": result,
        "previous": "ok",
        "notify": True,
        "expires_at": 4102444800,
    }
    item.update(overrides)
    boto3.resource("dynamodb").Table(table).put_item(Item=item)
    return item


def stream_event(table: str) -> dict[str, Any]:
    """Every record of the table's stream, in the event shape Lambda hands the notifier."""
    client = boto3.client("dynamodbstreams")
    stream_arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"][
        "LatestStreamArn"
    ]
    records: list[dict[str, Any]] = []
    for shard in client.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = client.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for _ in range(20):  # bounded: moto returns everything in a page or two
            page = client.get_records(ShardIterator=iterator, Limit=1000)
            records += page["Records"]
            if not page["Records"] or "NextShardIterator" not in page:
                break
            iterator = page["NextShardIterator"]
    for record in records:
        record["eventSourceARN"] = stream_arn
    return {"Records": records}


def subscribe_queue(topic_arn: str, *, raw: bool) -> str:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"inbox-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns").subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true" if raw else "false"},
    )
    return url


def drain(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []
    for _ in range(20):
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            break
        messages += batch
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return messages


@pytest.fixture()
def inbox(aws_env: dict[str, str]) -> str:
    return subscribe_queue(aws_env["TOPIC_ARN"], raw=True)


def test_a_transition_publishes_one_message_with_filterable_attributes(
    aws_env: dict[str, str], inbox: str
) -> None:
    # Given an event item written on a confirmed transition, and an e-mail-like envelope reader
    envelope_inbox = subscribe_queue(aws_env["TOPIC_ARN"], raw=False)
    item = put_event(aws_env["TABLE_NAME"])

    # When the stream hands it to the notifier
    response = notifier.handler(stream_event(aws_env["TABLE_NAME"]), None)

    # Then exactly one message, with the event, the link and the result, and its attributes
    assert response == {"batchItemFailures": []}
    messages = drain(inbox)
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body["id"] == item["id"]
    assert body["type"] == "link.broken"
    assert (body["link_id"], body["url"], body["host"]) == ("lnk_1", item["url"], "www.tiktok.com")
    assert body["result"]["reason"] == "platform_deleted"
    assert body["result"]["http_status"] == 200
    attributes = {k: v["StringValue"] for k, v in messages[0]["MessageAttributes"].items()}
    assert attributes == {
        "event_type": "link.broken",
        "status": "broken",
        "reason": "platform_deleted",
        "platform": "tiktok",
        "host": "www.tiktok.com",
        "tenant": TENANT,
        "event_id": item["id"],
    }
    envelopes = drain(envelope_inbox)
    assert len(envelopes) == 1
    envelope = json.loads(envelopes[0]["Body"])
    assert (
        envelope["Subject"]
        == "[linkcheck] Broken: www.tiktok.com/@someone/video/123 (platform_deleted)"
    )
    assert json.loads(envelope["Message"])["id"] == item["id"]


@pytest.mark.slow
def test_a_retried_batch_sends_no_duplicate(aws_env: dict[str, str], inbox: str) -> None:
    put_event(aws_env["TABLE_NAME"])
    put_event(
        aws_env["TABLE_NAME"], type="link.recovered", result={"status": "ok", "reason": "http_2xx"}
    )
    batch = stream_event(aws_env["TABLE_NAME"])

    for _ in range(3):  # Lambda retries the same batch (timeout, bisection, ...)
        assert notifier.handler(batch, None) == {"batchItemFailures": []}

    types = sorted(m["MessageAttributes"]["event_type"]["StringValue"] for m in drain(inbox))
    assert types == ["link.broken", "link.recovered"]


def test_sns_failing_then_recovering_loses_nothing(
    aws_env: dict[str, str], inbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given SNS refusing every publish (the topic does not exist)
    first = put_event(aws_env["TABLE_NAME"])
    second = put_event(aws_env["TABLE_NAME"], link_id="lnk_2")
    batch = stream_event(aws_env["TABLE_NAME"])
    monkeypatch.setenv("TOPIC_ARN", aws_env["TOPIC_ARN"] + "-missing")
    get_settings.cache_clear()

    # When the notifier runs, it reports the records as failed (the stream keeps them)
    response = notifier.handler(batch, None)
    sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in batch["Records"]]
    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == sequence_numbers
    assert drain(inbox) == []

    # Then, once SNS is back, the retried batch sends each event once, and never again
    monkeypatch.setenv("TOPIC_ARN", aws_env["TOPIC_ARN"])
    get_settings.cache_clear()
    assert notifier.handler(batch, None) == {"batchItemFailures": []}
    assert notifier.handler(batch, None) == {"batchItemFailures": []}
    ids = sorted(m["MessageAttributes"]["event_id"]["StringValue"] for m in drain(inbox))
    assert ids == sorted([first["id"], second["id"]])


def test_a_link_with_notify_off_sends_nothing(aws_env: dict[str, str], inbox: str) -> None:
    put_event(aws_env["TABLE_NAME"], notify=False)
    assert notifier.handler(stream_event(aws_env["TABLE_NAME"]), None) == {"batchItemFailures": []}
    assert drain(inbox) == []


def test_a_malformed_event_is_skipped_and_later_ones_still_go(
    aws_env: dict[str, str], inbox: str
) -> None:
    put_event(aws_env["TABLE_NAME"], link_id="")  # lacks the link: cannot be notified
    good = put_event(aws_env["TABLE_NAME"])
    assert notifier.handler(stream_event(aws_env["TABLE_NAME"]), None) == {"batchItemFailures": []}
    assert [m["MessageAttributes"]["event_id"]["StringValue"] for m in drain(inbox)] == [good["id"]]


def test_other_items_in_the_stream_are_ignored(aws_env: dict[str, str], inbox: str) -> None:
    boto3.client("dynamodb").put_item(
        TableName=aws_env["TABLE_NAME"],
        Item={"pk": {"S": "T#acme"}, "sk": {"S": "LINK#x"}, "kind": {"S": "link"}},
    )
    assert notifier.handler(stream_event(aws_env["TABLE_NAME"]), None) == {"batchItemFailures": []}
    assert drain(inbox) == []


def test_an_event_held_by_a_live_claim_is_retried_later(
    aws_env: dict[str, str], inbox: str
) -> None:
    # Given another invocation that claimed the event and is still within its lease
    item = put_event(aws_env["TABLE_NAME"])
    Outbox(aws_env["TABLE_NAME"]).claim(TENANT, item["id"], "sns")
    batch = stream_event(aws_env["TABLE_NAME"])

    # When the notifier sees it, it neither sends nor drops it: the record is retried
    response = notifier.handler(batch, None)
    assert len(response["batchItemFailures"]) == 1
    assert drain(inbox) == []


def test_a_crash_after_claiming_sends_once_the_lease_has_expired(aws_env: dict[str, str]) -> None:
    # Given an attempt that claimed, then died before sending (the lease is never released)
    now = [1_000_000.0]
    outbox = Outbox(aws_env["TABLE_NAME"], lease_seconds=60, clock=lambda: now[0])
    assert outbox.claim(TENANT, "evt_crash", "sns").outcome is ClaimOutcome.CLAIMED

    # When a retry comes within the lease, it waits; after it, it takes over
    now[0] += 30
    assert outbox.claim(TENANT, "evt_crash", "sns").outcome is ClaimOutcome.BUSY
    now[0] += 31
    takeover = outbox.claim(TENANT, "evt_crash", "sns")
    assert takeover.outcome is ClaimOutcome.CLAIMED

    # Then once published, no later claim sends again, even long after
    outbox.mark_published(TENANT, "evt_crash", "sns")
    now[0] += 3600
    assert outbox.claim(TENANT, "evt_crash", "sns").outcome is ClaimOutcome.PUBLISHED


def test_a_retry_of_the_same_record_takes_its_own_lease_back_at_once(
    aws_env: dict[str, str],
) -> None:
    # Given an attempt at a stream record that claimed, then failed without giving the lease
    # back (its answer was lost, or the release failed)
    now = [1_000_000.0]
    outbox = Outbox(aws_env["TABLE_NAME"], lease_seconds=60, clock=lambda: now[0])
    assert outbox.claim(TENANT, "evt_own", "sns", attempt="rec-1").outcome is ClaimOutcome.CLAIMED

    # When the stream retries the same record within the lease, it goes on at once
    now[0] += 1
    assert outbox.claim(TENANT, "evt_own", "sns", attempt="rec-1").outcome is ClaimOutcome.CLAIMED
    # ... while anything else still waits for the lease
    assert outbox.claim(TENANT, "evt_own", "sns", attempt="rec-2").outcome is ClaimOutcome.BUSY
    assert outbox.claim(TENANT, "evt_own", "sns").outcome is ClaimOutcome.BUSY

    # Then once published, not even its own retry sends again
    outbox.mark_published(TENANT, "evt_own", "sns")
    assert outbox.claim(TENANT, "evt_own", "sns", attempt="rec-1").outcome is ClaimOutcome.PUBLISHED


def test_the_handler_retrying_a_record_whose_claim_answer_was_lost_sends_it(
    aws_env: dict[str, str], inbox: str
) -> None:
    # Given a first attempt at the record that claimed the channel, then died
    item = put_event(aws_env["TABLE_NAME"])
    batch = stream_event(aws_env["TABLE_NAME"])
    record_id = batch["Records"][0]["eventID"]
    Outbox(aws_env["TABLE_NAME"]).claim(TENANT, item["id"], "sns", attempt=record_id)

    # When the stream retries the record, it is sent now, not after the lease
    assert notifier.handler(batch, None) == {"batchItemFailures": []}
    assert [m["MessageAttributes"]["event_id"]["StringValue"] for m in drain(inbox)] == [item["id"]]
