"""The ``GET /links`` filters that need more than their schema.

``host`` is compared with the host registration stored, so it is normalised the same way
(``registration.stored_host``); ``platform`` is one of the names the engine's platform
detectors give their results, documented as an enum in ``/openapi.json``.
"""

from __future__ import annotations

from enum import StrEnum

from ...registration import PLATFORM_NAMES, stored_host

Platform = StrEnum("Platform", {name.upper(): name for name in PLATFORM_NAMES})  # type: ignore[misc]


def host_filter(value: str) -> str:
    """``value`` as registration stores a host; ``InvalidInput`` (field ``host``) otherwise."""
    return stored_host(value, field="host")
