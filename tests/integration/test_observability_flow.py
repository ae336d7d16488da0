"""Observability across the async path (moto server, a real local HTTP server): the sweep's
correlation id reaches the worker's event item, and a worker batch prints EMF metrics."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from linkcheck.handlers import sweep, worker
from linkcheck.observability import CORRELATION_ID_FIELD, MetricName, set_correlation_id
from linkcheck.settings import get_settings
from linkcheck.store.links import LinkStore, NewLink
from tests.e2e.servers import ScriptedServer

EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture()
def site() -> Iterator[str]:
    """A site where every page is a 404 (unrouted paths of the scripted server)."""
    with ScriptedServer() as server:
        yield server.url("")


@pytest.fixture()
def env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("CONFIRM_DELAY_SECONDS", "0")  # the confirmation re-check comes at once
    get_settings.cache_clear()
    yield aws_env
    set_correlation_id(None)


def lambda_records(queue_url: str) -> list[dict[str, Any]]:
    """Visible messages in the SQS event source's shape, message attributes included."""
    got = boto3.client("sqs").receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=10,
        VisibilityTimeout=0,
        MessageAttributeNames=["All"],
    )
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "messageAttributes": {
                name: {"stringValue": a.get("StringValue"), "dataType": a["DataType"]}
                for name, a in m.get("MessageAttributes", {}).items()
            },
        }
        for m in got.get("Messages", [])
    ]


def run_worker(queue_url: str) -> int:
    """One worker invocation on what is visible; returns the number of messages handled."""
    batch = lambda_records(queue_url)
    if batch:
        set_correlation_id(None)  # nothing but the messages may carry the id across
        assert worker.handler({"Records": batch}, None) == {"batchItemFailures": []}
        for record in batch:
            boto3.client("sqs").delete_message(
                QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"]
            )
    return len(batch)


def event_items(table: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :evt)",
        ExpressionAttributeValues={":pk": {"S": "T#acme"}, ":evt": {"S": "EVT#"}},
    )["Items"]
    return list(items)


def emf(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def metric_values(lines: list[dict[str, Any]], name: str, dimension: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in lines:
        declared = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        if any(metric["Name"] == name for metric in declared):
            value = line[name]  # EMF allows a number or a list of numbers
            total = sum(value) if isinstance(value, list) else value
            found[line[dimension]] = found.get(line[dimension], 0) + total
    return found


@pytest.mark.slow
def test_the_sweeps_correlation_id_reaches_the_event_and_metrics_are_printed(
    env: dict[str, str], site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a due link that answers 404
    LinkStore().register(
        "acme",
        NewLink(url=f"{site}/gone", host="127.0.0.1", interval=3600),
        now=int(time.time()) - 3000,
    )
    # When the scheduled sweep runs, then the worker twice (the check, then its confirmation)
    scheduled = json.loads((EVENTS / "sweep-scheduled.json").read_text())
    summary = sweep.handler(scheduled, None)
    assert summary["links"] == 1
    capsys.readouterr()
    queue_url = env["CHECKS_QUEUE_URL"]
    assert run_worker(queue_url) == 1
    first = emf(capsys.readouterr().out)
    for _ in range(5):  # bounded: the confirmation is sent without delay
        if not run_worker(queue_url):
            break
    second = emf(capsys.readouterr().out)

    # Then the confirmed event carries the sweep's correlation id ...
    (item,) = event_items(env["TABLE_NAME"])
    assert item["type"]["S"] == "link.broken"
    assert item[CORRELATION_ID_FIELD]["S"] == summary["correlation_id"]
    # ... and each worker batch printed EMF lines under the product's metric names.
    assert metric_values(first, MetricName.CHECKS, "status") == {"broken": 1}
    assert metric_values(second, MetricName.CHECKS, "status") == {"broken": 1}
    transitions = metric_values(second, MetricName.CONFIRMED_TRANSITIONS, "event_type")
    assert transitions == {"link.broken": 1}
    assert all(line["_aws"]["CloudWatchMetrics"][0]["Namespace"] for line in first + second)
