"""``/links`` and ``/events`` through the API handler (moto server): registry behaviour."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from linkcheck.engine.verdict import CheckResult, Reason, Status
from linkcheck.handlers import api
from linkcheck.store.results import ResultStore, history_item

EVENTS = Path(__file__).resolve().parents[2] / "events"


def request(
    name: str,
    *,
    body: Any = None,
    path: str | None = None,
    query: dict[str, Any] | None = None,
    tenant: str = "acme",
) -> tuple[int, Any]:
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    if body is not None:
        event["body"] = json.dumps(body)
    if path is not None:
        event["rawPath"] = path
        event["requestContext"]["http"]["path"] = path
    if query is not None:
        event["rawQueryString"] = urlencode(query)
        event["queryStringParameters"] = {k: str(v) for k, v in query.items()}
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = tenant
    response = api.handler(event, None)
    payload = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], payload


def register(url: str, tenant: str = "acme", **extra: Any) -> tuple[int, Any]:
    return request("api-links-create", body={"url": url, **extra}, tenant=tenant)


def test_registration_is_idempotent_per_normalised_url(aws_env: dict[str, str]) -> None:
    status, link = register("https://Example.com:443/page#top", tags=["docs"])
    assert status == 201, link
    assert link["url"] == "https://example.com/page"
    assert link["status"] == "unchecked"
    assert link["interval_minutes"] == 1440  # the default
    assert link["tags"] == ["docs"]

    status, again = register("https://example.com/page")
    assert status == 200
    assert again["id"] == link["id"]

    status, same = request("api-links-get", path=f"/links/{link['id']}")
    assert status == 200 and same["url"] == link["url"] and same["next_check_at"]


def test_another_tenants_link_is_not_found(aws_env: dict[str, str]) -> None:
    _, link = register("https://example.com/secret", tenant="acme")
    for name, path in (
        ("api-links-get", f"/links/{link['id']}"),
        ("api-links-history", f"/links/{link['id']}/history"),
        ("api-links-delete", f"/links/{link['id']}"),
    ):
        status, error = request(name, path=path, tenant="globex")
        assert status == 404, (name, error)
        assert error["error"]["code"] == "not_found"
    status, listed = request("api-links-list", query={}, tenant="globex")
    assert status == 200 and listed["links"] == []
    # Same URL, other tenant: a separate link.
    status, theirs = register("https://example.com/secret", tenant="globex")
    assert status == 201 and theirs["id"] != link["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/file"}, "url"),
        ({"url": "https://user:pw@example.com/"}, "url"),
        ({"url": "https://example.com/", "interval_minutes": 1}, "interval_minutes"),
        ({"url": "https://example.com/", "interval_minutes": 50000}, "interval_minutes"),
        ({"url": "https://example.com/", "interval_seconds": 10}, "interval_seconds"),
        ({"url": "https://example.com/", "colour": "red"}, "colour"),
        ({"tags": ["x"]}, "url"),
    ],
)
def test_bad_registrations_say_what_to_fix(
    aws_env: dict[str, str], body: dict[str, Any], field: str
) -> None:
    status, error = request("api-links-create", body=body)
    assert status == 422, error
    assert field in (error["error"].get("field") or ""), error
    assert error["error"]["message"]
    assert request("api-links-list", query={})[1]["links"] == []  # nothing stored


def test_batch_reports_per_item_and_one_bad_item_does_not_sink_the_rest(
    aws_env: dict[str, str],
) -> None:
    register("https://example.com/b")
    status, answer = request(
        "api-links-batch",
        body={
            "links": [
                {"url": "https://example.com/a", "tags": ["x"]},
                {"url": "https://example.com/b"},
                {"url": "nope://example.com/c"},
                {"url": "https://example.com/d", "interval_minutes": 2},
            ]
        },
    )
    assert status == 200, answer
    assert [r["status"] for r in answer["results"]] == ["created", "existing", "error", "error"]
    assert answer["results"][2]["error"]["field"] == "url"
    assert answer["results"][3]["error"]["field"] == "interval_minutes"
    assert (answer["created"], answer["existing"], answer["error"]) == (1, 1, 2)
    assert len(request("api-links-list", query={})[1]["links"]) == 2


def test_a_batch_item_that_is_not_an_object_gets_its_own_error(aws_env: dict[str, str]) -> None:
    items = [7, {"url": "https://example.com/a"}, "https://example.com/b", None, [], True]
    status, answer = request("api-links-batch", body={"links": items})
    assert status == 200, answer
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["error", "created", "error", "error", "error", "error"]
    assert [r["index"] for r in answer["results"]] == list(range(6))
    for index, says in ((0, "a number"), (2, "a string"), (3, "null"), (4, "an array")):
        error = answer["results"][index]["error"]
        assert error["code"] == "invalid_input"
        assert "must be a JSON object" in error["message"] and says in error["message"]
    assert (answer["created"], answer["existing"], answer["error"]) == (1, 0, 5)
    listed = request("api-links-list", query={})[1]["links"]
    assert [link["url"] for link in listed] == ["https://example.com/a"]


def test_batch_over_the_limit_is_refused(aws_env: dict[str, str]) -> None:
    links = [{"url": f"https://example.com/{i}"} for i in range(1001)]
    status, error = request("api-links-batch", body={"links": links})
    assert status == 413, error
    assert request("api-links-list", query={})[1]["links"] == []


def test_cursor_pagination_and_filters(aws_env: dict[str, str]) -> None:
    request(
        "api-links-batch",
        body={
            "links": [
                {"url": f"https://{'a' if i % 2 else 'b'}.example.com/{i}", "tags": [f"t{i % 3}"]}
                for i in range(7)
            ]
        },
    )
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        query: dict[str, Any] = {"limit": 3}
        if cursor:
            query["cursor"] = cursor
        status, page = request("api-links-list", query=query)
        assert status == 200 and len(page["links"]) <= 3
        seen.extend(link["id"] for link in page["links"])
        cursor = page["cursor"]
        if not cursor:
            break
    assert len(seen) == 7 == len(set(seen))

    hosts = request("api-links-list", query={"host": "a.example.com"})[1]["links"]
    assert {link["host"] for link in hosts} == {"a.example.com"} and len(hosts) == 3
    tagged = request("api-links-list", query={"tag": "t0", "limit": 1})
    assert tagged[0] == 200
    assert request("api-links-list", query={"status": "unchecked"})[1]["links"]
    assert request("api-links-list", query={"status": "broken"})[1]["links"] == []
    assert request("api-links-list", query={"status": "dead"})[0] == 422
    status, error = request("api-links-list", query={"cursor": "not-a-cursor"})
    assert status == 422 and error["error"]["field"] == "cursor"


def test_update_and_delete(aws_env: dict[str, str]) -> None:
    _, link = register("https://example.com/p")
    path = f"/links/{link['id']}"
    status, changed = request(
        "api-links-update", path=path, body={"interval_minutes": 60, "notify": False, "tags": []}
    )
    assert status == 200, changed
    assert (changed["interval_minutes"], changed["notify"], changed["tags"]) == (60, False, [])
    assert request("api-links-update", path=path, body={"interval_minutes": 0})[0] == 422
    assert request("api-links-delete", path=path)[0] == 204
    assert request("api-links-get", path=path)[0] == 404
    assert request("api-links-update", path=path, body={"notify": True})[0] == 404


def _result(checked_at: str, status: Status = Status.OK) -> CheckResult:
    reason = Reason.HTTP_2XX if status is Status.OK else Reason.HTTP_404
    return CheckResult(
        url="https://example.com/h", status=status, reason=reason, detail="", checked_at=checked_at
    )


def test_history_is_newest_first_paginated_and_expires(aws_env: dict[str, str]) -> None:
    _, link = register("https://example.com/h")
    results = ResultStore()
    items = [
        history_item(
            "acme",
            link["id"],
            _result("2020-01-01T00:00:00.000Z"),
            state="ok",
            seq=1,
            retention_days=1,
        ),  # long expired
        *(
            history_item(
                "acme",
                link["id"],
                _result(f"2099-01-0{day}T00:00:00.000Z"),
                state="ok",
                seq=day,
                retention_days=90,
            )
            for day in (1, 2, 3)
        ),
    ]
    results.put_many(items)
    path = f"/links/{link['id']}/history"
    status, first = request("api-links-history", path=path, query={"limit": 2})
    assert status == 200, first
    assert [r["checked_at"][:10] for r in first["results"]] == ["2099-01-03", "2099-01-02"]
    _, rest = request("api-links-history", path=path, query={"limit": 2, "cursor": first["cursor"]})
    assert [r["checked_at"][:10] for r in rest["results"]] == ["2099-01-01"]
    # The expired one is filtered out even though moto never deletes it.


def test_events_feed_is_empty_for_a_new_tenant(aws_env: dict[str, str]) -> None:
    status, feed = request("api-events-list", query={}, tenant="nobody")
    assert status == 200 and feed == {"events": [], "cursor": None}
