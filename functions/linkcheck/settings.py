"""Deployment configuration: every variable of the functions, read once into one typed value.

``get_settings()`` parses the environment on the first call of an execution environment (a
handler's first invocation) and keeps the frozen result; a bad value raises ``SettingsError``
naming the variable and what it may hold, so a misconfigured function fails at once instead of
misbehaving later. No other module of the functions reads the environment (tests/unit/
test_settings.py scans for it): the engine gets ``CheckOptions`` built from these values
(``handlers/check_options.py``), notifications get ``Settings.notify``.

The same variable names are set by ``template.yaml`` in AWS and by ``linkcheck dev`` locally;
docs/operations.md#configuration-environment-of-the-functions lists them. boto3 and the
boto3-free client (``awsrequest/config.py``) read the standard ``AWS_*`` variables themselves.

Values of secret variables (platform credentials) never appear in errors or in ``repr``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .devmode import CorpusMapping
    from .engine.options import Credentials
    from .engine.proxy import Proxy

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

# -- notifications: the typed value and the retry schedule's parsing ---------------------------
# WEBHOOK_RETRY_DELAYS: seconds before each retry of a failed delivery, comma separated
# (default about 17 hours over 7 attempts); WEBHOOK_TIMEOUT_SECONDS: per-attempt deadline;
# NOTIFY_LEASE_SECONDS: how long a claimed notification stays reserved; DELIVERIES_DLQ_URL:
# where deliveries go after the last attempt (default: the deliveries queue's redrive target).

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


class SettingsError(ValueError):
    """A variable holds a value the functions cannot run with; the message says what to fix."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckSettings:
    """How the api and worker check links; ``handlers/check_options.py`` makes ``CheckOptions``.

    The engine's types are imported only when their variable is set: the authorizer, which
    never checks a link, does not load the engine at cold start.
    """

    timeout_seconds: float | None = None  # CHECK_TIMEOUT_SECONDS; None: the engine's default
    deep: bool = True  # DEEP_CHECKS: GET every page (generic soft-404 detection everywhere)
    proxy: Proxy | None = None  # CHECK_PROXY_URL (no password: that goes in the secret)
    proxy_hosts: tuple[str, ...] = ()  # CHECK_PROXY_HOSTS; empty: every host
    secrets_parameter: str | None = None  # CHECK_SECRETS_PARAMETER (SSM SecureString name)
    secrets_arn: str | None = None  # CHECK_SECRETS_ARN (Secrets Manager ARN)
    # LINKCHECK_META_APP_TOKEN / LINKCHECK_YOUTUBE_API_KEY: used when no secret is named.
    local_credentials: Credentials | None = None
    # LINKCHECK_DEV_*: honoured only in a process that called ``devmode.enable()``.
    dev_corpus: CorpusMapping | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditSettings:
    """Limits and defaults of the API's audits (docs/audits.md)."""

    default_max_pages: int = 500  # AUDIT_DEFAULT_MAX_PAGES: pages read when a request says none
    max_pages: int = 10_000  # AUDIT_MAX_PAGES: the most a request may ask for
    default_max_depth: int = 5  # AUDIT_DEFAULT_MAX_DEPTH: clicks from the start page
    max_depth: int = 20  # AUDIT_MAX_DEPTH
    max_links: int = 20_000  # AUDIT_MAX_LINKS: links checked per audit
    max_running: int = 3  # AUDIT_MAX_RUNNING: audits running at once per tenant
    retention_days: int = 30  # AUDIT_RETENTION_DAYS: how long an audit and its results are kept


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
    rate_limit_per_minute: int  # per API key; 0 disables the limit
    allow_private_networks: bool  # the SSRF switch: tests and ``linkcheck dev`` only
    stage: str
    local_dev: bool = False  # the local stack (``linkcheck dev``), never a deployment
    checks: CheckSettings = field(default_factory=CheckSettings)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    audits: AuditSettings = field(default_factory=AuditSettings)


# ---------------------------------------------------------------- readers
# Each takes the variable's name first, as a literal at the call site, so the template test's
# scanner (tests/integration/test_template_handlers.py) sees every name read.


def _text(name: str, environ: Mapping[str, str], default: str = "") -> str:
    return environ.get(name, "").strip() or default


def _flag(name: str, environ: Mapping[str, str], *, default: bool = False) -> bool:
    raw = _text(name, environ).lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def _int(name: str, environ: Mapping[str, str], default: int, *, low: int) -> int:
    raw = _text(name, environ)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < low:
        raise SettingsError(f"{name} must be at least {low}, not {value}")
    return value


def _seconds(name: str, environ: Mapping[str, str]) -> float | None:
    """A positive number of seconds, or None when unset."""
    raw = _text(name, environ)
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0  # reported below, like any other value that is not a positive number
    if not (seconds > 0 and math.isfinite(seconds)):
        raise SettingsError(f"{name} must be a positive number of seconds, not {raw!r}")
    return seconds


# ---------------------------------------------------------------- shared with the CLI


def read_allow_private_networks(environ: Mapping[str, str] = os.environ) -> bool:
    """The SSRF switch ``LINKCHECK_ALLOW_PRIVATE_NETWORKS`` (the functions' and the CLI's)."""
    return _flag("LINKCHECK_ALLOW_PRIVATE_NETWORKS", environ)


def read_local_credentials(environ: Mapping[str, str] = os.environ) -> Credentials | None:
    """Platform keys from ``LINKCHECK_META_APP_TOKEN`` / ``LINKCHECK_YOUTUBE_API_KEY``."""
    meta = _text("LINKCHECK_META_APP_TOKEN", environ) or None
    youtube = _text("LINKCHECK_YOUTUBE_API_KEY", environ) or None
    if meta is None and youtube is None:
        return None
    from .engine.options import Credentials

    return Credentials(meta_app_token=meta, youtube_api_key=youtube)


