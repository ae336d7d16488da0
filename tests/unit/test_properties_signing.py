"""Properties of webhook signatures (``notify/signing.py``), for random messages and secrets.

- What ``sign`` signs, ``verify`` accepts (alone or among other signatures in the header).
- Any one change (body, timestamp, message id or key) makes it fail.
- The timestamp must be within the tolerance of ``now``, both ways, edges included.
- The signature is compared with ``hmac.compare_digest`` (constant time), never ``==``.

``test_signing_oracle.py`` holds the same signatures against the reference library.
"""

from __future__ import annotations

import base64
import hmac
from unittest import mock

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linkcheck.notify import signing
from linkcheck.notify.signing import DEFAULT_TOLERANCE_SECONDS, sign, verify
from tests.fuzzing import fuzz_examples

keys = st.binary(min_size=1, max_size=48)
msg_ids = st.text(max_size=30)
timestamps = st.integers(min_value=-(2**40), max_value=2**40)
bodies = st.one_of(st.binary(max_size=300), st.text(max_size=100))
tolerances = st.integers(min_value=0, max_value=10**6)

EXAMPLES = settings(max_examples=fuzz_examples(100), deadline=None)


def secret_of(key: bytes) -> str:
    return "whsec_" + base64.b64encode(key).decode("ascii")


def raw(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


@EXAMPLES
@given(
    key=keys, msg_id=msg_ids, ts=timestamps, body=bodies, others=st.lists(st.binary(), max_size=3)
)
def test_what_is_signed_verifies(
    key: bytes, msg_id: str, ts: int, body: bytes | str, others: list[bytes]
) -> None:
    signature = sign(secret_of(key), msg_id, ts, body)
    assert verify(secret_of(key), msg_id, ts, body, signature, now=ts)
    assert verify(secret_of(key), msg_id, str(ts), raw(body), signature, tolerance=None)
    # Several signatures in one header (key rotation): one valid entry is enough.
    noise = ["v1," + base64.b64encode(other).decode() for other in others]
    assert verify(secret_of(key), msg_id, ts, body, " ".join([*noise, signature]), now=ts)


@st.composite
def one_change(
    draw: st.DrawFn,
) -> tuple[tuple[bytes, str, int, bytes], tuple[bytes, str, int, bytes]]:
    """A message (key, id, timestamp, body) and the same message with exactly one part changed."""
    message = (draw(keys), draw(msg_ids), draw(timestamps), raw(draw(bodies)))
    part = draw(st.integers(min_value=0, max_value=3))
    changed = list(message)
    changed[part] = draw([keys, msg_ids, timestamps, st.binary(max_size=300)][part])
    assume(changed[part] != message[part])
    return message, (changed[0], changed[1], changed[2], changed[3])  # type: ignore[return-value]


@EXAMPLES
@given(pair=one_change())
def test_any_change_of_body_timestamp_id_or_secret_fails(
    pair: tuple[tuple[bytes, str, int, bytes], tuple[bytes, str, int, bytes]],
) -> None:
    (key, msg_id, ts, body), (key2, msg_id2, ts2, body2) = pair
    signature = sign(secret_of(key), msg_id, ts, body)
    assert not verify(secret_of(key2), msg_id2, ts2, body2, signature, tolerance=None)


@EXAMPLES
@given(key=keys, ts=timestamps, tolerance=tolerances, offset=st.integers(-(10**7), 10**7))
def test_the_timestamp_must_be_within_the_tolerance_both_ways(
    key: bytes, ts: int, tolerance: int, offset: int
) -> None:
    signature = sign(secret_of(key), "msg", ts, b"{}")
    accepted = verify(
        secret_of(key), "msg", ts, b"{}", signature, tolerance=tolerance, now=ts + offset
    )
    assert accepted == (abs(offset) <= tolerance)


def test_the_tolerance_edges_are_inclusive() -> None:
    secret = secret_of(b"k" * 32)
    signature = sign(secret, "msg", 1000, b"x")
    edge = DEFAULT_TOLERANCE_SECONDS
    for now, accepted in ((1000 + edge, True), (1000 - edge, True), (1000 + edge + 0.5, False)):
        assert verify(secret, "msg", 1000, b"x", signature, now=now) is accepted


@EXAMPLES
@given(
    key=keys,
    body=bodies,
    entries=st.lists(st.one_of(st.just("valid"), st.text(max_size=60)), max_size=4),
)
def test_every_signature_is_compared_in_constant_time(
    key: bytes, body: bytes | str, entries: list[str]
) -> None:
    """Each ``v1`` entry goes through ``hmac.compare_digest``, whose answer is the verdict."""
    valid = sign(secret_of(key), "msg", 7, body)
    header = " ".join(valid if entry == "valid" else entry for entry in entries)
    compared: list[bool] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        result = real(a, b)
        compared.append(result)
        return result

    with mock.patch.object(signing.hmac, "compare_digest", spy):
        accepted = verify(secret_of(key), "msg", 7, body, header, tolerance=None)
    v1_entries = [e for e in header.split() if e.partition(",")[0] == "v1"]
    assert accepted == any(compared)
    assert accepted == (valid in header.split())
    # Stops at the first match; every entry before it was compared with compare_digest.
    assert len(compared) == (compared.index(True) + 1 if accepted else len(v1_entries))
