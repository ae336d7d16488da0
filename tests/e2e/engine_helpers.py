"""Options and helpers shared by the engine e2e tests (fast timeouts, loopback allowed)."""

from __future__ import annotations

from typing import Any

from linkcheck.engine import Checker, CheckOptions, CheckResult


def fast_options(**overrides: Any) -> CheckOptions:
    """Short deadlines so every e2e test stays fast; loopback allowed unless overridden."""
    values: dict[str, Any] = {
        "allow_private_networks": True,
        "timeout": 2.0,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "backoff": 0.02,
        "retries": 2,
    }
    values.update(overrides)
    return CheckOptions(**values)


async def check(url: str, **overrides: Any) -> CheckResult:
    detectors = overrides.pop("detectors", ())
    async with Checker(fast_options(**overrides), detectors=detectors) as checker:
        return await checker.check(url)
