"""Registration refuses forbidden IP literals (links, batches, hooks) unless private networks
are allowed by the deployment (moto server, through the API handler)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from linkcheck.handlers import api
from linkcheck.settings import get_settings

EVENTS = Path(__file__).resolve().parents[2] / "events"


def request(name: str, body: Any) -> tuple[int, Any]:
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    event["body"] = json.dumps(body)
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = "acme"
    response = api.handler(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def listed_links() -> list[Any]:
    event = copy.deepcopy(json.loads((EVENTS / "api-links-list.json").read_text()))
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = "acme"
    event["rawQueryString"], event["queryStringParameters"] = "", None  # every link
    return list(json.loads(api.handler(event, None)["body"])["links"])


@pytest.fixture()
def public_only(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("url", "says"),
    [("http://10.0.0.1/", "private"), ("http://2130706433/", "loopback")],
)
def test_a_link_on_a_forbidden_address_is_refused(public_only: None, url: str, says: str) -> None:
    status, error = request("api-links-create", {"url": url})
    assert status == 422, error
    assert error["error"]["field"] == "url"
    assert says in error["error"]["message"]
    assert "not publicly routable" in error["error"]["message"]
    assert listed_links() == []  # nothing stored


def test_a_batch_refuses_only_the_forbidden_items(public_only: None) -> None:
    status, answer = request(
        "api-links-batch",
        {"links": [{"url": "https://example.com/a"}, {"url": "http://[::1]:8080/admin"}]},
    )
    assert status == 200, answer
    assert [r["status"] for r in answer["results"]] == ["created", "error"]
    refused = answer["results"][1]["error"]
    assert refused["code"] == "invalid_input" and "loopback" in refused["message"]
    assert [link["url"] for link in listed_links()] == ["https://example.com/a"]


def test_a_hook_on_a_decimal_loopback_address_is_refused(public_only: None) -> None:
    status, error = request("api-hooks-create", {"target_url": "http://2130706433/hook"})
    assert status == 422, error
    assert error["error"]["field"] == "target_url"
    assert "loopback" in error["error"]["message"]


def test_private_addresses_register_when_the_deployment_allows_them(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    status, link = request("api-links-create", {"url": "http://127.0.0.1:8080/page"})
    assert status == 201, link
    status, hook = request("api-hooks-create", {"target_url": "http://127.0.0.1:9/hook"})
    assert status == 201, hook
