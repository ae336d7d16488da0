"""Dev-only settings that bypass safety, honoured only when this process switched them on.

``linkcheck dev --connect-to ... --ca-bundle ...`` lets the local api and worker reach the
fixture corpus (tests/e2e/corpus_server.py) the way the CLI does: ``LINKCHECK_DEV_CONNECT_TO``
(``--connect-to`` specs separated by spaces or commas), ``LINKCHECK_DEV_CA_BUNDLE`` and
``LINKCHECK_DEV_ONLY_CONNECT_TO``. A ``--connect-to`` target is trusted without SSRF vetting,
so these variables alone do nothing: ``linkcheck.settings`` parses them with every other
setting, and ``handlers/check_options.py`` applies them only after ``enable()`` was called in
this very process, which only the local stack (``DevStack``) and tests do. A deployed function
never calls it, so setting the variables in AWS has no effect, and template.yaml defines none
of them (tests/unit/test_template.py keeps it so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine.options import ConnectTo

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
