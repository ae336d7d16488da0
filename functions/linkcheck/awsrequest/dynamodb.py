"""A tiny DynamoDB client (JSON protocol, SigV4) for paths that must not load boto3.

Speaks the same request and response shapes as boto3's low-level client (``Key``,
``ExpressionAttributeValues`` in DynamoDB JSON, ``{"Attributes": ...}`` back), so callers can be
written against either. Only what those paths need is here: ``update_item``.

The transport is the standard library's ``http.client``, not httpx: the api function's import
path already loads ``ssl`` (asyncio does) and ``http.client`` is small, while the engine does
not import httpx at all, and httpx would add 60-190 ms to every cold start (README, cold start). One
keep-alive connection per endpoint and execution environment, with short timeouts.

Every failure, whether DynamoDB refused (``ResourceNotFoundException``, throttling, bad
credentials) or the network did, is one ``DynamoDBError`` naming the cause.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .config import MissingConfiguration, ServiceEndpoint, dynamodb_endpoint
from .sigv4 import sign

TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"
# On the path of an API request: a slow store must cost little (the caller fails open).
TIMEOUT_SECONDS = 2.0


class DynamoDBError(Exception):
    """A DynamoDB call failed. ``code`` is DynamoDB's error type, or ``network`` / ``config``."""

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class _Connections:
    """One keep-alive connection per endpoint, for the life of the execution environment."""

    def __init__(self) -> None:
        self._open: dict[str, http.client.HTTPConnection] = {}
        self._lock = threading.Lock()  # Lambda runs one request at a time; local runs may not
        self._tls: ssl.SSLContext | None = None

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        with self._lock:
            reused = url in self._open
            try:
                return self._post(url, body, headers)
            except (OSError, http.client.HTTPException):
                self._close(url)
                if not reused:
                    raise
            # DynamoDB closes idle keep-alive connections: one fresh attempt, then give up.
            try:
                return self._post(url, body, headers)
            except (OSError, http.client.HTTPException):
                self._close(url)
                raise

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        connection = self._open.get(url) or self._connect(url)
        self._open[url] = connection
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()

    def _connect(self, url: str) -> http.client.HTTPConnection:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
        if parts.scheme == "http":
            return http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return http.client.HTTPSConnection(host, port, timeout=TIMEOUT_SECONDS, context=self._tls)

    def _close(self, url: str) -> None:
        connection = self._open.pop(url, None)
        if connection is not None:
            connection.close()


_CONNECTIONS = _Connections()


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

    def __init__(self, endpoint: ServiceEndpoint | None = None) -> None:
        self._endpoint = endpoint

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
        try:
            status, answer_body = _CONNECTIONS.post(endpoint.url, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            raise DynamoDBError("network", f"{type(exc).__name__}: {exc}") from exc
        if status != 200:
            raise error_of(status, answer_body)
        try:
            answer = json.loads(answer_body)
        except ValueError as exc:
            raise DynamoDBError("bad_response", "the answer is not JSON", status=200) from exc
        if not isinstance(answer, dict):
            raise DynamoDBError("bad_response", "the answer is not a JSON object", status=200)
        return answer
