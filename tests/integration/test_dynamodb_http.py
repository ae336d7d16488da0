"""The boto3-free DynamoDB client (SigV4 over http.client) against the moto server: moto checks the
signed request's shape and answers like DynamoDB; boto3 reads back what was written."""

from __future__ import annotations

import socket

import pytest

from linkcheck import aws
from linkcheck.awsrequest import Credentials, DynamoDBError, DynamoDBHttpClient, jsonapi
from linkcheck.awsrequest.config import ServiceEndpoint
from linkcheck.store.ratelimit import RateLimiter, RateStoreUnavailable
from tests.e2e.servers import Reply, ScriptedServer


def add_one(client: DynamoDBHttpClient, table: str, pk: str) -> int:
    answer = client.update_item(
        TableName=table,
        Key={"pk": {"S": pk}, "sk": {"S": "RATE"}},
        UpdateExpression="ADD hits :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"]["hits"]["N"])


def test_update_item_adds_atomically_and_boto3_reads_it(aws_env: dict[str, str]) -> None:
    client = DynamoDBHttpClient()  # endpoint, region and credentials from the environment
    table = aws_env["TABLE_NAME"]
    assert [add_one(client, table, "RATE#k#1") for _ in range(3)] == [1, 2, 3]
    item = aws.dynamodb().get_item(
        TableName=table, Key={"pk": {"S": "RATE#k#1"}, "sk": {"S": "RATE"}}
    )["Item"]
    assert item["hits"] == {"N": "3"}


def test_dynamodbs_own_errors_are_named(aws_env: dict[str, str]) -> None:
    with pytest.raises(DynamoDBError) as caught:
        add_one(DynamoDBHttpClient(), "no-such-table", "RATE#k#1")
    assert caught.value.code == "ResourceNotFoundException"
    assert caught.value.status == 400


def test_an_unreachable_endpoint_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = ServiceEndpoint(
        url=f"http://127.0.0.1:{port}", region="us-east-1", credentials=Credentials("a", "b")
    )
    with pytest.raises(DynamoDBError) as caught:
        add_one(DynamoDBHttpClient(endpoint), "t", "RATE#k#1")
    assert caught.value.code == "network"


def test_missing_credentials_are_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    with pytest.raises(DynamoDBError) as caught:
        add_one(DynamoDBHttpClient(), "t", "RATE#k#1")
    assert caught.value.code == "config"
    assert "AWS_ACCESS_KEY_ID" in caught.value.message


def test_the_rate_limiter_counts_per_key_and_window(aws_env: dict[str, str]) -> None:
    limiter = RateLimiter()
    now = 60 * 1000 + 10.0
    decisions = [limiter.hit("key_a", limit=2, now=now) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[-1].retry_after == 50
    assert limiter.hit("key_b", limit=2, now=now).allowed  # another key, its own count
    assert limiter.hit("key_a", limit=2, now=now + 60).allowed  # the next window starts at 1
    item = aws.dynamodb().get_item(
        TableName=aws_env["TABLE_NAME"],
        Key={"pk": {"S": "RATE#key_a#1000"}, "sk": {"S": "RATE"}},
    )["Item"]
    assert item["hits"] == {"N": "3"} and item["expires_at"] == {"N": str(60 * 1001 + 300)}


def test_a_store_failure_is_rate_store_unavailable(aws_env: dict[str, str]) -> None:
    with pytest.raises(RateStoreUnavailable, match="ResourceNotFoundException"):
        RateLimiter(table_name="no-such-table").hit("key_a", limit=5)


# ------------------------------------------------------------------ throttling: a failing endpoint

THROTTLED = Reply(
    400,
    body=b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
    b'"message":"The level of configured provisioned throughput for the table was exceeded."}',
)
ANSWER = Reply(200, body=b'{"Attributes":{"hits":{"N":"7"}}}')


def _scripted(server: ScriptedServer, pauses: list[float]) -> DynamoDBHttpClient:
    endpoint = ServiceEndpoint(
        url=server.url("").rstrip("/"), region="us-east-1", credentials=Credentials("a", "b")
    )
    return DynamoDBHttpClient(endpoint, sleep=pauses.append)


def test_throttling_5xx_and_dropped_connections_are_retried_with_backoff() -> None:
    pauses: list[float] = []
    with ScriptedServer() as server:
        server.route("/", [THROTTLED, Reply(503, body=b"<html>busy</html>"), ANSWER])
        assert add_one(_scripted(server, pauses), "t", "RATE#k#1") == 7
        assert len(server.hits("/")) == 3
        server.route("/", [Reply(reset=True), ANSWER])
        assert add_one(_scripted(server, []), "t", "RATE#k#1") == 7
    assert len(pauses) == 2 and all(0 <= p <= jsonapi.BACKOFF_CAP for p in pauses)


def test_throttling_that_lasts_is_an_error_after_the_last_attempt() -> None:
    pauses: list[float] = []
    with ScriptedServer() as server:
        server.route("/", THROTTLED)
        with pytest.raises(DynamoDBError) as caught:
            add_one(_scripted(server, pauses), "t", "RATE#k#1")
        assert len(server.hits("/")) == jsonapi.ATTEMPTS
    assert caught.value.code == "ProvisionedThroughputExceededException"
    assert len(pauses) == jsonapi.ATTEMPTS - 1


def test_the_rate_limiter_counts_through_brief_throttling() -> None:
    with ScriptedServer() as server:
        server.route("/", [THROTTLED, THROTTLED, ANSWER])
        limiter = RateLimiter(_scripted(server, []), table_name="t")
        assert limiter.hit("key_a", limit=10).count == 7


def test_errors_that_another_attempt_cannot_fix_are_not_retried() -> None:
    pauses: list[float] = []
    invalid = b'{"__type":"com.amazon.coral.validate#ValidationException","message":"bad key"}'
    with ScriptedServer() as server:
        server.route("/", Reply(400, body=invalid))
        with pytest.raises(DynamoDBError) as caught:
            add_one(_scripted(server, pauses), "t", "RATE#k#1")
        assert len(server.hits("/")) == 1 and pauses == []
    assert caught.value.code == "ValidationException"
