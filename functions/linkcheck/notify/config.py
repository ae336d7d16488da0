"""Notification settings, read from the environment into a typed value.

- ``WEBHOOK_RETRY_DELAYS``: seconds to wait before each retry of a failed delivery, comma
  separated (default ``5,300,1800,7200,18000,36000``: about 17 hours over 7 attempts). Tests
  use ``0,1,1``.
- ``WEBHOOK_TIMEOUT_SECONDS``: per-attempt HTTP timeout (default 10).
- ``NOTIFY_LEASE_SECONDS``: how long a claimed notification is reserved for the invocation
  that claimed it (default 60; longer than one publish, shorter than the stream's patience).
- ``DELIVERIES_DLQ_URL``: where deliveries go after the last attempt (default: the dead-letter
  queue named by the deliveries queue's redrive policy).
- ``LINKCHECK_ALLOW_PRIVATE_NETWORKS``: hook targets on private networks (local dev only).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..settings import env_flag

DEFAULT_RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000)


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    retry_delays: tuple[int, ...] = DEFAULT_RETRY_DELAYS
    timeout_seconds: float = 10.0
    lease_seconds: int = 60
    dead_letter_url: str = ""
    allow_private_networks: bool = False

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.retry_delays)


def parse_delays(raw: str) -> tuple[int, ...]:
    try:
        delays = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(
            f"WEBHOOK_RETRY_DELAYS must be comma-separated seconds, got {raw!r}"
        ) from exc
    if any(d < 0 for d in delays):
        raise ValueError(f"WEBHOOK_RETRY_DELAYS cannot be negative, got {raw!r}")
    return delays


def get_notify_config() -> NotifyConfig:
    """Read on every call (cheap), so tests and ``linkcheck dev`` can change it live."""
    env = os.environ.get
    raw_delays = env("WEBHOOK_RETRY_DELAYS", "").strip()
    return NotifyConfig(
        retry_delays=parse_delays(raw_delays) if raw_delays else DEFAULT_RETRY_DELAYS,
        timeout_seconds=float(env("WEBHOOK_TIMEOUT_SECONDS", "") or 10.0),
        lease_seconds=int(env("NOTIFY_LEASE_SECONDS", "") or 60),
        dead_letter_url=env("DELIVERIES_DLQ_URL", ""),
        allow_private_networks=env_flag("LINKCHECK_ALLOW_PRIVATE_NETWORKS"),
    )
