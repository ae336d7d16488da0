"""The SSRF rule for URLs that are stored to be fetched later: registered links, hook targets;
and the values links are looked up by (a host as registration stores it, platform names).

Their host meets the same static rules as a check's (``engine.ssrf.vet_host``), so a URL no
check would ever fetch is refused with a clear 422 instead of being stored and failing forever:
an IP literal in a forbidden range (in any spelling: ``10.0.0.1``, ``2130706433``, ``[::1]``)
or a local-only name (``localhost``, ``*.local``, ``*.internal``, ...). Names are not resolved
here (no DNS at registration): their addresses are vetted each time they are fetched.
"""

from __future__ import annotations

from .engine.platforms.registry import PLATFORMS
from .engine.ssrf import ForbiddenTarget, vet_host
from .engine.urls import BadUrl, Target, normalize_url
from .errors import InvalidInput

# The names a stored result's ``platform`` can take: those of the platform detectors (the
# generic ones, which judge any page, name none).
PLATFORM_NAMES: tuple[str, ...] = tuple(
    sorted(name for _, _, name, domains in PLATFORMS if domains is not None)
)
_NOT_IN_HOST = frozenset("/?#@\\")


def refused_address(target: Target, *, allow_private: bool) -> str | None:
    """Why ``target`` may not be stored (a check would refuse its host), or None."""
    try:
        vet_host(target.host, allow_private=allow_private)
    except ForbiddenTarget as exc:
        return exc.detail
    return None


def link_target(url: str, *, allow_private: bool) -> Target:
    """The normalised target of a link to register; ``InvalidInput`` (field ``url``) when no
    check could ever fetch it (unreadable, or its host refused)."""
    try:
        target = normalize_url(url)
    except BadUrl as exc:
        raise InvalidInput(f"url cannot be checked: {exc.detail}", field="url") from exc
    refused = refused_address(target, allow_private=allow_private)
    if refused is not None:
        raise InvalidInput(f"url is refused: {refused}", field="url")
    return target


def stored_host(value: str, *, field: str = "host") -> str:
    """``value`` normalised as a registered link's host is stored (lower-case, punycode, IPv6
    without brackets, one trailing dot dropped), to look links up by; ``InvalidInput`` when it
    is not a host name alone."""
    text = value.strip()
    if not text or any(char in _NOT_IN_HOST or char.isspace() for char in text):
        raise InvalidInput(
            f"{field} must be a host name such as example.com, without scheme, path or port",
            field=field,
        )
    is_ipv6 = text.count(":") > 1
    if ":" in text and not is_ipv6:
        raise InvalidInput(f"{field} must be a host name without a port (example.com)", field=field)
    literal = f"[{text.strip('[]')}]" if is_ipv6 else text
    try:
        return normalize_url(f"http://{literal}/").host
    except BadUrl as exc:
        raise InvalidInput(f"{field} is not a valid host name: {exc.detail}", field=field) from exc
