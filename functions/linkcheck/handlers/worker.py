"""Lambda entry point: worker (not yet built)."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> Any:
    raise NotImplementedError("worker handler is not built yet")
