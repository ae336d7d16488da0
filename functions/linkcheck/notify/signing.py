"""Standard Webhooks signatures (https://www.standardwebhooks.com/), version ``v1``.

A delivery carries three headers: ``webhook-id`` (stable across retries of one message),
``webhook-timestamp`` (unix seconds of the attempt) and ``webhook-signature``: space-separated
``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``. The key is the base64-decoded part of the
hook's secret after ``whsec_``. Pure functions: no I/O, usable by receivers as they are.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 - the public prefix, not a secret
DEFAULT_TOLERANCE_SECONDS = 300  # receivers reject messages older (or newer) than this

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "SECRET_PREFIX",
    "InvalidSecret",
    "new_secret",
    "sign",
    "signature_headers",
    "verify",
    "verify_headers",
]


class InvalidSecret(ValueError):
    """The secret is not ``whsec_`` followed by base64."""


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSecret("a webhook secret is 'whsec_' followed by base64") from exc
    if not key:
        raise InvalidSecret("the webhook secret is empty")
    return key


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) of one message."""
    signed = f"{msg_id}.{timestamp}.".encode() + _as_bytes(body)
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_headers(
    secret: str, msg_id: str, body: bytes | str, *, timestamp: int | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers of one delivery attempt."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": sign(secret, msg_id, ts, body),
    }


def verify(
    secret: str,
    msg_id: str,
    timestamp: str | int,
    body: bytes | str,
    signature: str,
    *,
    tolerance: int | None = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when ``signature`` (the whole header, maybe several ``v1,`` entries) matches.

    The timestamp must be within ``tolerance`` seconds of ``now`` (``None`` skips the check,
    for replaying stored messages). Comparison is constant-time.
    """
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if tolerance is not None:
        current = time.time() if now is None else now
        if abs(current - ts) > tolerance:
            return False
    try:
        expected = sign(secret, msg_id, ts, body).removeprefix("v1,")
    except InvalidSecret:
        return False
    for entry in signature.split():
        version, _, value = entry.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return True
    return False


def verify_headers(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance: int | None = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """``verify`` with the headers of a received request (names case-insensitive)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return verify(
        secret,
        lowered.get("webhook-id", ""),
        lowered.get("webhook-timestamp", ""),
        body,
        lowered.get("webhook-signature", ""),
        tolerance=tolerance,
    )
