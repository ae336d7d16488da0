"""``observability.lambda_handler``: correlation ids per invocation, with and without a context."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics.provider import cold_start

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


def test_the_first_invocation_with_a_lambda_context_counts_a_cold_start(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a fresh execution environment (Powertools' cold start flag set again)
    cold_start.is_cold_start = True

    # When a handler is invoked twice by Lambda
    worker_like({}, FakeContext())
    worker_like({}, FakeContext())

    # Then one ColdStart metric line is written, with the function's name
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    cold = [line for line in lines if "ColdStart" in line]
    assert len(cold) == 1
    assert cold[0]["function_name"] == "linkcheck-api"
    assert cold[0]["service"] == "linkcheck"


def test_local_runs_without_a_lambda_context_count_no_cold_start(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cold_start.is_cold_start = True
    api_like({}, None)
    assert "ColdStart" not in capsys.readouterr().out
