"""HTTP status codes and transport failures -> ``Verdict``: the engine's one mapping table.

Pure: no I/O. The checker hands in what it saw (a final status, or the exception that ended a
check) and gets back the verdict (docs/verdicts.md) with a one-sentence ``detail``.
"""

from __future__ import annotations

import ssl
from functools import lru_cache
from http import HTTPStatus

from .errors import (
    ConnectFailed,
    ConnectTimedOut,
    ProtocolViolation,
    ProxyFailed,
    ReadTimedOut,
    TransportFailure,
    Unrequestable,
)
from .verdict import Reason, Status, Verdict

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Statuses worth another attempt after a pause (Retry-After or backoff).
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


def _phrase(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


@lru_cache(maxsize=256)  # verdicts are immutable: one per status code is plenty
def classify_status(status: int) -> Verdict:
    """The verdict for the final HTTP status of a check (after redirects)."""
    said = f"The server answered {_phrase(status)}"
    if 200 <= status < 300:
        return Verdict(Status.OK, Reason.HTTP_2XX, f"{said}.")
    if status == 404:
        return Verdict(Status.BROKEN, Reason.HTTP_404, f"{said}: the page does not exist.")
    if status == 410:
        return Verdict(Status.BROKEN, Reason.HTTP_410, f"{said}: the page was removed for good.")
    if status == 401:
        return Verdict(
            Status.RESTRICTED, Reason.HTTP_401, f"{said}: the page needs authentication."
        )
    if status == 451:
        return Verdict(
            Status.RESTRICTED, Reason.HTTP_451, f"{said}: the page is withheld for legal reasons."
        )
    if status == 403:
        return Verdict(
            Status.BLOCKED,
            Reason.HTTP_403,
            f"{said}: the checker was refused, which says nothing about the link.",
        )
    if status == 429:
        return Verdict(
            Status.BLOCKED, Reason.RATE_LIMITED, f"{said}: the checker was rate limited."
        )
    if status == 999:
        return Verdict(
            Status.BLOCKED, Reason.HTTP_999, f"{said}: the site refuses automated checkers."
        )
    if 400 <= status < 500:
        return Verdict(Status.ERROR, Reason.HTTP_4XX, f"{said}.")
    if 500 <= status < 600:
        return Verdict(Status.ERROR, Reason.HTTP_5XX, f"{said}: the server failed.")
    if 300 <= status < 400:
        return Verdict(Status.ERROR, Reason.PROTOCOL_ERROR, f"{said} without a usable redirect.")
    return Verdict(Status.ERROR, Reason.PROTOCOL_ERROR, f"{said}, which is not valid HTTP.")


def too_many_redirects(limit: int) -> Verdict:
    return Verdict(
        Status.ERROR, Reason.TOO_MANY_REDIRECTS, f"Gave up after more than {limit} redirects."
    )


def redirect_loop(url: str) -> Verdict:
    return Verdict(Status.ERROR, Reason.REDIRECT_LOOP, f"The redirects loop back to {url}.")


def deadline_exceeded(seconds: float) -> Verdict:
    return Verdict(
        Status.ERROR, Reason.TIMEOUT, f"No complete answer within the {seconds:g} s deadline."
    )


def never_started(seconds: float, host: str) -> Verdict:
    return Verdict(
        Status.ERROR,
        Reason.NOT_CHECKED,
        f"The check could not start within its {seconds:g} s deadline: every connection to "
        f"{host} allowed by the per-host limit stayed busy. This says nothing about the link.",
    )


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):  # bounded walk of the cause chain
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _tls_detail(exc: BaseException) -> str:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            why = getattr(seen, "verify_message", None) or seen.strerror or "invalid certificate"
            return f"TLS certificate verification failed ({why})."
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return f"The TLS handshake failed{_why(seen)}."
        seen = seen.__cause__ or seen.__context__
    return "The TLS handshake failed."


def _why(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    return f" ({text})" if text else ""


def classify_transport_error(exc: TransportFailure) -> Verdict:
    """The verdict for a request that got no HTTP answer (the engine's ``errors``)."""
    if _is_tls_failure(exc):
        return Verdict(Status.ERROR, Reason.TLS_ERROR, _tls_detail(exc))
    if isinstance(exc, ConnectTimedOut):
        return Verdict(Status.ERROR, Reason.TIMEOUT, "Connecting to the server timed out.")
    if isinstance(exc, ProxyFailed):  # the egress proxy failed: nothing about the link
        return Verdict(Status.ERROR, Reason.CONNECT_ERROR, str(exc))
    if isinstance(exc, ReadTimedOut):
        return Verdict(Status.ERROR, Reason.TIMEOUT, "The server stopped answering in time.")
    if isinstance(exc, ConnectFailed):
        return Verdict(
            Status.ERROR, Reason.CONNECT_ERROR, f"Could not connect to the server{_why(exc)}."
        )
    if isinstance(exc, ProtocolViolation):
        return Verdict(
            Status.ERROR, Reason.PROTOCOL_ERROR, f"The server sent invalid HTTP{_why(exc)}."
        )
    if isinstance(exc, Unrequestable):
        return Verdict(Status.INVALID, Reason.BAD_URL, f"The URL cannot be requested{_why(exc)}.")
    # ConnectionDropped: the connection was reset or closed mid-exchange.
    return Verdict(
        Status.ERROR, Reason.CONNECT_ERROR, f"The connection was dropped or reset{_why(exc)}."
    )
