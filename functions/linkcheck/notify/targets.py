"""Hook target URLs pass the same SSRF rules as checked links, at subscribe and delivery time.

The URL is normalised by the engine (``engine.urls``), its host resolved once and every address
vetted (``engine.ssrf``) when a hook is subscribed; every delivery vets again as it connects
(the engine's transport, ``sender.py``).
"""

from __future__ import annotations

from .. import runner
from ..engine.ssrf import TargetError, resolve_vetted
from ..engine.urls import BadUrl, Target, normalize_url
from ..registration import refused_address

# Deliberately shorter than the engine's MAX_URL_LENGTH (8192) for checked links: a target is
# the subscriber's own endpoint, not a link found in the wild, and every HTTP stack accepts 2048.
MAX_TARGET_URL_LENGTH = 2048


class TargetRejected(ValueError):
    """A hook target URL that may not be used; ``message`` says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalize_target(raw: str) -> Target:
    """The normalised target URL, or ``TargetRejected`` with the engine's explanation."""
    if len(raw) > MAX_TARGET_URL_LENGTH:
        raise TargetRejected(f"target_url is longer than {MAX_TARGET_URL_LENGTH} characters")
    try:
        return normalize_url(raw)
    except BadUrl as exc:
        raise TargetRejected(f"target_url is not usable: {exc.detail}") from exc


def usable_target(raw: str, *, allow_private: bool) -> Target:
    """The normalised target, refused (``TargetRejected``) by the rule every stored URL follows
    for IP literals, before any DNS."""
    target = normalize_target(raw)
    refused = refused_address(target, allow_private=allow_private)
    if refused is not None:
        raise TargetRejected(f"target_url is refused: {refused}")
    return target


def vet_target(raw: str, *, allow_private: bool, timeout: float = 5.0) -> Target:
    """``usable_target``, then its name resolved once and every address vetted."""
    target = usable_target(raw, allow_private=allow_private)
    try:
        runner.run(
            resolve_vetted(target.host, target.port, allow_private=allow_private, timeout=timeout),
            timeout + 1.0,
        )
    except TargetError as exc:
        raise TargetRejected(f"target_url is refused: {exc.detail}") from exc
    return target
