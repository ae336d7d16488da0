"""AWS Signature Version 4, as pure functions: no clock, no environment, no I/O.

The steps of the published algorithm, one function each, so each can be checked against AWS's
test suite (tests/unit/test_sigv4.py): canonical request -> string to sign -> signing key ->
signature -> ``Authorization`` header. ``sign`` puts them together for one request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:  # never print the secret (logs, tracebacks)
        return f"Credentials(access_key_id={self.access_key_id!r}, secret_access_key='***')"


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a signature is valid: a day, a region and a service."""

    date: str  # YYYYMMDD
    region: str
    service: str

    def __str__(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def amz_date(now: datetime) -> str:
    """``now`` (UTC) in the ``X-Amz-Date`` format, e.g. ``20150830T123600Z``."""
    return now.strftime("%Y%m%dT%H%M%SZ")


def payload_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_headers(headers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(canonical headers block, signed header names) for every header given.

    Names are lower-cased and sorted; values trimmed with inner runs of spaces collapsed;
    repeated names are joined with commas in the order given.
    """
    merged: dict[str, list[str]] = {}
    for name, value in headers:
        merged.setdefault(name.strip().lower(), []).append(_SPACES.sub(" ", value.strip()))
    names = sorted(merged)
    block = "".join(f"{name}:{','.join(merged[name])}\n" for name in names)
    return block, ";".join(names)


def canonical_query(query: Iterable[tuple[str, str]]) -> str:
    pairs = sorted((quote(k, safe="~"), quote(v, safe="~")) for k, v in query)
    return "&".join(f"{k}={v}" for k, v in pairs)


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Iterable[tuple[str, str]],
    body_hash: str,
) -> tuple[str, str]:
    """(canonical request, signed header names). ``path`` is the raw (unencoded) path."""
    block, signed = canonical_headers(headers)
    uri = quote(path or "/", safe="/~")
    text = "\n".join([method.upper(), uri, canonical_query(query), block, signed, body_hash])
    return text, signed


def string_to_sign(timestamp: str, scope: Scope, request: str) -> str:
    digest = hashlib.sha256(request.encode("utf-8")).hexdigest()
    return "\n".join([ALGORITHM, timestamp, str(scope), digest])


def signing_key(secret_access_key: str, scope: Scope) -> bytes:
    key = ("AWS4" + secret_access_key).encode("utf-8")
    for part in (scope.date, scope.region, scope.service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def signature(secret_access_key: str, scope: Scope, to_sign: str) -> str:
    key = signing_key(secret_access_key, scope)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(access_key_id: str, scope: Scope, signed_headers: str, sig: str) -> str:
    return (
        f"{ALGORITHM} Credential={access_key_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={sig}"
    )


def sign(
    *,
    method: str,
    host: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Credentials,
    region: str,
    service: str,
    now: datetime,
    query: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:
    """The headers to send: ``headers`` plus ``Host``, ``X-Amz-Date``, the session token if
    any, and ``Authorization``. Every header returned is signed."""
    timestamp = amz_date(now)
    signed = {**headers, "Host": host, "X-Amz-Date": timestamp}
    if credentials.session_token:
        signed["X-Amz-Security-Token"] = credentials.session_token
    scope = Scope(date=timestamp[:8], region=region, service=service)
    request, names = canonical_request(method, path, query, signed.items(), payload_hash(body))
    sig = signature(credentials.secret_access_key, scope, string_to_sign(timestamp, scope, request))
    return {**signed, "Authorization": authorization(credentials.access_key_id, scope, names, sig)}
