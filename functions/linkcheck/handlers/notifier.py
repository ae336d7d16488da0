"""Lambda entry point: notifier (not yet built)."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> Any:
    raise NotImplementedError("notifier handler is not built yet")
