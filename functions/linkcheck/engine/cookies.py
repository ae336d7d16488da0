"""The cookies of one check (pure): what its redirects and probes set, sent back as a browser would.

Cookie-gated pages (news and shop sites, consent walls) answer a first visit with a redirect
to themselves that sets a cookie; without the cookie the check would see a redirect loop. A
``CookieJar`` lives for one check only, its redirect chain and its detectors' probes, never
across checks or tenants. It follows RFC 6265's storage and matching rules where they decide
what is sent (host-only and domain cookies, path, ``Secure``, deletion by ``Max-Age``/
``Expires``) and ignores what a checker never needs (``HttpOnly``, ``SameSite``). Without a
public-suffix list, a ``Domain`` attribute must name at least two labels and never an IP
address. Sizes are bounded: a hostile server cannot grow a check's memory through it.

Repeated ``Set-Cookie`` headers reach here as one value joined by newlines (``http1.Headers``
joins them so, since their dates contain commas).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from .urls import Target

MAX_COOKIES = 50
MAX_COOKIE_BYTES = 4096  # RFC 6265 6.1: at least 4096 bytes per cookie; more is dropped


@dataclass(frozen=True, slots=True)
class _Cookie:
    name: str
    value: str
    domain: str  # lower-case, no leading dot
    host_only: bool  # no Domain attribute: sent to exactly this host
    path: str
    secure: bool


class CookieJar:
    """Cookies set during one check; ``version`` changes whenever what would be sent changes."""

    __slots__ = ("_cookies", "version")

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str, str], _Cookie] = {}  # (domain, path, name)
        self.version = 0

    def store(self, set_cookie: str | None, target: Target, *, now: float) -> None:
        """Keep what the answer to a request for ``target`` set (``now``: epoch seconds)."""
        if not set_cookie:
            return
        for line in set_cookie.split("\n"):
            parsed = _parse(line, target, now)
            if parsed is None:
                continue
            cookie, expired = parsed
            key = (cookie.domain, cookie.path, cookie.name)
            if expired:
                if self._cookies.pop(key, None) is not None:
                    self.version += 1
            elif self._cookies.get(key) != cookie and (
                key in self._cookies or len(self._cookies) < MAX_COOKIES
            ):
                self._cookies[key] = cookie
                self.version += 1

    def header(self, target: Target) -> str | None:
        """The ``Cookie`` header for a request to ``target``, or None when nothing matches."""
        if not self._cookies:
            return None
        path = _path_of(target.url)
        sent = [
            cookie
            for cookie in self._cookies.values()
            if _domain_matches(target.host, cookie)
            and _path_matches(path, cookie.path)
            and (target.scheme == "https" or not cookie.secure)
        ]
        if not sent:
            return None
        sent.sort(key=lambda cookie: -len(cookie.path))  # RFC 6265 5.4: longer paths first
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in sent)


def _parse(line: str, target: Target, now: float) -> tuple[_Cookie, bool] | None:
    """(cookie, expired) from one ``Set-Cookie`` value, or None when it must be ignored."""
    line = line.strip()
    if not line or len(line) > MAX_COOKIE_BYTES:
        return None
    pair, *attributes = line.split(";")
    name, equals, value = pair.partition("=")
    name, value = name.strip(), value.strip()
    if not equals or not name:
        return None
    domain, host_only = target.host, True
    path = _default_path(_path_of(target.url))
    secure, expired = False, False
    max_age_seen = False
    for attribute in attributes:
        key, _, argument = attribute.partition("=")
        key, argument = key.strip().lower(), argument.strip()
        if key == "domain" and argument:
            wanted = argument.lstrip(".").lower()
            if not _may_set_domain(target, wanted):
                return None  # RFC 6265 5.3 step 6: a foreign domain ignores the whole cookie
            domain, host_only = wanted, False
        elif key == "path" and argument.startswith("/"):
            path = argument
        elif key == "secure":
            secure = True
        elif key == "max-age":
            try:
                expired = int(argument) <= 0
            except ValueError:
                continue
            max_age_seen = True
        elif key == "expires" and not max_age_seen:  # Max-Age wins over Expires
            try:
                expired = parsedate_to_datetime(argument).timestamp() <= now
            except (TypeError, ValueError, IndexError, OverflowError):
                continue
    if secure and target.scheme != "https":
        return None  # RFC 6265bis: only a secure origin may set a Secure cookie
    return _Cookie(name, value, domain, host_only, path, secure), expired


def _may_set_domain(target: Target, domain: str) -> bool:
    if target.ip is not None:
        return domain == target.host
    if "." not in domain:  # a bare top-level label would reach every site under it
        return False
    return target.host == domain or target.host.endswith("." + domain)


def _domain_matches(host: str, cookie: _Cookie) -> bool:
    if cookie.host_only:
        return host == cookie.domain
    return host == cookie.domain or host.endswith("." + cookie.domain)


def _path_matches(request_path: str, cookie_path: str) -> bool:
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def _path_of(url: str) -> str:
    after_scheme = url.split("://", 1)[-1]
    slash = after_scheme.find("/")
    if slash < 0:
        return "/"
    return after_scheme[slash:].split("?", 1)[0].split("#", 1)[0] or "/"


def _default_path(request_path: str) -> str:
    """RFC 6265 5.1.4: the directory of the request path."""
    if not request_path.startswith("/") or request_path.count("/") == 1:
        return "/"
    return request_path[: request_path.rindex("/")]
