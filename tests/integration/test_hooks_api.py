"""``/hooks`` through the API handler (moto server): subscribe, list, unsubscribe, tenancy."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from linkcheck.handlers import api
from linkcheck.notify.signing import SECRET_PREFIX
from linkcheck.settings import get_settings

EVENTS = Path(__file__).resolve().parents[2] / "events"
PUBLIC_TARGET = "https://93.184.215.14/hooks/linkcheck"  # an IP literal: vetted without DNS


def request(
    name: str, *, body: Any = None, path: str | None = None, tenant: str = "acme"
) -> tuple[int, Any]:
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    if body is not None:
        event["body"] = json.dumps(body)
    if path is not None:
        event["rawPath"] = path
        event["requestContext"]["http"]["path"] = path
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = tenant
    response = api.handler(event, None)
    payload = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], payload


def test_subscribe_list_and_unsubscribe(aws_env: dict[str, str]) -> None:
    status, created = request(
        "api-hooks-create", body={"target_url": PUBLIC_TARGET, "event_types": ["link.broken"]}
    )
    assert status == 201, created
    assert created["id"].startswith("hook_")
    assert created["secret"].startswith(SECRET_PREFIX)
    assert created["target_url"] == PUBLIC_TARGET
    assert created["event_types"] == ["link.broken"]

    status, listed = request("api-hooks-list")
    assert status == 200
    assert [h["id"] for h in listed["hooks"]] == [created["id"]]
    assert "secret" not in listed["hooks"][0]  # shown once, at creation only

    status, _ = request("api-hooks-delete", path=f"/hooks/{created['id']}")
    assert status == 204
    assert request("api-hooks-list")[1] == {"hooks": []}
    status, error = request("api-hooks-delete", path=f"/hooks/{created['id']}")
    assert status == 404
    assert error["error"]["code"] == "not_found"


def test_another_tenants_hook_is_not_found(aws_env: dict[str, str]) -> None:
    _, created = request("api-hooks-create", body={"target_url": PUBLIC_TARGET})
    assert request("api-hooks-list", tenant="other")[1] == {"hooks": []}
    status, _ = request("api-hooks-delete", path=f"/hooks/{created['id']}", tenant="other")
    assert status == 404
    status, _ = request("api-hooks-list", path=f"/hooks/{created['id']}", tenant="other")
    assert status == 404
    # ... and the owner still has it
    status, hook = request("api-hooks-list", path=f"/hooks/{created['id']}")
    assert status == 200
    assert hook["id"] == created["id"]


@pytest.mark.parametrize(
    ("target_url", "says"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "metadata"),
        ("http://10.1.2.3/hook", "private"),
        ("http://localhost/hook", "local-only"),
        ("ftp://example.com/hook", "ftp"),
        ("https://user:pass@93.184.215.14/hook", "credentials"),
    ],
)
def test_targets_follow_the_ssrf_rules(aws_env: dict[str, str], target_url: str, says: str) -> None:
    status, error = request("api-hooks-create", body={"target_url": target_url})
    assert status == 422
    assert error["error"]["field"] == "target_url"
    assert says in error["error"]["message"].lower()
    assert request("api-hooks-list")[1] == {"hooks": []}  # nothing stored


def test_private_targets_are_allowed_only_when_the_stack_allows_them(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    status, created = request("api-hooks-create", body={"target_url": "http://127.0.0.1:9/x"})
    assert status == 201, created


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "target_url"),
        ({"target_url": PUBLIC_TARGET, "event_types": ["link.exploded"]}, "event_types"),
        ({"target_url": PUBLIC_TARGET, "colour": "red"}, "colour"),
        ({"target_url": 42}, "target_url"),
    ],
)
def test_bad_bodies_say_what_to_fix(aws_env: dict[str, str], body: Any, field: str) -> None:
    status, error = request("api-hooks-create", body=body)
    assert status in (400, 422), error
    assert field in json.dumps(error)
