"""The pure HTTP/1.1 layer (``engine/http1.py``): heads out, heads and chunked bodies in."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkcheck.engine.http1 import (
    MAX_CHUNK_LINE,
    MAX_HEADER_LINES,
    ChunkedDecoder,
    Framing,
    Headers,
    ProtocolViolation,
    find_head_end,
    fixed_request_headers,
    parse_head,
    request_head,
)

# -- status line ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "minor", "status"),
    [
        (b"HTTP/1.1 200 OK", 1, 200),
        (b"HTTP/1.0 404 Not Found", 0, 404),
        (b"HTTP/1.1 200", 1, 200),  # no reason phrase
        (b"HTTP/1.1 200 ", 1, 200),  # an empty one
        (b"HTTP/1.1 503 \xe9t\xe9 \x01 indisponible", 1, 503),  # latin-1, control bytes
        (b"HTTP/1.1 299 Whatever\tthe server likes", 1, 299),
        (b"HTTP/1.1 200\tOK", 1, 200),
    ],
)
def test_status_lines_are_read(line: bytes, minor: int, status: int) -> None:
    head = parse_head(line + b"\r\nContent-Length: 0", "GET")
    assert (head.minor_version, head.status) == (minor, status)


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"SSH-2.0-OpenSSH_9.6",
        b"ICY 200 OK",
        b"HTTP/2 200",
        b"HTTP/1.2 200 OK",
        b"HTTP/1.1 20 OK",
        b"HTTP/1.1 2000 OK",
        b"HTTP/1.1 abc OK",
        b"HTTP/1.1 200OK",
        b"http/1.1 200 OK",
        b" HTTP/1.1 200 OK",
        b"<html><body>hello</body></html>",
    ],
)
def test_what_is_not_an_http_status_line_is_refused(line: bytes) -> None:
    with pytest.raises(ProtocolViolation, match="status line"):
        parse_head(line + b"\r\nContent-Length: 0", "GET")


def test_a_head_with_only_a_status_line() -> None:
    head = parse_head(b"HTTP/1.1 204 No Content", "GET")
    assert (head.status, dict(head.headers), head.framing) == (204, {}, Framing.NONE)


# -- headers --------------------------------------------------------------------------------


def test_header_names_are_lower_cased_and_looked_up_in_any_case() -> None:
    head = parse_head(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Powered-BY:  PHP \r\ncontent-length: 0",
        "GET",
    )
    headers = head.headers
    assert set(headers) == {"content-type", "x-powered-by", "content-length"}
    assert headers["CONTENT-TYPE"] == headers["content-type"] == "text/html"
    assert headers.get("X-Powered-By") == "PHP"  # surrounding blanks stripped
    assert "Content-Type" in headers and "CONTENT-LENGTH" in headers
    assert "Location" not in headers
    number: object = 42
    assert number not in headers
    assert headers.get("Location") is None
    assert headers.get("Location", "/") == "/"
    with pytest.raises(KeyError):
        headers["Location"]


def test_headers_behave_as_a_plain_dict_of_lower_case_names() -> None:
    headers = Headers({"set-cookie": "a=1"})
    assert headers.get("SET-COOKIE") == "a=1"
    assert list(headers.items()) == [("set-cookie", "a=1")]


def test_repeated_headers_are_comma_joined_in_order() -> None:
    head = parse_head(
        b"HTTP/1.1 200 OK\r\nVary: Accept\r\nSet-Cookie: a=1\r\nvary: Cookie\r\n"
        b"VARY: User-Agent\r\nContent-Length: 0",
        "GET",
    )
    assert head.headers["vary"] == "Accept, Cookie, User-Agent"
    assert head.headers["set-cookie"] == "a=1"


def test_an_empty_header_value_is_kept() -> None:
    head = parse_head(b"HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Blank:   \r\nContent-Length: 0", "GET")
    assert head.headers["x-empty"] == head.headers["x-blank"] == ""


def test_a_colon_in_a_value_stays_in_the_value() -> None:
    head = parse_head(b"HTTP/1.1 301 Moved\r\nLocation: http://a.test:8080/x?y=1:2", "GET")
    assert head.headers["location"] == "http://a.test:8080/x?y=1:2"


@pytest.mark.parametrize("fold", [b" ", b"\t", b"   \t "])
def test_obsolete_folded_lines_continue_the_previous_value(fold: bytes) -> None:
    head = parse_head(
        b"HTTP/1.1 200 OK\r\nX-Long: first part\r\n"
        + fold
        + b"second: part\r\n"
        + fold
        + b"third\r\nContent-Length: 0",
        "GET",
    )
    assert head.headers["x-long"] == "first part second: part third"
    assert head.headers["content-length"] == "0"
    assert head.framing is Framing.LENGTH


def test_a_folded_line_first_is_refused() -> None:
    with pytest.raises(ProtocolViolation, match="folded"):
        parse_head(b"HTTP/1.1 200 OK\r\n continued\r\nContent-Length: 0", "GET")


@pytest.mark.parametrize(
    "line",
    [
        b"no colon here",
        b": no name",
        b"Content-Length : 0",  # blank before the colon (RFC 9112 5.1: reject)
        b"Content-Length\t: 0",
    ],
)
def test_malformed_header_lines_are_refused(line: bytes) -> None:
    with pytest.raises(ProtocolViolation, match="malformed header line"):
        parse_head(b"HTTP/1.1 200 OK\r\nX-Ok: 1\r\n" + line, "GET")


def test_too_many_header_lines_are_refused() -> None:
    lines = b"".join(b"\r\nX-%d: v" % n for n in range(MAX_HEADER_LINES + 1))
    with pytest.raises(ProtocolViolation, match="header lines"):
        parse_head(b"HTTP/1.1 200 OK" + lines, "GET")
    just_enough = b"".join(b"\r\nX-%d: v" % n for n in range(MAX_HEADER_LINES))
    assert len(parse_head(b"HTTP/1.1 200 OK" + just_enough, "GET").headers) == MAX_HEADER_LINES


def test_bare_lf_heads_are_read_like_crlf_ones() -> None:
    crlf = parse_head(b"HTTP/1.1 200 OK\r\nContent-Type: a/b\r\nContent-Length: 3", "GET")
    bare = parse_head(b"HTTP/1.1 200 OK\nContent-Type: a/b\nContent-Length: 3", "GET")
    mixed = parse_head(b"HTTP/1.1 200 OK\nContent-Type: a/b\r\nContent-Length: 3", "GET")
    assert crlf == bare == mixed
    assert dict(bare.headers) == {"content-type": "a/b", "content-length": "3"}


# -- where the head ends --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("buffer", "expected"),
    [
        (b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody", (21, 25)),
        (b"HTTP/1.1 200 OK\nA: b\n\nbody", (20, 22)),
        (b"HTTP/1.1 200 OK\r\nA: b\n\nbody", (21, 23)),
        (b"HTTP/1.1 200 OK\r\nA: b\r\n\nbody", (21, 24)),
        # A bare-LF blank line before a later CRLF one: the earliest blank line wins.
        (b"HTTP/1.1 200 OK\nA: b\n\nbody\r\n\r\n", (20, 22)),
        (b"HTTP/1.1 200 OK\r\nA: b\n\r\nxx\r\n\r\n", (21, 24)),
        (b"HTTP/1.1 200 OK\r\nA: b\r\n\nxx\r\n\r\n", (21, 24)),
    ],
)
def test_find_head_end(buffer: bytes, expected: tuple[int, int]) -> None:
    assert find_head_end(buffer) == expected
    assert find_head_end(bytearray(buffer)) == expected


def test_find_head_end_lf_then_crlf_blank_line_before_a_body_starting_with_crlf() -> None:
    # Head lines end in bare LF, the blank line is CRLF, the body starts with CRLF.
    buffer = b"HTTP/1.1 200 OK\nA: b\n\r\n\r\nok"
    assert find_head_end(buffer) == (20, 23)  # head "...A: b", body "\r\nok"


def test_find_head_end_waits_for_the_blank_line() -> None:
    assert find_head_end(b"") is None
    assert find_head_end(b"HTTP/1.1 200 OK\r\nA: b\r\n") is None
    assert find_head_end(b"HTTP/1.1 200 OK\r\nA: b\r\n\r") is None
    assert find_head_end(b"HTTP/1.1 200 OK\nA: b\r") is None


def test_find_head_end_from_an_offset() -> None:
    buffer = b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"
    assert find_head_end(buffer, 10) == (21, 25)
    assert find_head_end(buffer, len(buffer) - 4) == (21, 25)
    assert find_head_end(buffer[:-1], len(buffer) - 4) is None


_LINE_END = st.sampled_from([b"\r\n", b"\n"])
_FIELD = st.tuples(
    st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,15}\Z").map(str.encode),
    st.from_regex(r"\A[ -~]{0,30}\Z").map(lambda text: text.strip().encode()),
)


@pytest.mark.slow
@given(
    fields=st.lists(st.tuples(_FIELD, _LINE_END), max_size=8),
    first_end=_LINE_END,
    blank=_LINE_END,
    body=st.binary(max_size=40),
    split=st.integers(min_value=0, max_value=400),
)
def test_find_head_end_finds_the_first_blank_line_however_the_bytes_arrive(
    fields: list[tuple[tuple[bytes, bytes], bytes]],
    first_end: bytes,
    blank: bytes,
    body: bytes,
    split: int,
) -> None:
    head = b"HTTP/1.1 200 OK"
    ends = [first_end]
    for (name, value), end in fields:
        head += ends[-1] + name + b": " + value
        ends.append(end)
    buffer = head + ends[-1] + blank + body
    expected = (len(head), len(head) + len(ends[-1]) + len(blank))
    assert find_head_end(buffer) == expected
    # As Connection.read_head scans: nothing found in a prefix, then rescan 3 bytes back.
    cut = min(split, expected[1] - 1)
    assert find_head_end(buffer[:cut]) is None
    assert find_head_end(buffer, max(0, cut - 3)) == expected


# -- framing and keep-alive -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "status"),
    [("HEAD", 200), ("HEAD", 404), ("GET", 100), ("GET", 103), ("GET", 204), ("GET", 304)],
)
def test_answers_without_a_body(method: str, status: int) -> None:
    head = parse_head(
        b"HTTP/1.1 %d X\r\nContent-Length: 1234\r\nTransfer-Encoding: chunked" % status, method
    )
    assert (head.framing, head.length) == (Framing.NONE, 0)


def test_a_head_answer_ignores_even_conflicting_lengths() -> None:
    head = parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6", "HEAD")
    assert head.framing is Framing.NONE


@pytest.mark.parametrize(
    ("fields", "reusable"),
    [
        (b"Content-Length: 5", False),  # a body may still come, late
        (b"Transfer-Encoding: chunked", False),
        (b"Content-Length: 0", True),
        (b"Server: x", True),
    ],
)
def test_a_head_answer_declaring_a_body_ends_the_connection(fields: bytes, reusable: bool) -> None:
    head = parse_head(b"HTTP/1.1 200 OK\r\n" + fields, "HEAD")
    assert head.keep_alive is reusable


def test_chunked_framing() -> None:
    head = parse_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked", "GET")
    assert (head.framing, head.length, head.keep_alive) == (Framing.CHUNKED, 0, True)
    coded = parse_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked", "GET")
    assert coded.framing is Framing.CHUNKED


def test_chunked_with_content_length_is_chunked_and_closes_after() -> None:
    head = parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked", "GET")
    assert (head.framing, head.keep_alive) == (Framing.CHUNKED, False)


@pytest.mark.parametrize("coding", [b"gzip", b"chunked, gzip", b"identity"])
def test_other_transfer_codings_read_until_close(coding: bytes) -> None:
    head = parse_head(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: " + coding + b"\r\nContent-Length: 5", "GET"
    )
    assert (head.framing, head.keep_alive) == (Framing.UNTIL_CLOSE, False)


@pytest.mark.parametrize(
    ("lines", "length"),
    [
        (b"Content-Length: 0", 0),
        (b"Content-Length: 1234", 1234),
        (b"Content-Length:  042 ", 42),
        (b"Content-Length: 5\r\nContent-Length: 5", 5),
        (b"Content-Length: 5, 5", 5),
        (b"Content-Length: 5 ,5 , 5", 5),
    ],
)
def test_content_length_framing(lines: bytes, length: int) -> None:
    head = parse_head(b"HTTP/1.1 200 OK\r\n" + lines, "GET")
    assert (head.framing, head.length, head.keep_alive) == (Framing.LENGTH, length, True)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (b"Content-Length: 5\r\nContent-Length: 6", "conflicting"),
        (b"Content-Length: 5, 6", "conflicting"),
        (b"Content-Length: 5, ", "conflicting"),
        (b"Content-Length: abc", "invalid Content-Length"),
        (b"Content-Length: -1", "invalid Content-Length"),
        (b"Content-Length: +5", "invalid Content-Length"),
        (b"Content-Length: 0x10", "invalid Content-Length"),
        (b"Content-Length: 1e3", "invalid Content-Length"),
        (b"Content-Length:", "invalid Content-Length"),
        (b"Content-Length: 1234567890123456789", "invalid Content-Length"),
    ],
)
def test_bad_content_lengths_are_refused(lines: bytes, message: str) -> None:
    with pytest.raises(ProtocolViolation, match=message):
        parse_head(b"HTTP/1.1 200 OK\r\n" + lines, "GET")


@pytest.mark.parametrize("digit", [b"\xb2", b"\xb3", b"\xb9", b"1\xb2"])
def test_a_superscript_content_length_is_a_protocol_violation(digit: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: " + digit, "GET")


def test_no_length_reads_until_close() -> None:
    head = parse_head(b"HTTP/1.1 200 OK\r\nContent-Type: text/html", "GET")
    assert (head.framing, head.length, head.keep_alive) == (Framing.UNTIL_CLOSE, 0, False)
    old = parse_head(b"HTTP/1.0 200 OK\r\nConnection: keep-alive", "GET")
    assert (old.framing, old.keep_alive) == (Framing.UNTIL_CLOSE, False)


@pytest.mark.parametrize(
    ("version", "connection", "keep_alive"),
    [
        (b"1.1", None, True),
        (b"1.1", b"keep-alive", True),
        (b"1.1", b"close", False),
        (b"1.1", b"Close", False),
        (b"1.1", b"Upgrade, close", False),
        (b"1.0", None, False),
        (b"1.0", b"close", False),
        (b"1.0", b"keep-alive", True),
        (b"1.0", b"Keep-Alive", True),
    ],
)
def test_keep_alive(version: bytes, connection: bytes | None, keep_alive: bool) -> None:
    lines = b"HTTP/" + version + b" 200 OK\r\nContent-Length: 2"
    if connection is not None:
        lines += b"\r\nConnection: " + connection
    assert parse_head(lines, "GET").keep_alive is keep_alive


def test_keep_alive_of_answers_without_a_body() -> None:
    assert parse_head(b"HTTP/1.1 204 No Content", "GET").keep_alive
    assert parse_head(b"HTTP/1.1 200 OK", "HEAD").keep_alive
    assert not parse_head(b"HTTP/1.0 304 Not Modified", "GET").keep_alive


# -- chunked bodies -------------------------------------------------------------------------


def _decode(pieces: list[bytes]) -> tuple[bytes, ChunkedDecoder, bytearray]:
    """Feed ``pieces`` one after the other as a connection would; (body, decoder, left over)."""
    decoder = ChunkedDecoder()
    buffer = bytearray()
    out = []
    for piece in pieces:
        buffer += piece
        out.append(decoder.feed(buffer))
    return b"".join(out), decoder, buffer


WIRE = (
    b"5;name=value\r\nhello\r\n"
    b"1 ; x\r\n,\r\n"
    b"6\r\n world\r\n"
    b"0;last\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n"
)


def test_chunked_in_one_piece_and_byte_by_byte_give_the_same_body() -> None:
    whole, decoder, left = _decode([WIRE])
    assert (whole, decoder.done, left) == (b"hello, world", True, bytearray())
    bytewise, decoder, left = _decode([WIRE[i : i + 1] for i in range(len(WIRE))])
    assert (bytewise, decoder.done, left) == (b"hello, world", True, bytearray())


def test_chunked_leaves_what_follows_the_body_in_the_buffer() -> None:
    body, decoder, left = _decode([b"3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"])
    assert (body, decoder.done, bytes(left)) == (b"abc", True, b"HTTP/1.1 200 OK\r\n")
    assert decoder.feed(left) == b"" and left == b"HTTP/1.1 200 OK\r\n"  # done: takes nothing


def test_chunked_accepts_bare_lf_and_upper_case_hex() -> None:
    body, decoder, _ = _decode([b"A\nabcdefghij\n0\n\n"])
    assert (body, decoder.done) == (b"abcdefghij", True)
    body, decoder, _ = _decode([b"0000b\r\nabcdefghijk\r\n0\r\n\r\n"])
    assert (body, decoder.done) == (b"abcdefghijk", True)


def test_chunked_is_not_done_before_the_last_blank_line() -> None:
    for wire in (b"3\r\nabc\r\n", b"3\r\nabc\r\n0\r\n", b"3\r\nabc\r\n0\r\nX-T: 1\r\n"):
        body, decoder, _ = _decode([wire])
        assert (body, decoder.done) == (b"abc", False)


def test_chunked_waits_for_the_lf_after_a_chunk() -> None:
    body, decoder, left = _decode([b"3\r\nabc\r"])
    assert (body, decoder.done, left) == (b"abc", False, bytearray(b"\r"))
    left += b"\n0\r\n\r\n"
    assert decoder.feed(left) == b"" and decoder.done and not left


@pytest.mark.parametrize(
    "wire",
    [
        b"xyz\r\n",
        b"-5\r\nhello\r\n",
        b"\r\nhello\r\n",
        b"0x5\r\nhello\r\n",
        b"12345678901234567\r\n",  # more than 16 hex digits
        b"5 5\r\nhello\r\n",
    ],
)
def test_a_bad_chunk_size_is_refused(wire: bytes) -> None:
    with pytest.raises(ProtocolViolation, match="invalid chunk size"):
        _decode([wire])
    with pytest.raises(ProtocolViolation, match="invalid chunk size"):
        _decode([wire[i : i + 1] for i in range(len(wire))])


def test_a_chunk_longer_than_declared_is_refused() -> None:
    with pytest.raises(ProtocolViolation, match="longer than its declared size"):
        _decode([b"3\r\nabcdef\r\n0\r\n\r\n"])
    with pytest.raises(ProtocolViolation, match="longer than its declared size"):
        _decode([b"3\r\nabc", b"d\r\n"])


def test_an_endless_size_line_is_refused() -> None:
    decoder = ChunkedDecoder()
    buffer = bytearray()
    with pytest.raises(ProtocolViolation, match="too long"):
        for _ in range(MAX_CHUNK_LINE):  # bounded: 16 bytes a turn, refused well before
            buffer += b"5;ext=aaaaaaaaaa"
            decoder.feed(buffer)


def test_an_endless_trailer_is_refused() -> None:
    decoder = ChunkedDecoder()
    buffer = bytearray(b"0\r\n")
    with pytest.raises(ProtocolViolation, match="trailer is too long"):
        for n in range(100_000):  # bounded: 1 KiB a turn, refused after 64 KiB
            buffer += b"X-T%d: " % n + b"v" * 1000 + b"\r\n"
            decoder.feed(buffer)


def test_an_over_long_size_line_is_refused_however_it_arrives() -> None:
    wire = b"5;" + b"x" * (2 * MAX_CHUNK_LINE) + b"\r\nhello\r\n0\r\n\r\n"
    with pytest.raises(ProtocolViolation, match="too long"):
        _decode([wire[i : i + 1000] for i in range(0, len(wire), 1000)])
    with pytest.raises(ProtocolViolation, match="too long"):
        _decode([wire])


def _encode(body: bytes, sizes: list[int], extension: bytes, trailers: list[bytes]) -> bytes:
    """``body`` in chunks of the given sizes (cycled), then the last chunk and trailers."""
    out = []
    at = 0
    index = 0
    while at < len(body):
        size = sizes[index % len(sizes)]
        index += 1
        chunk = body[at : at + size]
        at += len(chunk)
        out.append(b"%x%s\r\n%s\r\n" % (len(chunk), extension, chunk))
    out.append(b"0" + extension + b"\r\n")
    out.extend(line + b"\r\n" for line in trailers)
    out.append(b"\r\n")
    return b"".join(out)


@given(
    body=st.binary(max_size=2000),
    sizes=st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=6),
    extension=st.sampled_from([b"", b";a=b", b' ; name="quoted;value"']),
    trailers=st.lists(st.from_regex(rb"\AX-[a-z]{1,8}: [ -~]{0,20}\Z"), max_size=3),
    cuts=st.lists(st.integers(min_value=0, max_value=3000), max_size=20),
    after=st.binary(max_size=20),
)
def test_chunked_round_trip_over_any_chunking_and_arrival(
    body: bytes,
    sizes: list[int],
    extension: bytes,
    trailers: list[bytes],
    cuts: list[int],
    after: bytes,
) -> None:
    wire = _encode(body, sizes, extension, trailers)
    stream = wire + after  # e.g. the next response on a kept-alive connection
    points = sorted({min(cut, len(stream)) for cut in cuts} | {0, len(stream)})
    pieces = [stream[a:b] for a, b in itertools.pairwise(points)]
    decoded, decoder, left = _decode(pieces)
    assert decoded == body
    assert decoder.done
    assert bytes(left) == after


# -- the request out ------------------------------------------------------------------------


def test_request_head() -> None:
    fixed = fixed_request_headers({"User-Agent": "linkcheck/1", "Accept": "*/*"})
    assert fixed == b"User-Agent: linkcheck/1\r\nAccept: */*\r\n"
    assert request_head("HEAD", "/a?b=c", "example.test:8080", fixed) == (
        b"HEAD /a?b=c HTTP/1.1\r\nHost: example.test:8080\r\n"
        b"User-Agent: linkcheck/1\r\nAccept: */*\r\n\r\n"
    )
    assert request_head("GET", "/", "[::1]", b"") == b"GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n"


@pytest.mark.parametrize(
    ("target", "host"),
    [
        ("/a\r\nX-Injected: 1", "example.test"),
        ("/a\nb", "example.test"),
        ("/a\rb", "example.test"),
        ("/a b", "example.test"),
        ("/a\tb", "example.test"),
        ("/caf\u00e9", "example.test"),
        ("/", "example.test\r\nX-Injected: 1"),
        ("/", "example.test\n"),
        ("/", "exa mple.test"),
        ("/", "ex\u00e4mple.test"),
    ],
)
def test_request_head_refuses_what_could_inject(target: str, host: str) -> None:
    with pytest.raises(ValueError, match="not a valid request target or host"):
        request_head("GET", target, host, b"")


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u2028b", "a\x00b"])
def test_fixed_request_headers_refuse_a_value_on_several_lines(value: str) -> None:
    with pytest.raises(ValueError, match="one printable line"):
        fixed_request_headers({"User-Agent": value})


@pytest.mark.parametrize("name", ["X:Y", "X Y", "X\r\nY", "Caf\u00e9"])
def test_fixed_request_headers_refuse_a_bad_name(name: str) -> None:
    with pytest.raises(ValueError, match="header name"):
        fixed_request_headers({name: "v"})


def test_fixed_request_headers_encode_latin1_values() -> None:
    assert fixed_request_headers({"X-Name": "Ren\u00e9"}) == b"X-Name: Ren\xe9\r\n"
