"""A tiny DynamoDB client over httpx (JSON protocol, SigV4): for paths that must not load boto3.

Speaks the same request and response shapes as boto3's low-level client (``Key``,
``ExpressionAttributeValues`` in DynamoDB JSON, ``{"Attributes": ...}`` back), so callers can be
written against either. Only what those paths need is here: ``update_item``.

Every failure, whether DynamoDB refused (``ResourceNotFoundException``, throttling, bad
credentials) or the network did, is one ``DynamoDBError`` naming the cause.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx

from .config import MissingConfiguration, ServiceEndpoint, dynamodb_endpoint
from .sigv4 import sign

TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"
# On the path of an API request: a slow store must cost little (the caller fails open).
TIMEOUT = httpx.Timeout(2.0, connect=1.0)


class DynamoDBError(Exception):
    """A DynamoDB call failed. ``code`` is DynamoDB's error type, or ``network`` / ``config``."""

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@cache
def _http() -> httpx.Client:
    # One client per execution environment: keeps the TLS connection to DynamoDB warm.
    # trust_env=False: proxy variables must not divert signed AWS calls (or moto on 127.0.0.1).
    return httpx.Client(timeout=TIMEOUT, trust_env=False)


def error_of(status: int, body: bytes) -> DynamoDBError:
    """The error a non-2xx answer carries (``__type`` like ``com.amazonaws...#Throttling``)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return DynamoDBError("http_error", f"HTTP {status}", status=status)
    code = str(parsed.get("__type") or "http_error").rpartition("#")[2]
    message = str(parsed.get("message") or parsed.get("Message") or f"HTTP {status}")
    return DynamoDBError(code, message, status=status)


class DynamoDBHttpClient:
    """Calls DynamoDB actions; ``endpoint`` None means read it from the environment per call."""

    def __init__(
        self, endpoint: ServiceEndpoint | None = None, *, http: httpx.Client | None = None
    ) -> None:
        self._endpoint = endpoint
        self._http = http

    def update_item(self, **params: Any) -> dict[str, Any]:
        return self.call("UpdateItem", params)

    def call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            endpoint = self._endpoint or dynamodb_endpoint()
        except MissingConfiguration as exc:
            raise DynamoDBError("config", str(exc)) from exc
        body = json.dumps(params, separators=(",", ":")).encode("utf-8")
        url = urlsplit(endpoint.url)
        headers = sign(
            method="POST",
            host=url.netloc,
            path="/",
            headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + action},
            body=body,
            credentials=endpoint.credentials,
            region=endpoint.region,
            service="dynamodb",
            now=datetime.now(UTC),
        )
        http = self._http or _http()
        try:
            response = http.post(endpoint.url + "/", content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DynamoDBError("network", f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise error_of(response.status_code, response.content)
        try:
            answer = response.json()
        except ValueError as exc:
            raise DynamoDBError("bad_response", "the answer is not JSON", status=200) from exc
        if not isinstance(answer, dict):
            raise DynamoDBError("bad_response", "the answer is not a JSON object", status=200)
        return answer
