"""Our Standard Webhooks signatures against an independent implementation, the
``standardwebhooks`` reference library: what one signs, the other verifies, for random
secrets, message ids, timestamps and bodies."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from linkcheck.notify.signing import DEFAULT_TOLERANCE_SECONDS, sign, signature_headers, verify

keys = st.binary(min_size=1, max_size=64)
# The reference library takes the id from a header: non-empty text, no line breaks.
msg_ids = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
timestamps = st.integers(min_value=0, max_value=2**33)  # up to the year 2242
# The reference library signs text (it decodes received bytes as UTF-8).
bodies = st.text(max_size=2000)
# The reference library checks timestamps against the wall clock, 5 minutes either way.
MARGIN = DEFAULT_TOLERANCE_SECONDS - 30  # seconds of slack for a slow run
recent = st.integers(min_value=-MARGIN, max_value=MARGIN)


def secret_of(key: bytes) -> str:
    return "whsec_" + base64.b64encode(key).decode("ascii")


@given(keys, msg_ids, timestamps, bodies)
def test_both_sign_the_same(key: bytes, msg_id: str, timestamp: int, body: str) -> None:
    ours = sign(secret_of(key), msg_id, timestamp, body.encode("utf-8"))
    theirs = Webhook(secret_of(key)).sign(
        msg_id=msg_id, timestamp=datetime.fromtimestamp(timestamp, tz=UTC), data=body
    )
    assert ours == theirs


@given(keys, msg_ids, recent, bodies)
def test_the_reference_library_verifies_our_headers(
    key: bytes, msg_id: str, offset: int, body: str
) -> None:
    raw = body.encode("utf-8")
    headers = signature_headers(secret_of(key), msg_id, raw, timestamp=int(time.time()) + offset)
    assert Webhook(secret_of(key)).verify(raw, headers, json_parse=False) is None  # no raise


@given(keys, msg_ids, timestamps, bodies)
def test_we_verify_what_the_reference_library_signs(
    key: bytes, msg_id: str, timestamp: int, body: str
) -> None:
    signature = Webhook(secret_of(key)).sign(
        msg_id=msg_id, timestamp=datetime.fromtimestamp(timestamp, tz=UTC), data=body
    )
    raw = body.encode("utf-8")
    assert verify(secret_of(key), msg_id, timestamp, raw, signature, now=timestamp)
    assert verify(secret_of(key), msg_id, str(timestamp), raw, signature, tolerance=None)
    # ...and only for that message: another body or key does not pass.
    assert not verify(secret_of(key), msg_id, timestamp, raw + b"x", signature, now=timestamp)
    other = bytes([key[0] ^ 1]) + key[1:]
    assert not verify(secret_of(other), msg_id, timestamp, raw, signature, now=timestamp)
