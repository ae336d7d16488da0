"""The SSRF rule for URLs that are stored to be fetched later: registered links, hook targets.

A host written as an IP literal (in any spelling: ``10.0.0.1``, ``2130706433``, ``[::1]``) is
vetted at registration with the same rules as a check (``engine.ssrf``), so an internal address
is refused with a clear 422 instead of being stored and failing forever. Names are not
resolved here (no DNS at registration): they are vetted each time they are fetched.
"""

from __future__ import annotations

from .engine.ssrf import ForbiddenTarget, vet_address
from .engine.urls import Target


def refused_address(target: Target, *, allow_private: bool) -> str | None:
    """Why ``target`` may not be stored (its host is a forbidden IP literal), or None."""
    if target.ip is None:
        return None
    try:
        vet_address(target.ip, allow_private=allow_private)
    except ForbiddenTarget as exc:
        return exc.detail
    return None
