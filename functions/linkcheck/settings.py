"""Deployment configuration, read once from the environment into a typed value.

The same variable names are set by ``template.yaml`` in AWS and by ``linkcheck dev`` locally.
boto3 itself honours ``AWS_ENDPOINT_URL`` (the local moto server).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Settings:
    table_name: str
    checks_queue_url: str
    deliveries_queue_url: str
    topic_arn: str
    confirm_delay_seconds: int
    down_after_failures: int
    default_interval_minutes: int
    min_interval_minutes: int
    history_retention_days: int
    history_every_check: bool  # history item for every check, not only for changes
    rate_limit_per_minute: int
    allow_private_networks: bool
    stage: str
    local_dev: bool = False  # the local stack (``linkcheck dev``), never a deployment


def env_flag(name: str, *, default: bool = False) -> bool:
    """An on/off environment variable ("1", "true", "yes", "on" / "0", "false", "no", "off")."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    return default


def env_seconds(name: str) -> float | None:
    """A positive number of seconds from the environment, or None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    seconds = float(raw)
    if not seconds > 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {raw!r}")
    return seconds


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ.get
    return Settings(
        table_name=env("TABLE_NAME", "linkcheck"),
        checks_queue_url=env("CHECKS_QUEUE_URL", ""),
        deliveries_queue_url=env("DELIVERIES_QUEUE_URL", ""),
        topic_arn=env("TOPIC_ARN", ""),
        confirm_delay_seconds=_int("CONFIRM_DELAY_SECONDS", 120),
        down_after_failures=_int("DOWN_AFTER_FAILURES", 3),
        default_interval_minutes=_int("DEFAULT_INTERVAL_MINUTES", 24 * 60),
        min_interval_minutes=_int("MIN_INTERVAL_MINUTES", 5),
        history_retention_days=_int("HISTORY_RETENTION_DAYS", 90),
        history_every_check=env_flag("HISTORY_EVERY_CHECK"),
        rate_limit_per_minute=_int("RATE_LIMIT_PER_MINUTE", 120),
        allow_private_networks=env_flag("LINKCHECK_ALLOW_PRIVATE_NETWORKS"),
        stage=env("STAGE", "dev"),
        local_dev=env_flag("LINKCHECK_DEV"),
    )
