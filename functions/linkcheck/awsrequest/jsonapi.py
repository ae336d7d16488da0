"""One signed call to an AWS JSON-protocol API (DynamoDB, SSM, Secrets Manager) over http.client.

The transport is the standard library's ``http.client``, not httpx or boto3: the api function's
import path already loads ``ssl`` (asyncio does) and ``http.client`` is small, while boto3
would add about a second and httpx 60-190 ms to every cold start. One keep-alive connection per
endpoint and execution environment, with short timeouts.

Throttling (``ThrottlingException``, ``ProvisionedThroughputExceededException``...), 5xx answers
and refused or dropped connections are retried like boto3's clients do (``linkcheck.awsretry``:
bounded attempts, exponential backoff with full jitter), with a budget suited to a request
path: ``ATTEMPTS`` in all, pauses of a few tens of milliseconds. A timeout is not retried: it
already spent the call's budget.

Every failure, whether the service refused (``ResourceNotFoundException``, throttling, bad
credentials) or the network did, is one ``AwsError`` (or the caller's subclass) naming the
cause. Request and answer bodies never appear in errors: they may carry secrets.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..awsretry import backoff, is_retryable
from .config import ServiceEndpoint
from .sigv4 import sign

# On the path of an API request: a slow AWS call must cost little (callers fail open).
TIMEOUT_SECONDS = 2.0
ATTEMPTS = 3  # the first included
BACKOFF_BASE = 0.025  # seconds, doubled per retry (full jitter): at most 0.075 s in all
BACKOFF_CAP = 0.2


class AwsError(Exception):
    """An AWS call failed. ``code`` is the service's error type, or ``network`` / ``config``."""

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
            # AWS closes idle keep-alive connections: one fresh attempt, then give up.
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

E = TypeVar("E", bound=AwsError)


def error_of(status: int, body: bytes, error: type[E]) -> E:
    """The error a non-2xx answer carries (``__type`` like ``com.amazonaws...#Throttling``)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return error("http_error", f"HTTP {status}", status=status)
    code = str(parsed.get("__type") or "http_error").rpartition("#")[2]
    message = str(parsed.get("message") or parsed.get("Message") or f"HTTP {status}")
    return error(code, message, status=status)


def call(
    endpoint: ServiceEndpoint,
    *,
    service: str,
    target: str,
    content_type: str,
    params: dict[str, Any],
    error: type[E],
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """POST ``params`` as ``target`` (``X-Amz-Target``), signed for ``service``; the answer.

    Throttling, 5xx and connection failures are tried again, ``attempts`` in all, with
    jittered exponential pauses; then (or at once for anything else) the ``error`` raised.
    """
    for attempt in range(attempts):
        if attempt:
            sleep(backoff(attempt - 1, base=BACKOFF_BASE, cap=BACKOFF_CAP))
        try:
            return _call_once(endpoint, service, target, content_type, params, error)
        except AwsError as exc:
            if attempt + 1 >= attempts or not _worth_retrying(exc):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _worth_retrying(exc: AwsError) -> bool:
    if exc.code == "network":
        cause = exc.__cause__
        # A timeout already used the call's whole budget; a certificate will not change.
        return not isinstance(cause, TimeoutError | ssl.SSLCertVerificationError)
    return is_retryable(exc.code, exc.status)


def _call_once(
    endpoint: ServiceEndpoint,
    service: str,
    target: str,
    content_type: str,
    params: dict[str, Any],
    error: type[E],
) -> dict[str, Any]:
    body = json.dumps(params, separators=(",", ":")).encode("utf-8")
    url = urlsplit(endpoint.url)
    headers = sign(
        method="POST",
        host=url.netloc,
        path="/",
        headers={"Content-Type": content_type, "X-Amz-Target": target},
        body=body,
        credentials=endpoint.credentials,
        region=endpoint.region,
        service=service,
        now=datetime.now(UTC),
    )
    try:
        status, answer_body = _CONNECTIONS.post(endpoint.url, body, headers)
    except (OSError, http.client.HTTPException) as exc:
        raise error("network", f"{type(exc).__name__}: {exc}") from exc
    if status != 200:
        raise error_of(status, answer_body, error)
    try:
        answer = json.loads(answer_body)
    except ValueError as exc:
        raise error("bad_response", "the answer is not JSON", status=200) from exc
    if not isinstance(answer, dict):
        raise error("bad_response", "the answer is not a JSON object", status=200)
    return answer
