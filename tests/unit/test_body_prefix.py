"""Bounded body prefixes: every form of deflate, gzip and identity, and the caps."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkcheck.engine.body import PrefixDecoder

PAGE = b"<html><title>Page not found</title><body>" + b"x" * 5000 + b"</body></html>"


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def decode(encoding: str, body: bytes, limit: int = 100_000, chunk: int = 7) -> bytes:
    decoder = PrefixDecoder(encoding, limit)
    for start in range(0, len(body), chunk):
        decoder.feed(body[start : start + chunk])
    return decoder.value()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("deflate", zlib.compress(PAGE)),  # RFC 9110: a zlib stream
        ("deflate", raw_deflate(PAGE)),  # what some servers send: raw DEFLATE, no header
        ("Deflate ", raw_deflate(PAGE)),
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("identity", PAGE),
        ("", PAGE),
    ],
)
def test_every_form_decodes_to_the_page(encoding: str, body: bytes) -> None:
    assert decode(encoding, body) == PAGE
    assert decode(encoding, body, chunk=len(body)) == PAGE  # in one piece too


def test_the_decoded_prefix_is_capped() -> None:
    bomb = raw_deflate(b"\0" * 10_000_000)
    assert len(decode("deflate", bomb, limit=1000, chunk=4096)) == 1000


def test_a_lying_content_encoding_keeps_nothing_undecodable() -> None:
    assert decode("gzip", PAGE) == b""


@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=64))
def test_both_deflate_forms_round_trip(data: bytes, chunk: int) -> None:
    assert decode("deflate", zlib.compress(data), chunk=chunk) == data
    assert decode("deflate", raw_deflate(data), chunk=chunk) == data
