"""Interstitials and wall URLs that carry the real target: pure URL (and page) reading.

People paste links that are not the content but a stop on the way to it: LinkedIn's "you are
leaving LinkedIn" pages (``/safety/go?url=``, ``/redir/redirect?url=``), a sign-in wall URL
with the page behind it (``/authwall?...&sessionRedirect=<url>``), Bitly's warning page for a
flagged link (``bitly.com/a/warning?hash=...&url=<target>``). Checking the stop would judge
LinkedIn or Bitly, not the link: the engine checks the target instead. ``unwrap_url`` is pure
URL rewriting, applied to the given URL and to every redirect hop; the engine lists the
unwrapped URL among the redirects (with status 0: it was never requested) and vets the target
like any hop.

``lnkd.in/<code>`` is different: it answers 200 with an interstitial page that names the target
in a link (``data-tracking-control-name="external_url_click"``) instead of redirecting.
``interstitial_target`` reads it; the interstitial detector hands it to the engine as a hop.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

# Hosts whose URLs may be wrappers (exact names: a cheap set lookup on every hop).
WRAPPER_HOSTS = frozenset({"linkedin.com", "www.linkedin.com", "bitly.com", "www.bitly.com"})
# Hosts that answer with an interstitial page (read with GET: the page names the target).
INTERSTITIAL_HOSTS = frozenset({"lnkd.in", "www.lnkd.in"})

# (host family, path prefix, query parameter that carries the target)
_RULES = (
    ("linkedin.com", "/safety/go", "url"),
    ("linkedin.com", "/redir/redirect", "url"),
    ("linkedin.com", "/authwall", "sessionRedirect"),
    ("bitly.com", "/a/warning", "url"),
)
_EXTERNAL_LINK = re.compile(
    r"""<a\b[^>]*\bdata-tracking-control-name\s*=\s*["']external_url_click["'][^>]*>""",
    re.IGNORECASE,
)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def unwrap_url(url: str) -> str | None:
    """The target a wrapper URL carries, or None when ``url`` is not a known wrapper."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    family = host.removeprefix("www.")
    for owner, prefix, parameter in _RULES:
        if family == owner and parts.path.rstrip("/") == prefix:
            values = parse_qs(parts.query).get(parameter)
            return _absolute(values[0]) if values else None
    return None


def interstitial_target(url: str, text: str) -> str | None:
    """The target named by a "you are leaving" interstitial page at ``url``, or None."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    if host not in INTERSTITIAL_HOSTS:
        return None
    tag = _EXTERNAL_LINK.search(text)
    if tag is None:
        return None
    href = _HREF.search(tag.group(0))
    if href is None:
        return None
    return _absolute(html.unescape(href.group(1) if href.group(1) is not None else href.group(2)))


def _absolute(candidate: str) -> str | None:
    """Only an absolute http(s) URL is a target worth following."""
    candidate = candidate.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return candidate
