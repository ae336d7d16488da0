"""Notification settings: their typed value and the parsing of the retry schedule (pure).

``linkcheck.settings`` reads them from the environment with every other setting
(``Settings.notify``); the handlers hand the values to the notifier and the deliverer.

- ``WEBHOOK_RETRY_DELAYS``: seconds to wait before each retry of a failed delivery, comma
  separated (default ``5,300,1800,7200,18000,36000``: about 17 hours over 7 attempts). Tests
  use ``0,1,1``.
- ``WEBHOOK_TIMEOUT_SECONDS``: per-attempt HTTP timeout (default 10).
- ``NOTIFY_LEASE_SECONDS``: how long a claimed notification is reserved for the invocation
  that claimed it (default 60; longer than one publish, shorter than the stream's patience).
- ``DELIVERIES_DLQ_URL``: where deliveries go after the last attempt (default: the dead-letter
  queue named by the deliveries queue's redrive policy).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000)


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    retry_delays: tuple[int, ...] = DEFAULT_RETRY_DELAYS
    timeout_seconds: float = 10.0
    lease_seconds: int = 60
    dead_letter_url: str = ""

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.retry_delays)


def parse_delays(raw: str) -> tuple[int, ...]:
    """``"0,1,1"`` -> ``(0, 1, 1)``; a ValueError names ``WEBHOOK_RETRY_DELAYS``."""
    try:
        delays = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(
            f"WEBHOOK_RETRY_DELAYS must be comma-separated whole seconds, got {raw!r}"
        ) from exc
    if any(d < 0 for d in delays):
        raise ValueError(f"WEBHOOK_RETRY_DELAYS cannot be negative, got {raw!r}")
    return delays
