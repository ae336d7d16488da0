"""Dev-only settings that bypass safety, honoured only when this process switched them on.

``linkcheck dev --connect-to ... --ca-bundle ...`` lets the local api and worker reach the
fixture corpus (tests/e2e/corpus_server.py) the way the CLI does: ``LINKCHECK_DEV_CONNECT_TO``
(``--connect-to`` specs separated by spaces or commas), ``LINKCHECK_DEV_CA_BUNDLE`` and
``LINKCHECK_DEV_ONLY_CONNECT_TO``. A ``--connect-to`` target is trusted without SSRF vetting,
so these variables alone do nothing: ``CheckOptions.from_env`` reads them only after
``enable()`` was called in this very process, which only the local stack (``DevStack``) and
tests do. A deployed function never calls it, so setting the variables in AWS has no effect,
and template.yaml defines none of them (tests/unit/test_template.py keeps it so).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .engine.options import ConnectTo
from .settings import env_flag

# Read below by these literal names, so the template test's scanner sees them.
CONNECT_TO_ENV = "LINKCHECK_DEV_CONNECT_TO"
CA_BUNDLE_ENV = "LINKCHECK_DEV_CA_BUNDLE"
ONLY_CONNECT_TO_ENV = "LINKCHECK_DEV_ONLY_CONNECT_TO"
DEV_ONLY_VARIABLES = (CONNECT_TO_ENV, CA_BUNDLE_ENV, ONLY_CONNECT_TO_ENV)

_enabled = False


def enable() -> None:
    """Honour the dev-only variables in this process (``linkcheck dev`` and tests only)."""
    global _enabled
    _enabled = True


def disable() -> None:
    global _enabled
    _enabled = False


def enabled() -> bool:
    return _enabled


@dataclass(frozen=True, slots=True)
class CorpusMapping:
    connect_to: tuple[ConnectTo, ...]
    ca_bundle: str | None
    only_connect_to: bool


def corpus_mapping() -> CorpusMapping | None:
    """The dev-only mapping, or None (switch off, or no ``LINKCHECK_DEV_CONNECT_TO``)."""
    if not _enabled:
        return None
    specs = os.environ.get("LINKCHECK_DEV_CONNECT_TO", "").replace(",", " ").split()
    if not specs:
        return None
    return CorpusMapping(
        connect_to=tuple(ConnectTo.parse(spec) for spec in specs),
        ca_bundle=os.environ.get("LINKCHECK_DEV_CA_BUNDLE", "").strip() or None,
        only_connect_to=env_flag("LINKCHECK_DEV_ONLY_CONNECT_TO"),
    )


def environment(
    connect_to: tuple[str, ...], ca_bundle: str | None, *, only_connect_to: bool
) -> dict[str, str]:
    """The variables ``linkcheck dev`` sets for its functions (empty when not asked)."""
    if not connect_to:
        return {}
    env = {
        CONNECT_TO_ENV: " ".join(connect_to),
        ONLY_CONNECT_TO_ENV: "1" if only_connect_to else "0",
    }
    if ca_bundle:
        env[CA_BUNDLE_ENV] = ca_bundle
    return env
