"""How the boto3-free DynamoDB client reads DynamoDB's error answers (pure)."""

from __future__ import annotations

from linkcheck.awsrequest.dynamodb import error_of


def test_the_error_type_is_the_part_after_the_hash() -> None:
    body = (
        b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
        b'"message":"slow down"}'
    )
    error = error_of(400, body)
    assert (error.code, error.message, error.status) == (
        "ProvisionedThroughputExceededException",
        "slow down",
        400,
    )


def test_capitalised_message_and_non_json_answers() -> None:
    assert error_of(403, b'{"__type":"x#AccessDeniedException","Message":"no"}').message == "no"
    error = error_of(503, b"<html>unavailable</html>")
    assert (error.code, error.status) == ("http_error", 503)
