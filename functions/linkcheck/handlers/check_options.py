"""The ``CheckOptions`` of the deployed functions (api, worker), built from their settings.

The engine reads no environment: this is where the settings (``Settings.checks`` and the SSRF
switch), the check secret (platform credentials, a proxy URL with its password; read once per
process by ``check_secrets``) and the dev-only corpus mapping meet. ``DEEP_CHECKS`` (default
on) reads every page with GET, so the generic soft-404 and parked-domain detectors judge every
link a user registered or asked about (the CLI's default too; ``--head-first`` there). The
corpus mapping is honoured only in a process that switched ``devmode`` on itself
(``linkcheck dev``, tests), never from the environment alone.
"""

from __future__ import annotations

from dataclasses import replace

from .. import check_secrets, devmode
from ..engine import CheckOptions, Proxy
from ..settings import CheckSettings, Settings, get_settings


def check_options(settings: Settings | None = None) -> CheckOptions:
    """Options for every check of this process (no request can switch the SSRF guard off)."""
    settings = settings or get_settings()
    checks = settings.checks
    secrets = check_secrets.current(checks)
    options = CheckOptions(
        allow_private_networks=settings.allow_private_networks,
        always_get=checks.deep,
        credentials=secrets.credentials,
        proxy=_proxy(checks, secrets.proxy_url),
    )
    timeout = checks.timeout_seconds
    if timeout is not None:  # the connect and read limits never exceed the whole check's
        options = replace(
            options,
            timeout=timeout,
            connect_timeout=min(options.connect_timeout, timeout),
            read_timeout=min(options.read_timeout, timeout),
        )
    corpus = checks.dev_corpus
    if corpus is not None and devmode.enabled():
        options = replace(
            options,
            connect_to=corpus.connect_to,
            ca_bundle=corpus.ca_bundle,
            only_connect_to=corpus.only_connect_to,
        )
    return options


def _proxy(checks: CheckSettings, secret_url: str | None) -> Proxy | None:
    """The secret's proxy URL (it may hold a password) wins over ``CHECK_PROXY_URL``.

    A bad secret URL raises ``ProxyConfigError`` (never quoting the password): a deployment
    mistake must fail loudly, not send checks around the proxy the operator asked for.
    """
    if secret_url:
        return Proxy.parse(secret_url, only=checks.proxy_hosts)
    return checks.proxy
