"""The status -> verdict table, Retry-After parsing and bounded body decoding (pure)."""

from __future__ import annotations

import gzip
import ssl
from datetime import datetime

import pytest

from linkcheck.engine.body import PrefixDecoder
from linkcheck.engine.classify import (
    classify_status,
    classify_transport_error,
    deadline_exceeded,
    redirect_loop,
    too_many_redirects,
)
from linkcheck.engine.errors import (
    ConnectFailed,
    ConnectionDropped,
    ConnectTimedOut,
    ProtocolViolation,
    ProxyFailed,
    ReadTimedOut,
    TransportFailure,
    Unrequestable,
)
from linkcheck.engine.retry import backoff_delay
from linkcheck.engine.verdict import Reason, Status


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        (200, Status.OK, Reason.HTTP_2XX),
        (204, Status.OK, Reason.HTTP_2XX),
        (404, Status.BROKEN, Reason.HTTP_404),
        (410, Status.BROKEN, Reason.HTTP_410),
        (401, Status.RESTRICTED, Reason.HTTP_401),
        (451, Status.RESTRICTED, Reason.HTTP_451),
        (403, Status.BLOCKED, Reason.HTTP_403),
        (429, Status.BLOCKED, Reason.RATE_LIMITED),
        (999, Status.BLOCKED, Reason.HTTP_999),
        (400, Status.ERROR, Reason.HTTP_4XX),
        (418, Status.ERROR, Reason.HTTP_4XX),
        (500, Status.ERROR, Reason.HTTP_5XX),
        (503, Status.ERROR, Reason.HTTP_5XX),
        (304, Status.ERROR, Reason.PROTOCOL_ERROR),
        (150, Status.ERROR, Reason.PROTOCOL_ERROR),
    ],
)
def test_status_table(code: int, status: Status, reason: Reason) -> None:
    verdict = classify_status(code)
    assert (verdict.status, verdict.reason) == (status, reason)
    assert verdict.detail.endswith(".") and str(code) in verdict.detail


def test_fixed_verdicts_are_one_sentence() -> None:
    assert too_many_redirects(10).reason is Reason.TOO_MANY_REDIRECTS
    assert "10" in too_many_redirects(10).detail
    assert redirect_loop("https://a.example/").reason is Reason.REDIRECT_LOOP
    assert deadline_exceeded(1.5).reason is Reason.TIMEOUT
    assert "1.5 s" in deadline_exceeded(1.5).detail


def _caused(exc: TransportFailure, cause: BaseException) -> TransportFailure:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("exc", "status", "reason"),
    [
        (ConnectFailed("Connection refused"), Status.ERROR, Reason.CONNECT_ERROR),
        (ConnectionDropped("reset"), Status.ERROR, Reason.CONNECT_ERROR),
        (ConnectTimedOut(""), Status.ERROR, Reason.TIMEOUT),
        (ReadTimedOut(""), Status.ERROR, Reason.TIMEOUT),
        (ProtocolViolation("bad status line"), Status.ERROR, Reason.PROTOCOL_ERROR),
        (Unrequestable("ftp"), Status.INVALID, Reason.BAD_URL),
        (ProxyFailed("The proxy at p:3128 answered 407."), Status.ERROR, Reason.CONNECT_ERROR),
        (
            _caused(ConnectFailed("x"), ssl.SSLCertVerificationError(1, "bad")),
            Status.ERROR,
            Reason.TLS_ERROR,
        ),
    ],
)
def test_transport_errors(exc: TransportFailure, status: Status, reason: Reason) -> None:
    verdict = classify_transport_error(exc)
    assert (verdict.status, verdict.reason) == (status, reason)
    assert verdict.detail.endswith(".")


def test_backoff_grows_and_is_capped() -> None:
    assert 0.05 <= backoff_delay(0, 0.1) <= 0.1
    assert 0.2 <= backoff_delay(2, 0.1) <= 0.4
    assert backoff_delay(50, 1.0) <= 8.0


def test_prefix_decoder_caps_inflated_size() -> None:
    bomb = gzip.compress(b"a" * 5_000_000)
    decoder = PrefixDecoder("gzip", 1000)
    decoder.feed(bomb)
    assert decoder.full and decoder.value() == b"a" * 1000


def test_prefix_decoder_identity_and_lying_encoding() -> None:
    plain = PrefixDecoder("", 5)
    plain.feed(b"abc")
    plain.feed(b"defgh")
    assert plain.value() == b"abcde"
    liar = PrefixDecoder("gzip", 100)
    liar.feed(b"not gzip at all")
    assert liar.full and liar.value() == b""


def test_checked_at_stamps_match_the_model_format() -> None:
    import re

    from linkcheck.engine.flow import _clock
    from linkcheck.engine.verdict import utc_now_iso

    shape = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    assert shape.match(_clock.now_iso()) and shape.match(utc_now_iso())
    ours, theirs = (
        datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        for stamp in (_clock.now_iso(), utc_now_iso())
    )
    assert abs((theirs - ours).total_seconds()) < 5
