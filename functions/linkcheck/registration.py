"""The SSRF rule for URLs that are stored to be fetched later: registered links, hook targets.

Their host meets the same static rules as a check's (``engine.ssrf.vet_host``), so a URL no
check would ever fetch is refused with a clear 422 instead of being stored and failing forever:
an IP literal in a forbidden range (in any spelling: ``10.0.0.1``, ``2130706433``, ``[::1]``)
or a local-only name (``localhost``, ``*.local``, ``*.internal``, ...). Names are not resolved
here (no DNS at registration): their addresses are vetted each time they are fetched.
"""

from __future__ import annotations

from .engine.ssrf import ForbiddenTarget, vet_host
from .engine.urls import BadUrl, Target, normalize_url
from .errors import InvalidInput


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
