"""Secrets the checks may use: platform API credentials and a proxy URL with its password.

In AWS the deployment names one secret (template parameters ``CheckSecretsParameter``, an SSM
Parameter Store SecureString name, or ``CheckSecretsArn``, a Secrets Manager secret ARN),
holding a JSON object::

    {"meta_app_token": "...", "youtube_api_key": "...", "proxy_url": "http://u:p@host:3128"}

(every key optional). It is read lazily, on the first check of the process, with the
boto3-free signed client (``awsrequest.secrets``): the ``/check`` cold start loads no boto3
and pays for the read only when a secret is configured. A successful read is kept for the life
of the process; a failed one is logged (never the value) and tried again after
``RETRY_SECONDS``, checks meanwhile running without the secret's values.

Locally (the CLI, ``linkcheck dev``) the environment variables ``LINKCHECK_META_APP_TOKEN``
and ``LINKCHECK_YOUTUBE_API_KEY`` give the credentials; they apply when no secret is named.
Which secret, and those local keys, come from the settings (``CheckSettings``): nothing here
reads the environment.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .engine.options import NO_CREDENTIALS, Credentials

if TYPE_CHECKING:
    from .settings import CheckSettings

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0
KNOWN_KEYS = ("meta_app_token", "youtube_api_key", "proxy_url")


class BadSecret(ValueError):
    """The secret's text is not the expected JSON object (the message never quotes it)."""


@dataclass(frozen=True, slots=True)
class CheckSecrets:
    credentials: Credentials = NO_CREDENTIALS
    proxy_url: str | None = field(default=None, repr=False)  # may carry a proxy password

    def __repr__(self) -> str:
        proxy = "set" if self.proxy_url else "none"
        return f"CheckSecrets({self.credentials!r}, proxy_url={proxy})"


NO_SECRETS = CheckSecrets()


def parse_secret(text: str) -> CheckSecrets:
    """The secret's JSON object -> ``CheckSecrets``; unknown keys are ignored (logged by name)."""
    try:
        data = json.loads(text)
    except ValueError:
        raise BadSecret(
            "the secret is not JSON; expected an object such as "
            '{"meta_app_token": "...", "youtube_api_key": "..."}'
        ) from None
    if not isinstance(data, dict):
        raise BadSecret("the secret is not a JSON object")
    values: dict[str, str | None] = {}
    for key in KNOWN_KEYS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise BadSecret(f"the secret's {key!r} must be a string")
        values[key] = (value.strip() or None) if isinstance(value, str) else None
    unknown = sorted(str(key) for key in data if key not in KNOWN_KEYS)
    if unknown:
        log.warning("check secret: ignoring unknown keys", extra={"keys": unknown})
    return CheckSecrets(
        credentials=Credentials(
            meta_app_token=values["meta_app_token"], youtube_api_key=values["youtube_api_key"]
        ),
        proxy_url=values["proxy_url"],
    )


def local_secrets(credentials: Credentials | None) -> CheckSecrets:
    """The local keys (``CheckSettings.local_credentials``) as check secrets."""
    return CheckSecrets(credentials=credentials) if credentials is not None else NO_SECRETS


def read_named_secret(checks: CheckSettings) -> CheckSecrets | None:
    """Fetch and parse the secret the settings name; None when none is named."""
    from .awsrequest import secrets

    if checks.secrets_arn:
        return parse_secret(secrets.get_secret_string(checks.secrets_arn))
    if checks.secrets_parameter:
        return parse_secret(secrets.get_parameter(checks.secrets_parameter))
    return None


class _Cache:
    """The secret of this process: read once; a failure is tried again after a pause."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: CheckSecrets | None = None
        self._retry_at = 0.0

    def get(self, checks: CheckSettings) -> CheckSecrets:
        local = local_secrets(checks.local_credentials)
        with self._lock:
            if self._value is not None:
                return self._value
            if time.monotonic() < self._retry_at:
                return local
            try:
                named = read_named_secret(checks)
            except Exception as exc:
                self._retry_at = time.monotonic() + RETRY_SECONDS
                log.warning(
                    "check secret unavailable; checking without its values for now",
                    extra={"error": _describe(exc)},
                )
                return local
            self._value = named if named is not None else local
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None
            self._retry_at = 0.0


def _describe(exc: Exception) -> str:
    # AwsError and BadSecret messages never carry the value; anything else: its type only.
    from .awsrequest.jsonapi import AwsError

    if isinstance(exc, AwsError | BadSecret):
        return str(exc)[:300]
    return type(exc).__name__


_CACHE = _Cache()


def current(checks: CheckSettings) -> CheckSecrets:
    """This process's check secrets (fetched on the first call when ``checks`` names one)."""
    return _CACHE.get(checks)


def reset() -> None:
    """Forget the cached secret (tests, ``linkcheck dev`` restarting its environment)."""
    _CACHE.clear()