# ---------------------------------------------------------------- groups


def _check_settings(environ: Mapping[str, str]) -> CheckSettings:
    parameter = _text("CHECK_SECRETS_PARAMETER", environ) or None
    secret_arn = _text("CHECK_SECRETS_ARN", environ) or None
    if parameter and secret_arn:
        raise SettingsError("set CHECK_SECRETS_PARAMETER or CHECK_SECRETS_ARN, not both")
    proxy_url = _text("CHECK_PROXY_URL", environ)
    raw_hosts = _text("CHECK_PROXY_HOSTS", environ)
    proxy_hosts: tuple[str, ...] = ()
    proxy = None
    if proxy_url or raw_hosts:
        from .engine.proxy import Proxy, ProxyConfigError, split_hosts

        proxy_hosts = split_hosts(raw_hosts)
        try:
            proxy = Proxy.parse(proxy_url, only=proxy_hosts) if proxy_url else None
        except ProxyConfigError as exc:  # its message never quotes a password
            raise SettingsError(f"CHECK_PROXY_URL: {exc}") from None
    return CheckSettings(
        timeout_seconds=_seconds("CHECK_TIMEOUT_SECONDS", environ),
        deep=_flag("DEEP_CHECKS", environ, default=True),
        proxy=proxy,
        proxy_hosts=proxy_hosts,
        secrets_parameter=parameter,
        secrets_arn=secret_arn,
        local_credentials=read_local_credentials(environ),
        dev_corpus=_dev_corpus(environ),
    )


def _dev_corpus(environ: Mapping[str, str]) -> CorpusMapping | None:
    specs = _text("LINKCHECK_DEV_CONNECT_TO", environ).replace(",", " ").split()
    if not specs:
        return None
    from .devmode import CorpusMapping
    from .engine.options import ConnectTo

    try:
        connect_to = tuple(ConnectTo.parse(spec) for spec in specs)
    except ValueError as exc:
        raise SettingsError(f"LINKCHECK_DEV_CONNECT_TO: {exc}") from None
    return CorpusMapping(
        connect_to=connect_to,
        ca_bundle=_text("LINKCHECK_DEV_CA_BUNDLE", environ) or None,
        only_connect_to=_flag("LINKCHECK_DEV_ONLY_CONNECT_TO", environ),
    )


def _notify_config(environ: Mapping[str, str]) -> NotifyConfig:
    raw_delays = _text("WEBHOOK_RETRY_DELAYS", environ)
    try:
        delays = parse_delays(raw_delays) if raw_delays else DEFAULT_RETRY_DELAYS
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return NotifyConfig(
        retry_delays=delays,
        timeout_seconds=_seconds("WEBHOOK_TIMEOUT_SECONDS", environ) or 10.0,
        lease_seconds=_int("NOTIFY_LEASE_SECONDS", environ, 60, low=1),
        dead_letter_url=_text("DELIVERIES_DLQ_URL", environ),
    )


def _audit_settings(environ: Mapping[str, str]) -> AuditSettings:
    max_pages = _int("AUDIT_MAX_PAGES", environ, 10_000, low=1)
    max_depth = _int("AUDIT_MAX_DEPTH", environ, 20, low=0)
    default_pages = _int("AUDIT_DEFAULT_MAX_PAGES", environ, min(500, max_pages), low=1)
    default_depth = _int("AUDIT_DEFAULT_MAX_DEPTH", environ, min(5, max_depth), low=0)
    if default_pages > max_pages:
        raise SettingsError("AUDIT_DEFAULT_MAX_PAGES cannot be more than AUDIT_MAX_PAGES")
    if default_depth > max_depth:
        raise SettingsError("AUDIT_DEFAULT_MAX_DEPTH cannot be more than AUDIT_MAX_DEPTH")
    return AuditSettings(
        default_max_pages=default_pages,
        max_pages=max_pages,
        default_max_depth=default_depth,
        max_depth=max_depth,
        max_links=_int("AUDIT_MAX_LINKS", environ, 20_000, low=1),
        max_running=_int("AUDIT_MAX_RUNNING", environ, 3, low=1),
        retention_days=_int("AUDIT_RETENTION_DAYS", environ, 30, low=1),
    )


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Every setting from ``environ``; ``SettingsError`` names the first bad variable."""
    return Settings(
        table_name=_text("TABLE_NAME", environ, "linkcheck"),
        checks_queue_url=_text("CHECKS_QUEUE_URL", environ),
        deliveries_queue_url=_text("DELIVERIES_QUEUE_URL", environ),
        topic_arn=_text("TOPIC_ARN", environ),
        confirm_delay_seconds=_int("CONFIRM_DELAY_SECONDS", environ, 120, low=0),
        down_after_failures=_int("DOWN_AFTER_FAILURES", environ, 3, low=1),
        default_interval_minutes=_int("DEFAULT_INTERVAL_MINUTES", environ, 24 * 60, low=1),
        min_interval_minutes=_int("MIN_INTERVAL_MINUTES", environ, 5, low=1),
        history_retention_days=_int("HISTORY_RETENTION_DAYS", environ, 90, low=1),
        history_every_check=_flag("HISTORY_EVERY_CHECK", environ),
        rate_limit_per_minute=_int("RATE_LIMIT_PER_MINUTE", environ, 120, low=0),
        allow_private_networks=read_allow_private_networks(environ),
        stage=_text("STAGE", environ, "dev"),
        local_dev=_flag("LINKCHECK_DEV", environ),
        checks=_check_settings(environ),
        notify=_notify_config(environ),
        audits=_audit_settings(environ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """This execution environment's settings, read on the first call (tests: ``cache_clear``)."""
    return load_settings(os.environ)
