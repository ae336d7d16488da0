"""Lazily created boto3 clients, one per execution environment.

boto3 is imported here, inside functions, so that code paths which need no AWS (the on-demand
``/check`` route) never pay its import cost on a cold start. Every client retries the same way:
botocore's ``standard`` mode, ``awsretry.MAX_ATTEMPTS`` attempts (throttling, 5xx and
connection errors, exponential backoff with full jitter), whatever the environment says.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from .awsretry import MAX_ATTEMPTS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient


@cache
def _session() -> Any:
    import boto3  # deferred on purpose: see module docstring

    # One session: its loader parses the endpoint and service models once for every client.
    return boto3.session.Session()


def client_config() -> Any:
    """The botocore ``Config`` of every client: retries set here, not left to the defaults
    (legacy mode, or whatever ``AWS_RETRY_MODE`` happens to say)."""
    from botocore.config import Config

    # total_max_attempts counts the first attempt; the dict's "max_attempts" would count only
    # the retries (unlike AWS_MAX_ATTEMPTS), an easy off-by-one.
    return Config(retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS})


# Called with each new client: the local stack's fault injector registers botocore event
# hooks here (``linkcheck.local.faults``). Empty in AWS: nothing ever adds one there.
_client_hooks: list[Callable[[str, Any], None]] = []


def add_client_hook(hook: Callable[[str, Any], None]) -> None:
    """Run ``hook(service, client)`` on every client made from now on (local stack only)."""
    _client_hooks.append(hook)
    _client.cache_clear()


def clear_client_hooks() -> None:
    _client_hooks.clear()
    _client.cache_clear()


@cache
def _client(service: str) -> Any:
    made = _session().client(service, config=client_config())
    for hook in _client_hooks:
        hook(service, made)
    return made


def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _client("dynamodb")
    return client


def sqs() -> SQSClient:
    client: SQSClient = _client("sqs")
    return client


def sns() -> SNSClient:
    client: SNSClient = _client("sns")
    return client


def reset_clients() -> None:
    """Forget cached clients (tests and the local stack point them at a new endpoint)."""
    _client.cache_clear()
    _session.cache_clear()
