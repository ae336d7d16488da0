"""Handlers that ``test_dev_environments.py`` gives the local stack by name (``handlers=``), so
they run in its process environments and show what an environment is like from inside."""

from __future__ import annotations

import os
import time
from typing import Any


def environment(event: Any, context: Any) -> dict[str, Any]:
    """The environment's variables and process id (no statusCode: API Gateway answers 200)."""
    return {
        "pid": os.getpid(),
        "env": dict(os.environ),
        "remaining_ms": context.get_remaining_time_in_millis(),
        "function_name": context.function_name,
    }


def misbehaving(event: Any, context: Any) -> dict[str, Any]:
    """``/crash``: the process dies; ``/boom``: raises; ``/hang``: outlives any timeout."""
    path = event.get("rawPath", "")
    if path == "/crash":
        os._exit(3)
    if path == "/boom":
        raise RuntimeError("handler bug")
    if path == "/hang":
        time.sleep(600)
    return {"pid": os.getpid()}
