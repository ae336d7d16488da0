"""Host names and IP literals read the way a browser or libc reads them (pure, no I/O).

The SSRF vetting (``ssrf.py``) must see the address a browser would connect to, so every
legacy IPv4 spelling (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``) becomes the
dotted quad, percent-escapes in a host are decoded, international names are mapped (UTS 46)
and encoded (IDNA 2008), and anything that would be read as an address but is not a valid one
is refused.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import unquote_to_bytes

from .errors import BadUrl
from .verdict import Reason

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_HOST_LENGTH = 253
MAX_LABEL_LENGTH = 63

_ASCII_LABEL = re.compile(r"^[a-z0-9_\-]+$")
_DECIMAL = re.compile(r"^[0-9]+$")
_OCTAL = re.compile(r"^[0-7]+$")
_HEX = re.compile(r"^[0-9a-fA-F]*$")
# A last label that makes the whole host an IPv4 address for browsers and libc.
DIGITS_OR_HEX_LABEL = re.compile(r"^(?:[0-9]+|0[xX][0-9a-fA-F]*)$")


@lru_cache(maxsize=1024)
def dotted_quad_address(host: str) -> ipaddress.IPv4Address:
    """A canonical dotted quad's address; cached, as a batch names the same hosts again."""
    return ipaddress.IPv4Address(bytes(int(part) for part in host.split(".")))  # packed: fast


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a host string denotes, in any spelling libc or a browser accepts; else None.

    IPv6 may be bracketed. IPv4 follows inet_aton / WHATWG: 1 to 4 dot-separated parts, each
    decimal, octal (leading ``0``) or hex (``0x``); the last part fills the remaining bytes
    (``127.1`` is 127.0.0.1, ``2130706433`` too). One trailing dot is allowed.
    """
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        if "%" in host:
            return None  # zone ids ("fe80::1%eth0") are not addresses of the public internet
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    return _parse_ipv4(host)


def normalize_host(text: str) -> tuple[str, IPAddress | None]:
    """Lower-case, IDNA-encode and canonicalise a host; return it with its address if literal."""
    if text.startswith("["):
        inner = text[1:-1]
        address = parse_ip_host(inner) if "%" not in inner else None
        if not isinstance(address, ipaddress.IPv6Address):
            raise BadUrl(
                Reason.BAD_URL,
                "The bracketed host is not a valid IPv6 address (zone ids like %eth0 are not "
                "supported).",
            )
        return str(address), address

    # Browsers percent-decode the host before reading it ("%31%32%37.0.0.1" is 127.0.0.1).
    try:
        host = unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        raise BadUrl(
            Reason.BAD_URL, "The host name has percent-escapes that are not UTF-8."
        ) from None
    if not host.isascii():
        import idna  # only international names need it (start-up cost otherwise)

        try:
            # UTS 46 mapping: fullwidth digits and ideographic dots become ASCII, case folds.
            host = idna.uts46_remap(host, std3_rules=False, transitional=False)
        except idna.IDNAError:
            raise BadUrl(
                Reason.BAD_URL, "The host name contains characters not allowed in domain names."
            ) from None
    host = host.lower()
    if host.endswith(".") and len(host) > 1:
        host = host[:-1]  # "example.com." is the same site; one spelling for vetting and storage
    if not host:
        raise BadUrl(
            Reason.BAD_URL, "The URL has no host name; write it like https://example.com/."
        )

    address = _parse_ipv4(host)
    if address is not None:
        return str(address), address
    labels = host.split(".")
    if DIGITS_OR_HEX_LABEL.match(labels[-1]):
        # A host ending in a number is an IPv4 address for browsers and libc, never a name.
        raise BadUrl(
            Reason.BAD_URL,
            f"The host {shown_host(host)} looks like an IPv4 address but is not a valid one.",
        )
    encoded = [_encode_label(label, host) for label in labels]
    result = ".".join(encoded)
    if len(result) > MAX_HOST_LENGTH:
        raise BadUrl(Reason.BAD_URL, f"The host name is longer than {MAX_HOST_LENGTH} characters.")
    return result, None


def _encode_label(label: str, host: str) -> str:
    if not label:
        raise BadUrl(Reason.BAD_URL, f"The host {shown_host(host)} has an empty part (two dots).")
    if label.isascii():
        if not _ASCII_LABEL.match(label):
            raise BadUrl(
                Reason.BAD_URL,
                f"The host {shown_host(host)} contains characters not allowed in host names "
                "(letters, digits, '-' and '.' only).",
            )
        encoded = label
    else:
        import idna

        try:
            encoded = idna.encode(label).decode("ascii")
        except idna.IDNAError:
            raise BadUrl(
                Reason.BAD_URL,
                f"The host {shown_host(host)} is not a valid internationalised domain name.",
            ) from None
    if len(encoded) > MAX_LABEL_LENGTH:
        raise BadUrl(
            Reason.BAD_URL,
            f"A part of the host {shown_host(host)} is longer than {MAX_LABEL_LENGTH} characters.",
        )
    return encoded


def shown_host(host: str) -> str:
    return repr(host if len(host) <= 80 else host[:80] + "...")


def _parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    if not part or len(part) > 40:  # bounded: anything this long is out of range anyway
        return None
    if part[:2] in ("0x", "0X"):
        digits = part[2:]
        return int(digits, 16) if digits and _HEX.match(digits) else (0 if not digits else None)
    if len(part) > 1 and part[0] == "0":
        return int(part[1:], 8) if _OCTAL.match(part[1:]) else None
    return int(part) if _DECIMAL.match(part) else None
