"""Shared test configuration: tests never reach real AWS or the internet."""

from __future__ import annotations

import os

# Fake credentials and region so boto3 never looks for real ones; moto-backed fixtures set
# AWS_ENDPOINT_URL to their own server.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "linkcheck-test")
os.environ.setdefault("SAM_CLI_TELEMETRY", "0")


from collections.abc import Iterator

import pytest
from hypothesis import settings

# Tests check behaviour, never time: Hypothesis's per-example deadline (200 ms) would fail a
# property on a busy machine for slowness alone.
settings.register_profile("linkcheck", deadline=None)
settings.load_profile("linkcheck")

# The local stack fixtures (dev_stack, dev_stack_factory) for every test tier.
pytest_plugins = ["tests.integration.devstack"]


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Each test reads the functions' settings from its own environment.

    ``get_settings()`` keeps the first read for the life of the process (an execution
    environment); a test that changes a variable after a handler ran clears it again itself.
    """
    from linkcheck.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server (server mode) for the whole session; boto3 reaches it over HTTP."""
    from linkcheck.local.moto_server import start_moto_server

    server = start_moto_server()
    previous = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    try:
        yield server.endpoint
    finally:
        if previous is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = previous
        server.stop()


@pytest.fixture()
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Fresh table, queues and topics from template.yaml (unique names), wired into the env.

    Yields the environment the functions get (TABLE_NAME, CHECKS_QUEUE_URL, ...), already set
    in ``os.environ``, with cached settings and boto3 clients reset.
    """
    from linkcheck import aws
    from linkcheck.local.resources import create_resources, load_template
    from linkcheck.settings import get_settings

    template = load_template()
    resources = create_resources(template)
    env = resources.env(template)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    aws.reset_clients()
    yield env
    get_settings.cache_clear()
    aws.reset_clients()
