"""Standard Webhooks signing and verification (pure), and `linkcheck webhooks verify`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import sys
import time

import pytest

from linkcheck.cli import main
from linkcheck.notify.signing import (
    InvalidSecret,
    new_secret,
    sign,
    signature_headers,
    verify,
    verify_headers,
)

# The example of the Standard Webhooks reference libraries.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_sign_matches_the_reference_example() -> None:
    assert sign(SECRET, MSG_ID, TIMESTAMP, BODY) == EXPECTED
    assert sign(SECRET, MSG_ID, TIMESTAMP, BODY.decode()) == EXPECTED


def test_sign_is_hmac_sha256_of_id_timestamp_body_with_the_decoded_key() -> None:
    secret = new_secret()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, b"m1.1700000000.hello", hashlib.sha256).digest()
    assert sign(secret, "m1", 1700000000, b"hello") == "v1," + base64.b64encode(digest).decode()


def test_new_secrets_are_random_and_well_formed() -> None:
    a, b = new_secret(), new_secret()
    assert a != b
    assert a.startswith("whsec_")
    assert len(base64.b64decode(a[6:])) == 32


def test_verify_accepts_the_right_signature_within_tolerance() -> None:
    assert verify(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED, now=TIMESTAMP + 10)
    assert verify(SECRET, MSG_ID, str(TIMESTAMP), BODY, EXPECTED, tolerance=None)


@pytest.mark.parametrize(
    ("msg_id", "timestamp", "body", "signature"),
    [
        ("msg_other", TIMESTAMP, BODY, EXPECTED),
        (MSG_ID, TIMESTAMP + 1, BODY, EXPECTED),
        (MSG_ID, TIMESTAMP, BODY + b" ", EXPECTED),
        (MSG_ID, TIMESTAMP, BODY, "v1,AAAA"),
        (MSG_ID, TIMESTAMP, BODY, "v2," + EXPECTED[3:]),
        (MSG_ID, TIMESTAMP, BODY, ""),
        (MSG_ID, "not-a-number", BODY, EXPECTED),
    ],
)
def test_verify_rejects_any_change(
    msg_id: str, timestamp: int | str, body: bytes, signature: str
) -> None:
    assert not verify(SECRET, msg_id, timestamp, body, signature, tolerance=None)


def test_verify_rejects_stale_and_future_timestamps() -> None:
    assert not verify(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED, now=TIMESTAMP + 301)
    assert not verify(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED, now=TIMESTAMP - 301)


def test_verify_accepts_one_valid_among_several_signatures() -> None:
    header = f"v1,bm90IGl0 {EXPECTED}"  # e.g. during a secret rotation
    assert verify(SECRET, MSG_ID, TIMESTAMP, BODY, header, tolerance=None)


def test_a_wrong_or_malformed_secret_never_verifies() -> None:
    assert not verify(new_secret(), MSG_ID, TIMESTAMP, BODY, EXPECTED, tolerance=None)
    assert not verify("whsec_***", MSG_ID, TIMESTAMP, BODY, EXPECTED, tolerance=None)
    with pytest.raises(InvalidSecret):
        sign("whsec_", MSG_ID, TIMESTAMP, BODY)


def test_signature_headers_round_trip() -> None:
    secret = new_secret()
    headers = signature_headers(secret, "evt_1", b"{}")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 5
    upper = {k.upper(): v for k, v in headers.items()}  # header names are case-insensitive
    assert verify_headers(secret, upper, b"{}")
    assert not verify_headers(secret, upper, b"{ }")


def run_cli(monkeypatch: pytest.MonkeyPatch, body: bytes, *args: str) -> int:
    stdin = io.TextIOWrapper(io.BytesIO(body))
    monkeypatch.setattr(sys, "stdin", stdin)
    return main(["webhooks", "verify", *args])


def test_cli_verify_exit_codes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--secret", SECRET, "--id", MSG_ID, "--timestamp", str(TIMESTAMP), "--tolerance", "0"]
    assert run_cli(monkeypatch, BODY, *common, "--signature", EXPECTED) == 0
    assert "valid" in capsys.readouterr().out
    assert run_cli(monkeypatch, BODY + b"x", *common, "--signature", EXPECTED) == 1
    assert "INVALID" in capsys.readouterr().err


def test_cli_verify_checks_freshness_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--secret", SECRET, "--id", MSG_ID, "--timestamp", str(TIMESTAMP)]
    assert run_cli(monkeypatch, BODY, *args, "--signature", EXPECTED) == 1  # from 2021


def test_cli_verify_reads_the_secret_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = new_secret()
    now = int(time.time())
    monkeypatch.setenv("LINKCHECK_WEBHOOK_SECRET", secret)
    signature = sign(secret, "evt_9", now, b"{}")
    args = ["--id", "evt_9", "--timestamp", str(now), "--signature", signature]
    assert run_cli(monkeypatch, b"{}", *args) == 0


def test_cli_verify_explains_a_malformed_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--secret", "whsec_!!", "--id", "x", "--timestamp", "1", "--signature", "v1,x"]
    assert run_cli(monkeypatch, b"", *args) == 2
    assert "whsec_" in capsys.readouterr().err
