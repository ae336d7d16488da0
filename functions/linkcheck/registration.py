"""The SSRF rule for URLs that are stored to be fetched later: registered links, hook targets.

Their host meets the same static rules as a check's (``engine.ssrf.vet_host``), so a URL no
check would ever fetch is refused with a clear 422 instead of being stored and failing forever:
an IP literal in a forbidden range (in any spelling: ``10.0.0.1``, ``2130706433``, ``[::1]``)
or a local-only name (``localhost``, ``*.local``, ``*.internal``, ...). Names are not resolved
here (no DNS at registration): their addresses are vetted each time they are fetched.
"""

from __future__ import annotations

from .engine.ssrf import ForbiddenTarget, vet_host
from .engine.urls import Target


def refused_address(target: Target, *, allow_private: bool) -> str | None:
    """Why ``target`` may not be stored (a check would refuse its host), or None."""
    try:
        vet_host(target.host, allow_private=allow_private)
    except ForbiddenTarget as exc:
        return exc.detail
    return None
