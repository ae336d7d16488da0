"""HTTP/1.1 as pure functions: the request head out, the response head and chunked bodies in.

No I/O here: ``connection.py`` feeds the bytes a connection received. Lenient where real servers are
sloppy and it is harmless (bare LF line ends, folded header lines, odd reason phrases); strict
where sloppiness is dangerous (conflicting lengths, a broken chunk size, an endless head), since
a wrong guess about where a response ends would mix two responses on a kept-alive connection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import overload

from .errors import ProtocolViolation

__all__ = ["ProtocolViolation"]  # raised here; the engine's failures live in errors.py

MAX_HEAD_BYTES = 64 * 1024  # status line plus headers (nginx's default limit is 8-32 KiB)
MAX_HEADER_LINES = 256
MAX_CHUNK_LINE = 4096  # a chunk-size line, extensions included

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS_LINE = re.compile(r"HTTP/1\.([01]) ([0-9]{3})(?:[ \t].*)?")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_NO_BODY_STATUSES = frozenset({204, 304})


class Framing(Enum):
    """How the end of a response body is known (RFC 9112 section 6.3)."""

    NONE = "none"  # HEAD answers, 1xx, 204, 304
    LENGTH = "length"  # Content-Length
    CHUNKED = "chunked"  # Transfer-Encoding: chunked
    UNTIL_CLOSE = "until_close"  # neither: the body ends when the server closes


class Headers(dict[str, str]):
    """Response headers by lower-case name; lookups accept any case. Repeats are comma-joined
    (``Set-Cookie`` repeats newline-joined: their dates contain commas).

    A dict (keys stored lower-case) rather than a Mapping wrapper: ``get`` is on every
    check's path.
    """

    __slots__ = ()

    def __getitem__(self, name: str) -> str:
        return dict.__getitem__(self, name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and dict.__contains__(self, name.lower())

    @overload  # type: ignore[override]
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str) -> str: ...
    def get(self, name: str, default: str | None = None) -> str | None:
        return dict.get(self, name.lower(), default)


@dataclass(slots=True)
class ResponseHead:
    minor_version: int  # HTTP/1.0 or HTTP/1.1
    status: int
    headers: Headers
    framing: Framing
    length: int  # the Content-Length when framing is LENGTH, else 0
    keep_alive: bool  # the connection may carry another request once the body is read


def request_head(method: str, target: str, host: str, fixed_headers: bytes) -> bytes:
    """``METHOD target HTTP/1.1`` with Host, then ``fixed_headers`` (each line CRLF-ended).

    ``target`` and ``host`` come from a normalised URL (``urls.normalize_url``): printable
    ASCII without spaces. Checked again here because a stray CR or LF would let a URL inject
    headers or a second request.
    """
    for part in (target, host):
        if not part.isascii() or not part.isprintable() or " " in part:
            raise ValueError(f"not a valid request target or host: {part!r}")
    start = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n".encode("ascii")
    return start + fixed_headers + b"\r\n"


def check_header_value(name: str, value: str) -> None:
    """Raise ``ValueError`` unless ``value`` is one printable line, safe to send as a header.

    CR and LF would end the header (and let the value inject others); U+2028, NEL (U+0085)
    and other control or separator characters are refused too, as line breaks to some peers.
    """
    if not value.isprintable():
        raise ValueError(f"the {name} header must be one printable line")


def fixed_request_headers(headers: Mapping[str, str]) -> bytes:
    """The header lines sent with every request, encoded once; a value must be one line."""
    lines = []
    for name, value in headers.items():
        if not name.isascii() or not name.isprintable() or ":" in name or " " in name:
            raise ValueError(f"invalid request header name: {name!r}")
        check_header_value(name, value)
        lines.append(f"{name}: {value}\r\n".encode("latin-1", errors="replace"))
    return b"".join(lines)


def find_head_end(buffer: bytes | bytearray, start: int = 0) -> tuple[int, int] | None:
    """(end of the head, start of the body) once the blank line after the headers is in."""
    end = buffer.find(b"\r\n\r\n", start)
    # The usual CRLF ending, unless a bare-LF blank line comes first (then the regex decides);
    # a "\n\r\n" ending at end + 2 overlaps the "\r\n\r\n" from the left and ends the head first.
    if (
        end >= 0
        and buffer.find(b"\n\n", start, end) < 0
        and buffer.find(b"\n\r\n", start, end + 2) < 0
    ):
        return end, end + 4
    found = _HEAD_END.search(buffer, start)
    return None if found is None else (found.start(), found.end())


def parse_head(data: bytes, method: str) -> ResponseHead:
    """The response head (without the final blank line) of an answer to ``method``."""
    text = data.decode("latin-1")
    status_line, _, fields = text.partition("\n")
    status_line = status_line.rstrip("\r")
    matched = _STATUS_LINE.fullmatch(status_line)
    if matched is None:
        raise ProtocolViolation(f"not an HTTP/1.x status line: {status_line[:40]!r}")
    minor, status = int(matched[1]), int(matched[2])
    values = _fields(fields)
    framing, length = _framing(method, status, values)
    if framing is Framing.LENGTH and "," in values["content-length"]:
        values["content-length"] = str(length)  # "3, 3" (repeated, equal) is one length
    headers = Headers(values)
    connection = values.get("connection", "").lower()
    keep_alive = ("close" not in connection) if minor == 1 else ("keep-alive" in connection)
    both_lengths = framing is Framing.CHUNKED and "content-length" in values
    if framing is Framing.UNTIL_CLOSE or both_lengths:
        keep_alive = False  # RFC 9112 6.1: with both length headers, close after this response
    elif method == "HEAD" and _declares_body(values):
        # A server that wrongly sends the body anyway may send it late, after our next request
        # went out on this connection, and it would be read as that request's answer.
        keep_alive = False
    return ResponseHead(minor, status, headers, framing, length, keep_alive)


def _declares_body(values: dict[str, str]) -> bool:
    length = values.get("content-length", "").strip()
    return (bool(length) and length != "0") or "transfer-encoding" in values


def _fields(text: str) -> dict[str, str]:
    """Header fields by lower-case name; repeats comma-joined. Plain lines take a quick path."""
    if not text:
        return {}
    lines = text.split("\n")
    if len(lines) > MAX_HEADER_LINES:
        raise ProtocolViolation(f"more than {MAX_HEADER_LINES} header lines")
    values: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name[0] in " \t" or name[-1] in " \t":
            return _fields_slowly(lines)  # folded or malformed: the careful rules decide
        name = name.lower()
        value = value.strip()
        values[name] = f"{values[name]}{repeat_separator(name)}{value}" if name in values else value
    return values


def repeat_separator(name: str) -> str:
    """What joins repeats of the header ``name`` (lower-case) into one value."""
    # Set-Cookie values carry commas in their dates, so repeats cannot be comma-joined
    # (RFC 9110 5.3); a newline never occurs inside a parsed value.
    return "\n" if name == "set-cookie" else ", "


def _fields_slowly(lines: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    last = ""
    for raw in lines:
        line = raw.rstrip("\r")
        if line[:1] in (" ", "\t"):  # obsolete line folding: continues the previous value
            if not last:
                raise ProtocolViolation("a folded header line comes first")
            values[last] = f"{values[last]} {line.strip()}".strip()  # an empty start adds none
            continue
        name, colon, value = line.partition(":")
        name = name.lower()
        if not colon or not name or name != name.strip():
            raise ProtocolViolation(f"malformed header line: {line[:40]!r}")
        value = value.strip()
        values[name] = f"{values[name]}{repeat_separator(name)}{value}" if name in values else value
        last = name
    return values


def _framing(method: str, status: int, values: dict[str, str]) -> tuple[Framing, int]:
    if method == "HEAD" or status < 200 or status in _NO_BODY_STATUSES:
        return Framing.NONE, 0
    coding = values.get("transfer-encoding")
    if coding is not None:
        final = coding.rsplit(",", 1)[-1].strip().lower()
        return (Framing.CHUNKED if final == "chunked" else Framing.UNTIL_CLOSE), 0
    declared = values.get("content-length")
    if declared is None:
        return Framing.UNTIL_CLOSE, 0
    lengths = {part.strip() for part in declared.split(",")}
    if len(lengths) != 1:
        raise ProtocolViolation(f"conflicting Content-Length values: {declared[:40]!r}")
    text = lengths.pop()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:  # not "²": int() refuses it
        raise ProtocolViolation(f"invalid Content-Length: {text[:40]!r}")
    return Framing.LENGTH, int(text)


class ChunkedDecoder:
    """Decodes ``Transfer-Encoding: chunked`` incrementally; trailers are read and dropped."""

    __slots__ = ("_left", "_state", "_trailer_bytes")

    _SIZE, _DATA, _DATA_END, _TRAILER, _DONE = range(5)

    def __init__(self) -> None:
        self._state = self._SIZE
        self._left = 0
        self._trailer_bytes = 0

    @property
    def done(self) -> bool:
        return self._state == self._DONE

    def feed(self, buffer: bytearray) -> bytes:
        """Consume what it can from ``buffer`` (in place); return the body bytes decoded."""
        out: list[bytes] = []
        while buffer and self._state != self._DONE:
            if self._state == self._DATA:
                taken = buffer[: self._left]
                del buffer[: len(taken)]
                out.append(bytes(taken))
                self._left -= len(taken)
                if not self._left:
                    self._state = self._DATA_END
            elif self._state == self._DATA_END:
                if buffer[:2] == b"\r\n":
                    del buffer[:2]
                elif buffer[:1] == b"\n":
                    del buffer[:1]
                elif buffer == b"\r":
                    break  # the LF is still on its way
                else:
                    raise ProtocolViolation("a chunk is longer than its declared size")
                self._state = self._SIZE
            elif not self._line(buffer):
                break
        return b"".join(out)

    def _line(self, buffer: bytearray) -> bool:
        """Handle one size or trailer line; False when the line is not complete yet."""
        end = buffer.find(b"\n", 0, MAX_CHUNK_LINE + 1)
        if end < 0:  # the same verdict however the bytes were split
            if len(buffer) > MAX_CHUNK_LINE:
                raise ProtocolViolation("a chunk-size or trailer line is too long")
            return False
        line = bytes(buffer[:end]).rstrip(b"\r")
        del buffer[: end + 1]
        if self._state == self._TRAILER:
            self._trailer_bytes += len(line)
            if self._trailer_bytes > MAX_HEAD_BYTES:
                raise ProtocolViolation("the chunked trailer is too long")
            if not line:
                self._state = self._DONE
            return True
        size_text = line.split(b";", 1)[0].strip()
        if _CHUNK_SIZE.fullmatch(size_text) is None:
            raise ProtocolViolation(f"invalid chunk size: {size_text[:20]!r}")
        self._left = int(size_text, 16)
        self._state = self._DATA if self._left else self._TRAILER
        return True
