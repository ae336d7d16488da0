"""Properties of the HTTP/1.1 reader (``engine/http1.py``) on any bytes, however they arrive.

- ``parse_head``, ``find_head_end`` and ``ChunkedDecoder`` raise nothing but
  ``ProtocolViolation`` on any input (a server is a stranger), and what they return is sane.
- The caps hold: at most ``MAX_HEADER_LINES`` header lines, a Content-Length of at most 18
  digits, no chunk-size or trailer line longer than ``MAX_CHUNK_LINE`` kept waiting in the
  buffer, no chunk size over 16 hex digits, and the body decoded never holds more bytes than
  arrived. ``h11`` is the oracle for well-formed input (``tests/e2e/test_http1_differential.py``).
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.engine.errors import ProtocolViolation
from linkcheck.engine.http1 import (
    MAX_CHUNK_LINE,
    MAX_HEADER_LINES,
    ChunkedDecoder,
    Framing,
    ResponseHead,
    find_head_end,
    parse_head,
)
from tests.fuzzing import fuzz_examples

EXAMPLES = settings(max_examples=fuzz_examples(120), deadline=None)

# Pieces of real and broken responses, so random bytes look like HTTP often enough to go deep.
TOKENS = st.sampled_from(
    [
        b"HTTP/1.1 200 OK", b"HTTP/1.0 404", b"HTTP/1.1 204 ", b"HTTP/1.1 304 x", b"HTTP/1.1 101",
        b"HTTP/2 200", b"\r\n", b"\n", b"\r", b" ", b"\t", b":", b",", b";", b"Content-Length",
        b"content-length: ", b"Transfer-Encoding: chunked", b"transfer-encoding", b"gzip",
        b"Connection: close", b"keep-alive", b"Set-Cookie: a=1", b"0", b"12", b"-1",
        b"99999999999999999999", b"\xb2", b"\xff\xfe", b"\x00", b"Location: /x", b"ok",
    ]
)  # fmt: skip
HEADISH = st.lists(st.one_of(TOKENS, st.binary(max_size=8)), max_size=40).map(b"".join)
METHODS = st.sampled_from(["GET", "HEAD", "POST"])


def parsed(data: bytes, method: str) -> ResponseHead | None:
    try:
        return parse_head(data, method)
    except ProtocolViolation:
        return None


@EXAMPLES
@given(data=st.one_of(HEADISH, st.binary(max_size=300)), method=METHODS)
def test_any_head_parses_or_is_a_protocol_violation(data: bytes, method: str) -> None:
    head = parsed(data, method)
    if head is None:
        return
    assert head.minor_version in (0, 1)
    assert 0 <= head.status <= 999
    assert len(head.headers) <= MAX_HEADER_LINES
    assert all(name == name.lower() for name in head.headers)
    if head.framing is Framing.LENGTH:
        assert 0 <= head.length < 10**18
        assert head.headers["content-length"] == str(head.length)
    else:
        assert head.length == 0
    if method == "HEAD" or head.status in (204, 304) or head.status < 200:
        assert head.framing is Framing.NONE
    if head.framing is Framing.UNTIL_CLOSE:
        assert not head.keep_alive  # the body ends with the connection


@EXAMPLES
@given(lines=st.integers(min_value=MAX_HEADER_LINES - 2, max_value=MAX_HEADER_LINES + 3))
def test_the_header_line_cap_holds_exactly(lines: int) -> None:
    data = b"HTTP/1.1 200 OK" + b"\r\nX-A: 1" * lines
    head = parsed(data, "GET")
    assert (head is not None) == (lines <= MAX_HEADER_LINES)


@EXAMPLES
@given(data=st.one_of(HEADISH, st.binary(max_size=200)), start=st.integers(0, 250))
def test_the_head_end_is_a_blank_line_inside_the_buffer(data: bytes, start: int) -> None:
    found = find_head_end(data, start)
    if found is None:
        assert b"\n\n" not in data[start:] and b"\n\r\n" not in data[start:]
        return
    end, body = found
    assert start <= end < body <= len(data)
    assert data[end:body] in (b"\r\n\r\n", b"\n\n", b"\r\n\n", b"\n\r\n")


CHUNKISH = st.lists(
    st.one_of(
        st.sampled_from(
            [b"0", b"1", b"a", b"F", b"10", b"ffffffffffffffff", b"1ffffffffffffffff", b";x=y",
             b"\r\n", b"\n", b"\r", b" ", b"g", b"-", b"0x1", b"X-T: 1", b"\r\n\r\n"]
        ),
        st.binary(max_size=12),
    ),
    max_size=40,
).map(b"".join)  # fmt: skip


def decode(wire: bytes, cuts: list[int]) -> tuple[bytes, ChunkedDecoder, bytearray]:
    """Feed ``wire`` in pieces cut at ``cuts`` into one buffer, as the connection does."""
    decoder = ChunkedDecoder()
    buffer = bytearray()
    body = bytearray()
    edges = sorted({0, len(wire), *(cut % (len(wire) + 1) for cut in cuts)})
    for begin, end in itertools.pairwise(edges):
        buffer += wire[begin:end]
        body += decoder.feed(buffer)
        if not decoder.done:
            # Waiting for the rest of a size or trailer line: never more than the cap kept.
            assert len(buffer) <= MAX_CHUNK_LINE
    return bytes(body), decoder, buffer


@EXAMPLES
@given(wire=st.one_of(CHUNKISH, st.binary(max_size=300)), cuts=st.lists(st.integers(0, 400)))
def test_any_chunked_body_decodes_or_is_a_protocol_violation(wire: bytes, cuts: list[int]) -> None:
    try:
        body, decoder, rest = decode(wire, cuts)
    except ProtocolViolation:
        return
    assert len(body) + len(rest) <= len(wire)  # decoded bytes are bytes that arrived
    if decoder.done:
        assert wire.endswith(bytes(rest))  # what follows the body stays for the next response


@settings(max_examples=fuzz_examples(50), deadline=None)
@given(extra=st.integers(min_value=1, max_value=3 * MAX_CHUNK_LINE), piece=st.integers(1, 5000))
def test_an_endless_size_line_is_refused_before_it_grows_past_the_cap(
    extra: int, piece: int
) -> None:
    wire = b"1" + b";" * (MAX_CHUNK_LINE + extra)  # no line end ever comes
    try:
        decode(wire, list(range(0, len(wire), piece)))
    except ProtocolViolation:
        return
    raise AssertionError("a size line longer than the cap was kept waiting")


@EXAMPLES
@given(digits=st.integers(min_value=1, max_value=20), value=st.integers(min_value=0))
def test_chunk_sizes_have_at_most_16_hex_digits(digits: int, value: int) -> None:
    size = format(value, "x").rjust(digits, "0")
    decoder = ChunkedDecoder()
    buffer = bytearray(size.encode() + b"\r\n")
    try:
        decoder.feed(buffer)
    except ProtocolViolation:
        assert len(size) > 16
    else:
        assert len(size) <= 16
