"""Bounded body prefixes: read and decode at most N bytes, whatever the server sends.

httpx's own decoders inflate a whole chunk at once, so a small gzip bomb could expand to
megabytes in memory; here both the bytes read and the bytes inflated are capped.

``Content-Encoding: deflate`` means a zlib stream (RFC 9110), but some servers send raw
DEFLATE without the zlib header; browsers and httpx read both, so this does too: when the
first bytes are not a zlib header, the stream is inflated as raw DEFLATE.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator


class PrefixDecoder:
    """Inflate gzip/deflate (or pass identity through) into at most ``limit`` bytes."""

    __slots__ = ("_inflater", "_limit", "_parts", "_size", "_sniff")

    def __init__(self, content_encoding: str, limit: int) -> None:
        encoding = content_encoding.strip().lower()
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self._inflater: zlib._Decompress | None = None
        self._sniff: bytes | None = None  # a deflate body's first bytes, until there are two
        if encoding in {"gzip", "x-gzip"}:
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
            self._sniff = b""

    @property
    def full(self) -> bool:
        return self._size >= self._limit

    def feed(self, chunk: bytes) -> None:
        room = self._limit - self._size
        if room <= 0:
            return
        if self._inflater is not None:
            if self._sniff is not None:
                chunk = self._sniff + chunk
                if len(chunk) < 2:  # the zlib header is two bytes: wait for the second
                    self._sniff = chunk
                    return
                self._sniff = None
                if not _is_zlib_header(chunk):
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                chunk = self._inflater.decompress(chunk, room)
            except zlib.error:  # a lying Content-Encoding: keep what was decoded so far
                self._size = self._limit
                return
        else:
            chunk = chunk[:room]
        self._parts.append(chunk)
        self._size += len(chunk)

    def value(self) -> bytes:
        return b"".join(self._parts)


def _is_zlib_header(data: bytes) -> bool:
    """Whether ``data`` starts with a zlib header (RFC 1950: deflate method, valid check bits)."""
    cmf, flg = data[0], data[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0


async def read_prefix(chunks: AsyncIterator[bytes], content_encoding: str, limit: int) -> bytes:
    """Read raw ``chunks`` until ``limit`` decoded bytes (or ``limit`` raw bytes) are seen.

    The caller closes the response afterwards; stopping early drops the connection, so the
    rest of a huge body is never downloaded.
    """
    decoder = PrefixDecoder(content_encoding, limit)
    raw = 0
    async for chunk in chunks:
        raw += len(chunk)
        decoder.feed(chunk)
        if decoder.full or raw >= limit:
            break
    return decoder.value()
