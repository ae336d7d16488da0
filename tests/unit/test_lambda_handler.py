"""``observability.lambda_handler``: correlation ids per invocation, with and without a context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from linkcheck.observability import correlation_id, lambda_handler, set_correlation_id


@dataclass
class FakeContext:
    function_name: str = "linkcheck-api"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:linkcheck-api"
    aws_request_id: str = "lambda-request-1"


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def api_like(event: dict[str, Any], context: Any) -> str | None:
    return correlation_id()


@lambda_handler(traced=True)
def worker_like(event: dict[str, Any], context: Any) -> str | None:
    return correlation_id()


def test_the_api_request_id_becomes_the_correlation_id() -> None:
    event = {"requestContext": {"requestId": "req-42"}}
    assert api_like(event, FakeContext()) == "req-42"
    assert api_like(event, None) == "req-42"  # tests and local runs pass no Lambda context


def test_an_invocation_never_inherits_the_previous_id() -> None:
    set_correlation_id("left-over")
    assert worker_like({}, FakeContext()) is None
    set_correlation_id("left-over")
    assert worker_like({}, None) is None
    assert api_like({}, None) is None
