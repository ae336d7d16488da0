"""URL normalisation: turn what a user pasted (or a server redirected to) into a checkable target.

Pure, no I/O. The rules follow what browsers do (the WHATWG URL standard) wherever a parser
differential could matter for safety: the host is read exactly the way a browser or libc would
read it, so the SSRF vetting in ``ssrf.py`` sees the real address. In particular every legacy
IPv4 spelling (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``, ``0x7f.1``) is
canonicalised to the dotted quad.

Hosts are read by ``hosts.py``. Choices (documented in docs/engine.md):

- A URL without a scheme that plainly names a host (``example.com/path``, ``localhost:8080``) is
  read as ``https://``; anything else without a scheme is a ``bad_url``.
- Credentials in the URL (``user:pass@host``) are refused, never stripped or echoed: checking
  a different resource silently, or storing a password, would both be worse.
- The fragment is dropped, the default port and one trailing dot of the host are dropped,
  ``.``/``..`` path segments are resolved, characters that may not appear raw are
  percent-encoded (UTF-8), existing escapes keep their meaning (hex digits upper-cased).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin

from .errors import BadUrl
from .hosts import (
    DIGITS_OR_HEX_LABEL,
    MAX_HOST_LENGTH,
    IPAddress,
    dotted_quad_address,
    normalize_host,
    parse_ip_host,
)
from .verdict import Reason

# Re-exported: the URL's parts are read here, callers import them from one place.
__all__ = [
    "DEFAULT_PORTS",
    "MAX_URL_LENGTH",
    "BadUrl",
    "IPAddress",
    "Target",
    "normalize_url",
    "parse_ip_host",
    "resolve_relative",
]

MAX_URL_LENGTH = 8 * 1024  # characters; longer URLs are refused (servers refuse them too)
DEFAULT_PORTS = {"http": 80, "https": 443}

# RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ":".
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_PORTISH = re.compile(r"^\d+(?:[/?#]|$)")
_DECIMAL = re.compile(r"^[0-9]+$")
_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")

# Leading/trailing C0 controls and spaces are dropped (WHATWG), plus Unicode spaces from pastes.
_TRIMMED = "".join(chr(c) for c in range(0x21)) + "\u00a0\u2028\u2029\ufeff"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
_PATH_SAFE = _UNRESERVED | _SUB_DELIMS | frozenset(":@/")
_QUERY_SAFE = _PATH_SAFE | frozenset("?")


@dataclass(frozen=True, slots=True)
class Target:
    """A normalised absolute http(s) URL, split for the fetcher."""

    url: str  # normalised URL (what results report)
    scheme: str  # "http" | "https"
    host: str  # lower-case, punycode, IPv6 without brackets, IPv4 as a dotted quad
    port: int  # explicit or default (80/443)
    ip: IPAddress | None  # set when the host is an IP literal (in any spelling)

    @property
    def netloc(self) -> str:
        """``host[:port]`` as it goes in the Host header (default port omitted, IPv6 bracketed)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` with the default port omitted."""
        return f"{self.scheme}://{self.netloc}"

    @property
    def path_and_query(self) -> str:
        """The request target: path plus ``?query`` if any (always starts with ``/``)."""
        return self.url[len(self.origin) :]


def normalize_url(raw: str) -> Target:
    """Normalise a user-supplied URL or raise ``BadUrl`` (``bad_url`` / ``unsupported_scheme``)."""
    plain = _plain_target(raw)
    return plain if plain is not None else _normalize_full(raw)


# The common case, already in normal form: lower-case http(s), a lower-case ASCII host name or
# canonical dotted quad, an optional port, then only characters that never need encoding (no
# '%', no backslash, no space). Anything else, or anything odd inside (dot segments, a host
# ending in a number), takes the full path. tests/unit/test_urls_fast.py proves both agree.
_PLAIN = re.compile(
    r"(https?)://"
    r"((?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63})"
    r"(?::([0-9]{1,5}))?"
    r"(/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?"
    r"(?:\?([A-Za-z0-9\-._~!$&'()*+,;=:@/?]*))?"
    r"(?:#[\x21-\x7e]*)?"
)
_DOTTED_QUAD = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def _plain_target(text: str) -> Target | None:
    """The Target of a URL already in normal form (see ``_PLAIN``), or None to take the full path.

    About a fifth of the cost of the full path; the result is exactly the full path's.
    """
    match = _PLAIN.fullmatch(text)
    if match is None or len(text) > MAX_URL_LENGTH:
        return None
    scheme, host, port_text, path, query = match.groups()
    if len(host) > MAX_HOST_LENGTH:
        return None
    ip: ipaddress.IPv4Address | None = None
    last_label = host.rpartition(".")[2]
    if DIGITS_OR_HEX_LABEL.match(last_label):
        if not _DOTTED_QUAD.fullmatch(host):
            return None  # other IPv4 spellings, or not an address at all: the full rules decide
        ip = dotted_quad_address(host)
    port = DEFAULT_PORTS[scheme]
    if port_text is not None:
        port = int(port_text)
        if not 0 < port <= 65535:
            return None
    path = path or "/"
    if "/." in path and any(segment in {".", ".."} for segment in path.split("/")):
        return None  # dot segments to resolve
    netloc = host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    url = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    return Target(url=url, scheme=scheme, host=host, port=port, ip=ip)


def _normalize_full(raw: str) -> Target:
    """Every rule of the module docstring: whatever a user may paste."""
    text = _trimmed(raw)
    match = _SCHEME.match(text)
    if match:
        scheme = match.group(1).lower()
        rest = text[match.end() :]
        if scheme in DEFAULT_PORTS:
            # Browsers read "http:example.com" and "http:///example.com" as "http://example.com".
            return _build(scheme, rest.lstrip("/\\"))
        if ("." in scheme or scheme == "localhost") and _PORTISH.match(rest):
            return _assume_https(text)  # "example.com:8080/x": a host and port, no scheme
        raise _unsupported(scheme)
    if text.startswith(("//", "\\\\")):
        return _build("https", text.lstrip("/\\"))
    if text.startswith(("/", "\\", ".", "?", "#")):
        raise BadUrl(
            Reason.BAD_URL,
            "This is a relative URL; give a full URL starting with http:// or https://.",
        )
    return _assume_https(text)


def resolve_relative(base: Target, location: str) -> Target:
    """Resolve a redirect ``Location`` against the URL that answered, as a browser would."""
    text = _trimmed(location, what="The redirect location", allow_empty=True)
    if not text:
        return base  # an empty Location means "this same URL" (loop detection handles it)
    head, sep, tail = _split_before_query(text)
    text = head.replace("\\", "/") + sep + tail
    match = _SCHEME.match(text)
    if match:
        scheme = match.group(1).lower()
        rest = text[match.end() :]
        if scheme not in DEFAULT_PORTS:
            raise _unsupported(scheme, what="redirect")
        if scheme == base.scheme and not rest.startswith("//"):
            text = rest  # "http:foo" from an http page is relative (WHATWG)
        else:
            return _build(scheme, rest.lstrip("/"))
    if text.startswith("//"):
        return _build(base.scheme, text.lstrip("/"))
    return normalize_url(urljoin(base.url, text))


# -- helpers ----------------------------------------------------------------------------------


def _trimmed(raw: str, *, what: str = "The URL", allow_empty: bool = False) -> str:
    text = raw.strip(_TRIMMED)
    if not text:
        if allow_empty:
            return text
        raise BadUrl(Reason.BAD_URL, f"{what} is empty; give a full URL starting with https://.")
    if len(text) > MAX_URL_LENGTH:
        raise BadUrl(
            Reason.BAD_URL,
            f"{what} is {len(text)} characters long; the limit is {MAX_URL_LENGTH}.",
        )
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            # Browsers silently drop tabs and newlines inside URLs; that hides tricks
            # ("java\nscript:"), so we refuse instead of guessing.
            raise BadUrl(
                Reason.BAD_URL,
                f"{what} contains a control character (such as a tab or line break, "
                f"U+{ord(ch):04X}); remove it.",
            )
    return text


def _unsupported(scheme: str, *, what: str = "URL") -> BadUrl:
    shown = scheme if len(scheme) <= 20 else scheme[:20] + "..."
    return BadUrl(
        Reason.UNSUPPORTED_SCHEME,
        f"This {what} uses the {shown}: scheme; only http:// and https:// URLs can be checked.",
    )


def _assume_https(text: str) -> Target:
    target = _build("https", text)
    if target.ip is None and "." not in target.host and target.host != "localhost":
        raise BadUrl(
            Reason.BAD_URL,
            "This is not a full URL; add http:// or https:// and a complete host name "
            "(like https://example.com/page).",
        )
    return target


def _split_before_query(text: str) -> tuple[str, str, str]:
    """Split at the first ``?`` or ``#``: (before, separator, after)."""
    cut = min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=-1)
    if cut < 0:
        return text, "", ""
    return text[:cut], text[cut], text[cut + 1 :]


def _build(scheme: str, rest: str) -> Target:
    """Build a Target from a scheme and everything after ``scheme://``."""
    head, sep, tail = _split_before_query(rest)
    # For http(s) browsers treat "\" like "/" before the query; do the same so "\\evil" and
    # "http://a.com\@b.com" mean here what they mean in a browser.
    head = head.replace("\\", "/")
    slash = head.find("/")
    authority, path = (head, "") if slash < 0 else (head[:slash], head[slash:])
    # The fragment is never sent to servers: dropped.
    query = tail.partition("#")[0] if sep == "?" else ""

    if "@" in authority:
        raise BadUrl(
            Reason.BAD_URL,
            "The URL contains credentials (user:password@ before the host); remove them, "
            "linkcheck never sends credentials in URLs.",
        )
    host_text, port = _split_host_port(authority, scheme)
    host, ip = normalize_host(host_text)

    path = _encode(_remove_dot_segments(path or "/"), _PATH_SAFE)
    query = _encode(query, _QUERY_SAFE) if query else ""
    display_host = f"[{host}]" if ":" in host else host
    netloc = display_host if port == DEFAULT_PORTS[scheme] else f"{display_host}:{port}"
    url = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    if len(url) > MAX_URL_LENGTH:
        raise BadUrl(
            Reason.BAD_URL,
            f"The URL is {len(url)} characters long once encoded; the limit is {MAX_URL_LENGTH}.",
        )
    return Target(url=url, scheme=scheme, host=host, port=port, ip=ip)


def _split_host_port(authority: str, scheme: str) -> tuple[str, int]:
    if not authority:
        raise BadUrl(
            Reason.BAD_URL, "The URL has no host name; write it like https://example.com/."
        )
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise BadUrl(Reason.BAD_URL, "The IPv6 address in the URL is missing its closing ].")
        host, after = authority[: end + 1], authority[end + 1 :]
        if after and not after.startswith(":"):
            raise BadUrl(Reason.BAD_URL, "Unexpected text after the IPv6 address in the URL.")
        port_text = after[1:]
    else:
        host, _, port_text = authority.partition(":")
        if ":" in port_text:
            raise BadUrl(
                Reason.BAD_URL,
                "The host has more than one ':'; an IPv6 address must be written in brackets, "
                "like http://[2001:db8::1]/.",
            )
    if not port_text:
        return host, DEFAULT_PORTS[scheme]
    if not _DECIMAL.match(port_text) or len(port_text) > 5 or not 0 < int(port_text) <= 65535:
        shown = port_text[:10]
        raise BadUrl(
            Reason.BAD_URL, f"The port {shown!r} is not a number from 1 to 65535; fix or remove it."
        )
    return host, int(port_text)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, with ``%2e`` read as ``.`` like browsers do."""
    if not path.startswith("/"):
        path = "/" + path
    output: list[str] = []
    segments = path[1:].split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        lowered = segment.lower()
        if lowered in {"..", ".%2e", "%2e.", "%2e%2e"}:
            if output:
                output.pop()
            if last:
                output.append("")
        elif lowered in {".", "%2e"}:
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


def _encode(text: str, safe: frozenset[str]) -> str:
    """Percent-encode what may not appear raw; keep valid escapes (hex upper-cased)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if ch == "%":
            escape = _ESCAPE.match(text, index)
            if escape:
                out.append("%" + escape.group(1).upper())
                index += 3
                continue
            out.append("%25")  # a lone '%' is a literal percent sign
        elif ch in safe:
            out.append(ch)
        else:
            out.append("".join(f"%{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass")))
        index += 1
    return "".join(out)
