"""Hook target URLs pass the same SSRF rules as checked links, at subscribe and delivery time.

The URL is normalised by the engine (``engine.urls``), its host resolved once and every address
vetted (``engine.ssrf``); delivery then connects to those vetted addresses only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from ..engine.ssrf import TargetError, resolve_vetted
from ..engine.urls import BadUrl, Target, normalize_url
from ..registration import refused_address

T = TypeVar("T")

MAX_TARGET_URL_LENGTH = 2048


class TargetRejected(ValueError):
    """A hook target URL that may not be used; ``message`` says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class VettedTarget:
    target: Target
    addresses: tuple[str, ...]  # vetted IPs to connect to, in resolver order


def normalize_target(raw: str) -> Target:
    """The normalised target URL, or ``TargetRejected`` with the engine's explanation."""
    if len(raw) > MAX_TARGET_URL_LENGTH:
        raise TargetRejected(f"target_url is longer than {MAX_TARGET_URL_LENGTH} characters")
    try:
        return normalize_url(raw)
    except BadUrl as exc:
        raise TargetRejected(f"target_url is not usable: {exc.detail}") from exc


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, even when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def vet_target(raw: str, *, allow_private: bool, timeout: float = 5.0) -> VettedTarget:
    """Normalise, resolve once and vet every address; ``TargetRejected`` when refused."""
    target = normalize_target(raw)
    # IP literals: the rule every stored URL follows (links too), before any DNS.
    refused = refused_address(target, allow_private=allow_private)
    if refused is not None:
        raise TargetRejected(f"target_url is refused: {refused}")
    try:
        addresses = _run(
            resolve_vetted(target.host, target.port, allow_private=allow_private, timeout=timeout)
        )
    except TargetError as exc:
        raise TargetRejected(f"target_url is refused: {exc.detail}") from exc
    return VettedTarget(target=target, addresses=tuple(addresses))
