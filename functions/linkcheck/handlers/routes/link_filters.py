"""The ``GET /links`` filters that need more than their schema: pure validation.

``host`` is compared with the host registration stored (the normalised URL's: lower-case,
punycode, IPv6 without brackets), so it is normalised the same way here; ``platform`` is one
of the names the engine's platform detectors give their results.
"""

from __future__ import annotations

from enum import StrEnum

from ...engine.platforms.registry import PLATFORMS
from ...engine.urls import BadUrl, normalize_url
from ...errors import InvalidInput

# A result's ``platform`` is the name of the platform detector that judged it (the generic
# ones, which judge any page, name none).
PLATFORM_NAMES: tuple[str, ...] = tuple(
    sorted(name for _, _, name, domains in PLATFORMS if domains is not None)
)
Platform = StrEnum("Platform", {name.upper(): name for name in PLATFORM_NAMES})  # type: ignore[misc]

_NOT_IN_HOST = frozenset(" /?#@\\")


def host_filter(value: str) -> str:
    """``value`` as registration stores a host; ``InvalidInput`` (field ``host``) otherwise."""
    text = value.strip()
    if not text or any(char in _NOT_IN_HOST or char.isspace() for char in text):
        raise InvalidInput(
            "host must be a host name such as example.com, without scheme, path or port",
            field="host",
        )
    is_ipv6 = text.count(":") > 1
    if ":" in text and not is_ipv6:
        raise InvalidInput("host must be a host name without a port (example.com)", field="host")
    literal = f"[{text.strip('[]')}]" if is_ipv6 else text
    try:
        return normalize_url(f"http://{literal}/").host
    except BadUrl as exc:
        raise InvalidInput(f"host is not a valid host name: {exc.detail}", field="host") from exc
