"""Where and as whom to call AWS without boto3: read once per call from the standard variables.

The Lambda runtime sets ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``
and ``AWS_REGION``; locally ``AWS_ENDPOINT_URL`` (or a per-service variable such as
``AWS_ENDPOINT_URL_DYNAMODB``) points at the moto server, as it does for boto3. Reading is a
few dictionary lookups, so it is done per request: tests and ``linkcheck dev`` may change them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .sigv4 import Credentials


class MissingConfiguration(RuntimeError):
    """No credentials or no region in the environment."""


@dataclass(frozen=True, slots=True)
class ServiceEndpoint:
    url: str  # scheme://host[:port], no trailing slash
    region: str
    credentials: Credentials


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def service_endpoint(service: str, env_suffix: str) -> ServiceEndpoint:
    """Endpoint of ``service`` (its host prefix, e.g. ``ssm``): ``AWS_ENDPOINT_URL_<SUFFIX>``,
    else ``AWS_ENDPOINT_URL``, else ``https://<service>.<region>.amazonaws.com``."""
    region = _env("AWS_REGION") or _env("AWS_DEFAULT_REGION")
    if not region:
        raise MissingConfiguration("set AWS_REGION (or AWS_DEFAULT_REGION)")
    access_key_id = _env("AWS_ACCESS_KEY_ID")
    secret_access_key = _env("AWS_SECRET_ACCESS_KEY")
    if not access_key_id or not secret_access_key:
        raise MissingConfiguration("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    credentials = Credentials(
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        session_token=_env("AWS_SESSION_TOKEN") or None,
    )
    url = (
        _env(f"AWS_ENDPOINT_URL_{env_suffix}")
        or _env("AWS_ENDPOINT_URL")
        or f"https://{service}.{region}.amazonaws.com"
    )
    return ServiceEndpoint(url=url.rstrip("/"), region=region, credentials=credentials)


def dynamodb_endpoint() -> ServiceEndpoint:
    return service_endpoint("dynamodb", "DYNAMODB")
