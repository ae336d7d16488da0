"""The local moto server's patches: cancelled transactions write nothing and the stream goes on;
a query reads its partition."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError


def _create_table(**extra: Any) -> str:
    """A fresh pk/sk table (string keys); ``extra``: more of CreateTable's arguments."""
    name = f"tx-{uuid.uuid4().hex[:8]}"
    attributes = [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ]
    boto3.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=attributes + extra.pop("more_attributes", []),
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


@pytest.fixture
def table(moto_endpoint: str, aws_env: dict[str, str]) -> str:
    return _create_table(
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    )


def _key(sk: str) -> dict[str, Any]:
    return {"pk": {"S": "T#a"}, "sk": {"S": sk}}


def _reader(name: str) -> tuple[Any, str]:
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return streams, iterator


def _read(streams: Any, iterator: str) -> tuple[list[str], str]:
    response = streams.get_records(ShardIterator=iterator)
    keys = [r["dynamodb"]["Keys"]["sk"]["S"] for r in response["Records"]]
    return keys, response["NextShardIterator"]


def test_a_cancelled_transaction_writes_nothing_and_the_stream_goes_on(table: str) -> None:
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName=table, Item={**_key("kept"), "n": {"N": "1"}})
    streams, iterator = _reader(table)
    seen, iterator = _read(streams, iterator)
    assert seen == ["kept"]

    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {**_key("new"), "n": {"N": "1"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key("kept"),
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": _key("absent"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )

    items = dynamodb.scan(TableName=table)["Items"]
    assert items == [{**_key("kept"), "n": {"N": "1"}}]  # the update is undone, no new item
    dynamodb.put_item(TableName=table, Item={**_key("after"), "n": {"N": "1"}})
    seen, _ = _read(streams, iterator)
    assert seen == ["after"]  # nothing from the cancelled writes; the reader sees what follows


def test_a_transaction_that_succeeds_is_applied_whole(table: str) -> None:
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName=table, Item={**_key("a"), "n": {"N": "1"}})
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {**_key("b"), "n": {"N": "2"}}}},
            {"Delete": {"TableName": table, "Key": _key("a")}},
        ]
    )
    items = dynamodb.scan(TableName=table)["Items"]
    assert items == [{**_key("b"), "n": {"N": "2"}}]


def test_tables_are_not_copied_by_a_transaction(table: str) -> None:
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends["123456789012"]["us-east-1"]
    before = backend.tables[table]
    with pytest.raises(ClientError, match="TransactionCanceled"):
        boto3.client("dynamodb").transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": _key("absent"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                }
            ]
        )
    assert backend.tables[table] is before


def test_a_partition_query_reads_that_partition_only(table: str) -> None:
    dynamodb = boto3.client("dynamodb")
    for pk in ("T#a", "T#b"):
        for sk in ("LINK#1", "LINK#2", "EVT#1"):
            dynamodb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": sk}})
    answer = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": "T#b"}, ":prefix": {"S": "LINK#"}},
    )
    assert [(i["pk"]["S"], i["sk"]["S"]) for i in answer["Items"]] == [
        ("T#b", "LINK#1"),
        ("T#b", "LINK#2"),
    ]
    empty = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "T#none"}},
    )
    assert empty["Items"] == []
    assert len(dynamodb.scan(TableName=table)["Items"]) == 6  # scans still see every item


def test_an_index_query_finds_the_items_of_its_key_in_index_order(
    moto_endpoint: str, aws_env: dict[str, str]
) -> None:
    name = _create_table(
        more_attributes=[
            {"AttributeName": "shard", "AttributeType": "S"},
            {"AttributeName": "at", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "due",
                "KeySchema": [
                    {"AttributeName": "shard", "KeyType": "HASH"},
                    {"AttributeName": "at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    dynamodb = boto3.client("dynamodb")
    rows = [("T#a", "L#1", "1", "05"), ("T#b", "L#2", "1", "02"), ("T#a", "L#3", "2", "01")]
    for pk, sk, shard, at in rows:
        dynamodb.put_item(
            TableName=name,
            Item={"pk": {"S": pk}, "sk": {"S": sk}, "shard": {"S": shard}, "at": {"S": at}},
        )
    dynamodb.put_item(TableName=name, Item={"pk": {"S": "T#a"}, "sk": {"S": "R#1"}})  # unindexed

    answer = dynamodb.query(
        TableName=name,
        IndexName="due",
        KeyConditionExpression="shard = :shard AND #at BETWEEN :low AND :high",
        ExpressionAttributeNames={"#at": "at"},
        ExpressionAttributeValues={":shard": {"S": "1"}, ":low": {"S": "00"}, ":high": {"S": "09"}},
    )
    assert [i["sk"]["S"] for i in answer["Items"]] == ["L#2", "L#1"]  # by the index's sort key
