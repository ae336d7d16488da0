"""The authorizer against moto, and its answer handed to the api handler as API Gateway does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linkcheck.handlers import api, authorizer
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


def test_a_revoked_key_is_refused_on_the_next_request(example_key: Any) -> None:
    assert (
        through_gateway(load_event("api-me"), load_event("authorizer-request"))["statusCode"] == 200
    )
    KeyStore().revoke(example_key.key_id)
    response = through_gateway(load_event("api-me"), load_event("authorizer-request"))
    assert response["statusCode"] == 401


def test_over_the_rate_limit_is_429_with_retry_after(
    example_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    get_settings.cache_clear()
    # Four requests can straddle a minute boundary (the fourth then opens a fresh window); two
    # attempts with fresh keys cannot both straddle one.
    for _ in range(2):
        new = KeyStore().create_key("acme")
        auth_event = load_event("authorizer-request")
        auth_event["headers"]["authorization"] = f"Bearer {new.secret}"
        responses = [through_gateway(load_event("api-me"), auth_event) for _ in range(4)]
        if responses[-1]["statusCode"] == 429:
            break
    get_settings.cache_clear()
    assert [r["statusCode"] for r in responses] == [200, 200, 200, 429]
    refused = responses[-1]
    assert 1 <= int(refused["headers"]["Retry-After"]) <= 60
    assert json.loads(refused["body"])["error"]["code"] == "rate_limited"


def test_the_limit_is_per_key(example_key: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "1")
    get_settings.cache_clear()
    other = KeyStore().create_key("beta")
    first = authorizer.handler(load_event("authorizer-request"), None)
    other_event = load_event("authorizer-request")
    other_event["headers"]["authorization"] = f"Bearer {other.secret}"
    other_first = authorizer.handler(other_event, None)
    get_settings.cache_clear()
    assert "retry_after" not in first["context"]
    assert "retry_after" not in other_first["context"]
    assert other_first["context"]["tenant"] == "beta"
