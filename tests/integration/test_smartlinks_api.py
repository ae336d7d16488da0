"""``/smartlinks`` through the API handler (moto server): create, list, read, delete, the 409s,
and tenancy (one tenant can never read or change another's smart link)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from linkcheck import aws
from linkcheck.awsrequest.dynamodb_codec import from_item
from linkcheck.handlers import api

EVENTS = Path(__file__).resolve().parents[2] / "events"
TARGET = "https://93.184.215.14/spring/video"  # IP literals: vetted without DNS
FALLBACK = "https://93.184.215.14/shop"


def request(
    name: str,
    *,
    body: Any = None,
    path: str | None = None,
    tenant: str = "acme",
    method: str | None = None,
    query: dict[str, str] | None = None,
) -> tuple[int, Any]:
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    if body is not None:
        event["body"] = json.dumps(body)
        event["headers"]["content-length"] = str(len(event["body"]))
    if path is not None:
        event["rawPath"] = path
        event["requestContext"]["http"]["path"] = path
    if method is not None:
        event["requestContext"]["http"]["method"] = method
    if query is not None:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = tenant
    response = api.handler(event, None)
    payload = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], payload


def create(slug: str | None = "spring-sale", tenant: str = "acme", **urls: str) -> tuple[int, Any]:
    body: dict[str, Any] = {"target_url": TARGET, "fallback_url": FALLBACK, **urls}
    if slug is not None:
        body["slug"] = slug
    return request("api-smartlinks-create", body=body, tenant=tenant)


def slug_item(slug: str, table: str) -> dict[str, Any] | None:
    item = (
        aws.dynamodb()
        .get_item(TableName=table, Key={"pk": {"S": f"SLUG#{slug}"}, "sk": {"S": "SLUG"}})
        .get("Item")
    )
    return from_item(item) if item else None


def test_create_list_get_and_delete(aws_env: dict[str, str]) -> None:
    status, created = create()
    assert status == 201, created
    assert created["slug"] == "spring-sale"
    assert created["target_url"] == TARGET and created["fallback_url"] == FALLBACK
    assert created["serving"] == "target"  # an unchecked target is served
    assert created["redirect_url"] == (
        "https://abc123.execute-api.us-east-1.amazonaws.com/r/spring-sale"
    )
    assert created["clicks_today"] == 0 and created["clicks_total"] == 0
    # Both URLs are registered links of the tenant, tagged with the smart link
    status, target = request("api-links-get", path=f"/links/{created['target_link_id']}")
    assert status == 200 and target["url"] == TARGET
    assert "smartlink:spring-sale" in target["tags"]
    status, fallback = request("api-links-get", path=f"/links/{created['fallback_link_id']}")
    assert status == 200 and fallback["url"] == FALLBACK

    status, listed = request("api-smartlinks-list")
    assert status == 200
    assert [s["slug"] for s in listed["smartlinks"]] == ["spring-sale"]
    assert listed["cursor"] is None

    status, detail = request("api-smartlinks-get")
    assert status == 200
    assert detail["slug"] == "spring-sale" and detail["serving"] == "target"
    assert len(detail["clicks"]) == 30 and all(day["count"] == 0 for day in detail["clicks"])

    status, _ = request("api-smartlinks-delete")
    assert status == 204
    assert request("api-smartlinks-get")[0] == 404
    assert slug_item("spring-sale", aws_env["TABLE_NAME"]) is None
    assert request("api-smartlinks-list")[1]["smartlinks"] == []
    # The links stay registered, and can now be deleted
    path = f"/links/{created['target_link_id']}"
    assert request("api-links-delete", path=path)[0] == 204


def test_a_generated_slug_is_short_and_url_safe(aws_env: dict[str, str]) -> None:
    status, created = create(slug=None)
    assert status == 201, created
    assert len(created["slug"]) == 9 and created["slug"].isalnum()
    assert request("api-smartlinks-get", path=f"/smartlinks/{created['slug']}")[0] == 200


def test_deleting_a_link_a_smart_link_uses_is_a_conflict_naming_it(
    aws_env: dict[str, str],
) -> None:
    _, created = create()
    for link_id in (created["target_link_id"], created["fallback_link_id"]):
        status, error = request("api-links-delete", path=f"/links/{link_id}")
        assert status == 409
        assert error["error"]["code"] == "conflict"
        assert "spring-sale" in error["error"]["message"]
    assert request("api-smartlinks-delete")[0] == 204
    for link_id in (created["target_link_id"], created["fallback_link_id"]):
        assert request("api-links-delete", path=f"/links/{link_id}")[0] == 204


def test_a_taken_slug_is_a_conflict_for_anyone(aws_env: dict[str, str]) -> None:
    assert create()[0] == 201
    status, error = create()
    assert status == 409 and "taken" in error["error"]["message"]
    status, error = create(tenant="other", target_url="https://93.184.215.14/other")
    assert status == 409 and error["error"]["field"] == "slug"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "ab"}, "slug"),
        ({"slug": "no spaces"}, "slug"),
        ({"slug": "Docs"}, "slug"),  # reserved, whatever its case
        ({"slug": "x" * 65}, "slug"),
        ({"fallback_url": TARGET}, "fallback_url"),
        ({"target_url": "http://127.0.0.1/admin"}, "target_url"),
        ({"fallback_url": "http://169.254.169.254/latest"}, "fallback_url"),
        ({"target_url": "not a url"}, "target_url"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field(
    body: dict[str, Any], field: str, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    status, error = request(
        "api-smartlinks-create",
        body={"slug": "fine-slug", "target_url": TARGET, "fallback_url": FALLBACK, **body},
    )
    assert status == 422, error
    assert error["error"]["field"] == field
    assert request("api-links-list")[1]["links"] == []  # nothing registered for a refusal


def test_one_tenant_can_never_read_or_change_another_tenants_smart_link(
    aws_env: dict[str, str],
) -> None:
    _, created = create()
    path = "/smartlinks/spring-sale"
    assert request("api-smartlinks-get", path=path, tenant="intruder")[0] == 404
    assert request("api-smartlinks-delete", path=path, tenant="intruder")[0] == 404
    assert request("api-smartlinks-list", tenant="intruder")[1]["smartlinks"] == []
    # Creating the same slug elsewhere changes nothing of the owner's
    status, _ = create(tenant="intruder", target_url="https://93.184.215.14/evil")
    assert status == 409
    item = slug_item("spring-sale", aws_env["TABLE_NAME"])
    assert item is not None
    assert item["tenant"] == "acme" and item["target_url"] == TARGET
    # Another tenant's links cannot be freed by deleting through its own key space either
    other = request("api-links-delete", path=f"/links/{created['target_link_id']}", tenant="x")
    assert other[0] == 404
    assert request("api-smartlinks-get", path=path)[0] == 200


def test_the_list_pages_with_a_cursor(aws_env: dict[str, str]) -> None:
    for n in range(3):
        assert create(slug=f"page-{n}", target_url=f"https://93.184.215.14/t{n}")[0] == 201
    status, first = request("api-smartlinks-list", query={"limit": "2"})
    assert status == 200 and len(first["smartlinks"]) == 2 and first["cursor"]
    status, second = request("api-smartlinks-list", query={"limit": "2", "cursor": first["cursor"]})
    assert [s["slug"] for s in first["smartlinks"] + second["smartlinks"]] == [
        "page-0",
        "page-1",
        "page-2",
    ]
    assert second["cursor"] is None


def test_a_cursor_never_leaves_the_callers_partition(aws_env: dict[str, str]) -> None:
    import base64

    for n in range(2):
        assert create(slug=f"mine-{n}", target_url=f"https://93.184.215.14/m{n}")[0] == 201
    _, page = request("api-smartlinks-list", query={"limit": "1"})
    forged = base64.urlsafe_b64encode(b'{"pk": "T#acme", "sk": "SMART#"}').decode().rstrip("=")
    for cursor in (page["cursor"], forged):
        status, other = request(
            "api-smartlinks-list", query={"limit": "10", "cursor": cursor}, tenant="globex"
        )
        assert status == 200 and other["smartlinks"] == []
    links_cursor = base64.urlsafe_b64encode(b'{"sk": "LINK#x"}').decode().rstrip("=")
    status, error = request("api-smartlinks-list", query={"cursor": links_cursor})
    assert status == 422 and error["error"]["field"] == "cursor"


def test_a_generated_slug_that_is_taken_is_drawn_again(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkcheck.store import smartlinks

    assert create(slug="taken-one")[0] == 201
    drawn = iter(["taken-one", "fresh-one"])
    monkeypatch.setattr(smartlinks, "new_slug", lambda: next(drawn))
    status, created = create(slug=None, target_url="https://93.184.215.14/other")
    assert status == 201, created
    assert created["slug"] == "fresh-one"
    _, target = request("api-links-get", path=f"/links/{created['target_link_id']}")
    assert target["tags"] == ["smartlink:fresh-one"]
    assert slug_item("taken-one", aws_env["TABLE_NAME"])["target_url"] == TARGET  # type: ignore[index]


def test_a_target_serves_a_bounded_number_of_smart_links(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkcheck.store import smartlinks

    monkeypatch.setattr(smartlinks, "MAX_SMARTLINKS_PER_LINK", 2)
    assert create(slug="first")[0] == 201
    assert create(slug="second", fallback_url="https://93.184.215.14/b")[0] == 201
    status, error = create(slug="third", fallback_url="https://93.184.215.14/c")
    assert status == 409 and error["error"]["field"] == "target_url"
