"""The local stack's fault injector (``linkcheck.local.faults``) on real clients and moto.

Each kind of fault is forced (a share of 1) and the client's caller sees what DynamoDB, SQS and
SNS would answer; the same seed gives the same decisions.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from linkcheck.local.faults import FaultSpec, FaultSpecError, Injector, counter_key, parse_line

SINGLE = Config(retries={"mode": "standard", "total_max_attempts": 1})


def _client(service: str) -> Any:
    return boto3.client(service, config=SINGLE)  # type: ignore[call-overload]


def _injected(service: str, spec: str, seed: int = 1) -> tuple[Any, Injector, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    injector = Injector(FaultSpec.parse(f"seed={seed},{spec}"), "test", emit=seen.append)
    client = _client(service)
    injector.install(service, client)
    return client, injector, seen


@pytest.fixture
def table(moto_endpoint: str) -> str:
    name = f"faults-{uuid.uuid4().hex[:8]}"
    _client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def test_spec_parses_renders_and_refuses_nonsense() -> None:
    spec = FaultSpec.parse("seed=7, dynamodb=0.05,sqs=0.1,kill=0.02,skew=2,lost=0.5")
    assert spec.seed == 7 and spec.rates == {"dynamodb": 0.05, "sqs": 0.1}
    assert (spec.kill, spec.skew, spec.lost) == (0.02, 2.0, 0.5)
    assert FaultSpec.parse(spec.render()) == spec
    for bad, says in [
        ("dynamodb=2", "share"),
        ("sqs", "name=value"),
        ("throttle=0.1", "unknown setting"),
        ("skew=-1", "negative"),
        ("seed=x", "number"),
    ]:
        with pytest.raises(FaultSpecError, match=says):
            FaultSpec.parse(bad)


def test_a_refused_write_never_reaches_the_table(table: str) -> None:
    client, injector, seen = _injected("dynamodb", "dynamodb=1,lost=0")
    with pytest.raises(ClientError) as raised:
        client.put_item(TableName=table, Item={"pk": {"S": "a"}})
    assert raised.value.response["Error"]["Code"] in (
        "ProvisionedThroughputExceededException",
        "InternalServerError",
    )
    assert "Item" not in _client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "a"}})
    assert seen and seen[0]["operation"] == "PutItem"
    assert sum(injector.counts.values()) == 1


def test_a_lost_answer_hides_a_write_that_happened(table: str) -> None:
    client, _, seen = _injected("dynamodb", "dynamodb=1,lost=1")
    with pytest.raises(ClientError):
        client.put_item(TableName=table, Item={"pk": {"S": "b"}})
    assert "Item" in _client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "b"}})
    assert seen[0]["kind"] == "lost"


def test_a_lost_race_raises_the_modelled_condition_errors(table: str) -> None:
    """Code that catches ``client.exceptions.ConditionalCheckFailedException`` catches it."""
    caught = {"race": 0}
    for seed in range(40):
        client, _, seen = _injected("dynamodb", "dynamodb=1,lost=0", seed=seed)
        try:
            client.put_item(
                TableName=table,
                Item={"pk": {"S": "c"}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except client.exceptions.ConditionalCheckFailedException:
            caught["race"] += 1
            assert seen[0]["kind"] == "race"
        except ClientError:
            pass
    assert caught["race"] > 0
    client, _, _ = _injected("dynamodb", "dynamodb=1,lost=0", seed=3)
    races = 0
    for _ in range(20):
        try:
            client.transact_write_items(
                TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": "t"}}}}]
            )
        except client.exceptions.TransactionCanceledException:
            races += 1
        except ClientError:
            pass
    assert races > 0


def test_batches_come_back_partly_unprocessed(table: str) -> None:
    client, _, _ = _injected("dynamodb", "dynamodb=1,lost=0", seed=5)
    partial = 0
    for attempt in range(30):
        puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{attempt}-{i}"}}}} for i in range(4)]
        try:
            answer = client.batch_write_item(RequestItems={table: puts})
        except ClientError:
            continue
        held = answer.get("UnprocessedItems", {}).get(table, [])
        assert held == puts[2:]
        partial += 1
    assert partial > 0


def test_sqs_batches_are_partly_refused_and_receives_fail(moto_endpoint: str) -> None:
    url = _client("sqs").create_queue(QueueName=f"faults-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    client, _, _ = _injected("sqs", "sqs=1,lost=0", seed=2)
    refused = 0
    for attempt in range(20):
        entries = [{"Id": str(i), "MessageBody": f"{attempt}-{i}"} for i in range(4)]
        try:
            answer = client.send_message_batch(QueueUrl=url, Entries=entries)
        except ClientError:
            continue
        assert [f["Id"] for f in answer["Failed"]] == ["2", "3"]
        refused += 1
    assert refused > 0
    with pytest.raises(ClientError):
        client.receive_message(QueueUrl=url)


def test_the_same_seed_makes_the_same_decisions(table: str) -> None:
    def decisions(seed: int) -> list[str]:
        client, _, seen = _injected("dynamodb", "dynamodb=0.3", seed=seed)
        for i in range(40):
            with contextlib.suppress(ClientError):
                client.put_item(TableName=table, Item={"pk": {"S": f"s{i}"}})
        return [f"{f['operation']} {f['kind']}" for f in seen]

    first = decisions(11)
    assert first == decisions(11)
    assert first != decisions(12)


def test_a_fault_line_is_read_and_counted() -> None:
    line = '[fault] {"kind": "throttled", "operation": "PutItem", "service": "dynamodb"}\n'
    fault = parse_line(line)
    assert fault is not None and counter_key(fault) == "dynamodb throttled"
    assert parse_line('{"level": "INFO"}') is None
