"""Bytes to text: the byte-order mark, then the declared charset, then UTF-8 with replacement.

Newlines are normalised to ``\n`` (as HTML and Markdown parsers do) so every parser counts
lines the same way.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The HTML prescan looks at the first 1024 bytes; a few more costs nothing and finds late metas.
_PRESCAN = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([-\w.:]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([-\w.:]{1,40})["']""")
# What browsers do (WHATWG Encoding): these labels mean windows-1252.
_WINDOWS_1252 = {"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "iso8859-1", "l1"}


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in _WINDOWS_1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A document that declares UTF-16 in ASCII bytes is not UTF-16 (the BOM decides that).
    return "utf-8" if name.startswith("utf-16") or name.startswith("utf-32") else name


def _bom(body: bytes) -> tuple[str, bytes] | None:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, body[len(bom) :]
    return None


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _decode(body: bytes, declared: str | None) -> str:
    found = _bom(body)
    if found:
        codec, body = found
    else:
        codec = (_codec(declared) if declared else None) or "utf-8"
    try:
        text = body.decode(codec, errors="replace")
    except (LookupError, ValueError):
        text = body.decode("utf-8", errors="replace")
    return normalise_newlines(text.lstrip("\ufeff"))


def decode_html(body: bytes | str) -> str:
    if isinstance(body, str):
        return normalise_newlines(body)
    found = _META_CHARSET.search(body, 0, _PRESCAN)
    return _decode(body, found.group(1).decode("ascii", "replace") if found else None)


def decode_xml(body: bytes | str) -> str:
    if isinstance(body, str):
        return normalise_newlines(body)
    found = _XML_ENCODING.match(body[:_PRESCAN])
    return _decode(body, found.group(1).decode("ascii", "replace") if found else None)


def decode_text(body: bytes | str) -> str:
    if isinstance(body, str):
        return normalise_newlines(body)
    return _decode(body, None)
