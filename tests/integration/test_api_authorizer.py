"""The authorizer against moto, and its answer handed to the api handler as API Gateway does.

The authorizer only authenticates (API Gateway caches its answer); the api function counts the
per-key rate limit in the table over http.client, so these tests see both halves against moto.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcheck.handlers import api, authorizer
from linkcheck.observability import metrics
from linkcheck.settings import get_settings
from linkcheck.store.keys import KeyStore

EVENTS = Path(__file__).resolve().parents[2] / "events"
EXAMPLE_KEY = "lck_example-key-for-tests-and-sam-local-invoke-00"  # the key in the events


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


def through_gateway(api_event: dict[str, Any], authorizer_event: dict[str, Any]) -> dict[str, Any]:
    """Run the authorizer, then hand its context to the api handler (simple responses)."""
    decision = authorizer.handler(authorizer_event, None)
    assert decision["isAuthorized"] is True  # refusals are answered by the api, in JSON
    api_event["requestContext"]["authorizer"] = {"lambda": decision["context"]}
    response: dict[str, Any] = api.handler(api_event, None)
    return response


@pytest.fixture()
def example_key(aws_env: dict[str, str]) -> Any:
    return KeyStore().create_key("acme", secret=EXAMPLE_KEY).key


def test_a_known_key_gives_tenant_and_key_id_an_unknown_one_nothing(example_key: Any) -> None:
    decision = authorizer.handler(load_event("authorizer-request"), None)
    assert decision == {
        "isAuthorized": True,
        "context": {"tenant": "acme", "key_id": example_key.key_id},
    }
    decision = authorizer.handler(load_event("authorizer-unknown-key"), None)
    assert decision["context"] == {"tenant": "", "key_id": ""}


def test_me_through_the_authorizer(example_key: Any) -> None:
    response = through_gateway(load_event("api-me"), load_event("authorizer-request"))
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"tenant": "acme", "key_id": example_key.key_id}

    response = through_gateway(load_event("api-me"), load_event("authorizer-unknown-key"))
    assert response["statusCode"] == 401
    assert json.loads(response["body"])["error"]["code"] == "unauthorized"


def test_the_authorizer_refuses_a_revoked_key(example_key: Any) -> None:
    # Called directly, as API Gateway does once its cached answer (ReauthorizeEvery) expires.
    assert (
        through_gateway(load_event("api-me"), load_event("authorizer-request"))["statusCode"] == 200
    )
    KeyStore().revoke(example_key.key_id)
    response = through_gateway(load_event("api-me"), load_event("authorizer-request"))
    assert response["statusCode"] == 401


@pytest.fixture()
def limit_of_3(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def fresh_key_event(tenant: str = "acme") -> dict[str, Any]:
    auth_event = load_event("authorizer-request")
    auth_event["headers"]["authorization"] = f"Bearer {KeyStore().create_key(tenant).secret}"
    return auth_event


@pytest.mark.usefixtures("limit_of_3")
def test_over_the_rate_limit_is_429_with_retry_after(example_key: Any) -> None:
    # Four requests can straddle a minute boundary (the fourth then opens a fresh window); two
    # attempts with fresh keys cannot both straddle one.
    for _ in range(2):
        auth_event = fresh_key_event()
        responses = [through_gateway(load_event("api-me"), auth_event) for _ in range(4)]
        if responses[-1]["statusCode"] == 429:
            break
    assert [r["statusCode"] for r in responses] == [200, 200, 200, 429]
    refused = responses[-1]
    assert 1 <= int(refused["headers"]["Retry-After"]) <= 60
    assert json.loads(refused["body"])["error"]["code"] == "rate_limited"


@pytest.mark.usefixtures("limit_of_3")
def test_the_api_counts_even_when_the_authorizer_answer_is_cached(example_key: Any) -> None:
    # API Gateway calls the authorizer once and reuses its answer: the api still counts.
    for _ in range(2):
        decision = authorizer.handler(fresh_key_event(), None)
        statuses = []
        for _ in range(4):
            api_event = load_event("api-me")
            api_event["requestContext"]["authorizer"] = {"lambda": decision["context"]}
            statuses.append(api.handler(api_event, None)["statusCode"])
        if statuses[-1] == 429:
            break
    assert statuses == [200, 200, 200, 429]


@pytest.mark.usefixtures("limit_of_3")
def test_the_authorizer_counts_nothing(example_key: Any) -> None:
    auth_event = fresh_key_event()
    for _ in range(5):
        assert authorizer.handler(auth_event, None)["context"]["tenant"] == "acme"
    assert through_gateway(load_event("api-me"), auth_event)["statusCode"] == 200


@pytest.mark.usefixtures("limit_of_3")
def test_the_limit_is_per_key(example_key: Any) -> None:
    for _ in range(2):
        first, other = fresh_key_event("acme"), fresh_key_event("beta")
        statuses = [through_gateway(load_event("api-me"), first)["statusCode"] for _ in range(4)]
        other_status = through_gateway(load_event("api-me"), other)["statusCode"]
        if statuses[-1] == 429:
            break
    assert statuses == [200, 200, 200, 429]
    assert other_status == 200


@pytest.mark.usefixtures("limit_of_3")
def test_an_unavailable_rate_store_fails_open(
    example_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    decision = authorizer.handler(load_event("authorizer-request"), None)
    monkeypatch.setenv("TABLE_NAME", "no-such-table")  # the counter's UpdateItem fails
    get_settings.cache_clear()
    statuses = []
    for _ in range(5):
        api_event = load_event("api-me")
        api_event["requestContext"]["authorizer"] = {"lambda": decision["context"]}
        statuses.append(api.handler(api_event, None)["statusCode"])
    assert statuses == [200] * 5


def _closed_port() -> int:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _emf_metrics(out: str) -> list[dict[str, Any]]:
    """Every EMF line printed: its namespace, metric names, dimensions and each metric's sum."""
    found = []
    for line in out.splitlines():
        if line.startswith('{"_aws"'):
            emf = json.loads(line)
            (directive,) = emf["_aws"]["CloudWatchMetrics"]
            names = [m["Name"] for m in directive["Metrics"]]
            dimensions = {d: emf[d] for group in directive["Dimensions"] for d in group}
            found.append(
                {"namespace": directive["Namespace"], "names": names, "dimensions": dimensions}
                | {
                    name: sum(emf[name]) if isinstance(emf[name], list) else emf[name]
                    for name in names
                }
            )
    return found


@pytest.mark.usefixtures("limit_of_3")
def test_an_unreachable_rate_store_fails_open_and_counts_it(
    example_key: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The table is fine but DynamoDB cannot be reached from the api: every request is served,
    # and each one is counted in RateLimiterFailOpen (alarmed by RateLimiterFailOpenAlarm).
    decision = authorizer.handler(load_event("authorizer-request"), None)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{_closed_port()}")
    capsys.readouterr()
    statuses = []
    for _ in range(4):
        api_event = load_event("api-me")
        api_event["requestContext"]["authorizer"] = {"lambda": decision["context"]}
        statuses.append(api.handler(api_event, None)["statusCode"])
    assert statuses == [200] * 4  # over the limit of 3, yet nothing could count it
    fail_open = [m for m in _emf_metrics(capsys.readouterr().out) if "RateLimiterFailOpen" in m]
    assert [m["RateLimiterFailOpen"] for m in fail_open] == [1.0] * 4
    # The namespace is the environment's (the template sets linkcheck, the one its alarm reads).
    assert {m["namespace"] for m in fail_open} == {metrics.namespace}
    assert all(m["dimensions"] == {"service": "linkcheck"} for m in fail_open)
