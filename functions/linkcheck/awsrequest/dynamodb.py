"""A tiny DynamoDB client (JSON protocol, SigV4) for paths that must not load boto3.

Speaks the same request and response shapes as boto3's low-level client (``Key``,
``ExpressionAttributeValues`` in DynamoDB JSON, ``{"Attributes": ...}`` back), so callers can be
written against either. Only what those paths need is here: ``update_item`` (the rate and
click counters) and ``get_item`` (the smart link redirect). The signed transport is
``jsonapi.call`` (http.client, one keep-alive connection per endpoint).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import jsonapi
from .config import MissingConfiguration, ServiceEndpoint, dynamodb_endpoint

TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"


class DynamoDBError(jsonapi.AwsError):
    """A DynamoDB call failed. ``code`` is DynamoDB's error type, or ``network`` / ``config``."""


def error_of(status: int, body: bytes) -> DynamoDBError:
    """The error a non-2xx answer carries (``__type`` like ``com.amazonaws...#Throttling``)."""
    return jsonapi.error_of(status, body, DynamoDBError)


class DynamoDBHttpClient:
    """Calls DynamoDB actions; ``endpoint`` None means read it from the environment per call.

    Throttling and transient failures are retried by ``jsonapi.call`` (``sleep``: how it
    pauses in between; tests record the pauses instead).
    """

    def __init__(
        self,
        endpoint: ServiceEndpoint | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._endpoint = endpoint
        self._sleep = sleep

    def update_item(self, **params: Any) -> dict[str, Any]:
        return self.call("UpdateItem", params)

    def get_item(self, **params: Any) -> dict[str, Any]:
        return self.call("GetItem", params)

    def call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            endpoint = self._endpoint or dynamodb_endpoint()
        except MissingConfiguration as exc:
            raise DynamoDBError("config", str(exc)) from exc
        return jsonapi.call(
            endpoint,
            service="dynamodb",
            target=TARGET_PREFIX + action,
            content_type=CONTENT_TYPE,
            params=params,
            error=DynamoDBError,
            sleep=self._sleep,
        )
