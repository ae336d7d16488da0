"""Each operation of the served ``/openapi.json`` answers valid requests as it documents.

The document is read through the real handler (``GET /openapi.json``), and each operation gets
valid requests through the same handler against moto: the success status answered must be one
the operation documents, every documented success status must be answered by some valid
request (``POST /links`` answers 201 for a new link and 200 for one already registered), a
204 documents no body and answers none, and every other success documents its body's schema,
which the body answered must match. The links checked are on a local server (127.0.0.1),
so this module allows private networks, as ``linkcheck dev`` does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from jsonschema import Draft202012Validator

from linkcheck.handlers import api
from tests.e2e.servers import Reply, ScriptedServer

EVENTS = Path(__file__).resolve().parents[2] / "events"
TEMPLATE = json.loads((EVENTS / "api-me.json").read_text())


@dataclass(frozen=True)
class Call:
    """One valid request: ``path`` may name ``{link_id}``, ``{hook_id}`` or ``{audit_id}``
    made earlier."""

    method: str
    path: str
    body: Any = None
    query: dict[str, str] | None = None


def invoke(call: Call, ids: dict[str, str]) -> dict[str, Any]:
    path = call.path.format(**ids)
    event = copy.deepcopy(TEMPLATE)
    event["rawPath"] = path
    event["requestContext"]["http"].update(method=call.method, path=path)
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    if call.query is not None:
        event["rawQueryString"] = urlencode(call.query)
        event["queryStringParameters"] = dict(call.query)
    if call.body is not None:
        event["body"] = json.dumps(call.body)
        event["headers"]["content-type"] = "application/json"
    response: dict[str, Any] = api.handler(event, None)
    return response


@pytest.fixture()
def page() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        server.route("/page", Reply(200, headers={"Content-Type": "text/html"}, body=b"<p>hi</p>"))
        yield server


@pytest.fixture()
def private_allowed(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from linkcheck.settings import get_settings

    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()


def served_document() -> dict[str, Any]:
    response = invoke(Call("GET", "/openapi.json"), {})
    assert response["statusCode"] == 200
    document: dict[str, Any] = json.loads(response["body"])
    return document


def test_every_operation_answers_a_documented_success_status(
    private_allowed: None, page: ScriptedServer
) -> None:
    url = page.url("/page")
    calls = [
        Call("GET", "/me"),
        Call("GET", "/check", query={"url": url}),
        Call("POST", "/check", body={"url": url}),
        Call("POST", "/check", body={"urls": [url, url]}),
        Call("POST", "/links", body={"url": url}),  # new: 201
        Call("POST", "/links", body={"url": url}),  # already registered: 200
        Call("POST", "/links/batch", body={"links": [{"url": url}]}),
        Call("GET", "/links", query={"limit": "10"}),
        Call("GET", "/stats"),
        Call("GET", "/links/{link_id}"),
        Call("PATCH", "/links/{link_id}", body={"tags": ["docs"]}),
        Call("GET", "/links/{link_id}/history"),
        Call("POST", "/links/{link_id}/check"),
        Call("GET", "/events"),
        Call("DELETE", "/links/{link_id}"),
        Call("POST", "/hooks", body={"target_url": page.url("/hook")}),
        Call("GET", "/hooks"),
        Call("GET", "/hooks/{hook_id}"),
        Call("DELETE", "/hooks/{hook_id}"),
        Call("POST", "/audits", body={"url": url, "mode": "site", "max_pages": 5}),
        Call("GET", "/audits", query={"limit": "5"}),
        Call("GET", "/audits/{audit_id}"),
        Call("GET", "/audits/{audit_id}/links", query={"status": "ok"}),
        Call("DELETE", "/audits/{audit_id}"),
        Call(
            "POST",
            "/smartlinks",
            body={"slug": "status-test", "target_url": url, "fallback_url": page.url("/other")},
        ),
        Call("GET", "/smartlinks"),
        Call("GET", "/smartlinks/{slug}"),
        Call("DELETE", "/smartlinks/{slug}"),
    ]
    document = served_document()
    documented = {
        (method.upper(), path): {int(s) for s in operation["responses"] if int(s) < 400}
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    schemas = {
        (method.upper(), path, int(status)): response["content"]["application/json"]["schema"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if int(status) < 400 and int(status) != 204
    }
    answered: dict[tuple[str, str], set[int]] = {}
    ids: dict[str, str] = {}
    for call in calls:
        response = invoke(call, ids)
        status = response["statusCode"]
        key = (call.method, call.path)  # the documented path template
        assert key in documented, f"{key} is answered but not documented"
        assert status in documented[key], (key, status, documented[key], response.get("body"))
        answered.setdefault(key, set()).add(status)
        if status == 204:
            assert not response.get("body"), (key, response["body"])
            continue
        payload = json.loads(response["body"])
        schema = schemas[(call.method, call.path, status)]
        assert schema, f"{key} {status}: the body is not documented"
        body_errors = body_schema_errors(document, schema, payload)
        assert not body_errors, (key, status, body_errors)
        if call.path == "/links" and call.method == "POST":
            ids["link_id"] = payload["id"]
        if call.path == "/hooks" and call.method == "POST":
            ids["hook_id"] = payload["id"]
        if call.path == "/audits" and call.method == "POST":
            ids["audit_id"] = payload["id"]
        if call.path == "/smartlinks" and call.method == "POST":
            ids["slug"] = payload["slug"]
    assert answered == documented, "documented statuses no valid request answers (or untested)"


def body_schema_errors(document: dict[str, Any], schema: dict[str, Any], body: Any) -> list[str]:
    """Where ``body`` breaks the documented ``schema`` (its ``$ref``s point into the document)."""
    validator = Draft202012Validator({**schema, "components": document["components"]})
    return [
        f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(body)
    ]


def test_a_documented_body_schema_catches_a_body_that_breaks_it() -> None:
    document = served_document()
    link = document["paths"]["/links/{link_id}"]["get"]["responses"]["200"]
    schema = link["content"]["application/json"]["schema"]
    assert body_schema_errors(document, schema, {"id": "abc"})  # most fields missing


def test_a_204_documents_no_body() -> None:
    paths = json.loads(api.api_document())["paths"]
    no_content = [
        (method, path, operation["responses"]["204"])
        for path, item in paths.items()
        for method, operation in item.items()
        if "204" in operation["responses"]
    ]
    assert {(m, p) for m, p, _ in no_content} == {
        ("delete", "/links/{link_id}"),
        ("delete", "/hooks/{hook_id}"),
        ("delete", "/audits/{audit_id}"),
        ("delete", "/smartlinks/{slug}"),
    }
    for method, path, response in no_content:
        assert "content" not in response, (method, path)
        assert "200" not in paths[path][method]["responses"], (method, path)


def test_errors_are_documented_only_where_they_can_happen() -> None:
    paths = json.loads(api.api_document())["paths"]

    def errors(method: str, path: str) -> set[int]:
        return {int(s) for s in paths[path][method]["responses"] if int(s) >= 400}

    assert errors("get", "/me") == {401, 429, 500}  # nothing to validate, no id
    assert errors("get", "/stats") == {401, 429, 500}
    assert errors("get", "/links/{link_id}") == {401, 404, 429, 500}
    assert errors("get", "/links") == {401, 422, 429, 500}
    assert errors("post", "/links") == {400, 401, 413, 415, 422, 429, 500}
    assert errors("post", "/hooks") == {400, 401, 409, 413, 415, 422, 429, 500}
    assert errors("patch", "/links/{link_id}") == {400, 401, 404, 413, 415, 422, 429, 500}
    assert errors("post", "/audits") == {400, 401, 413, 415, 422, 429, 500}
    assert errors("get", "/audits/{audit_id}") == {401, 404, 429, 500}
    assert errors("get", "/audits/{audit_id}/links") == {401, 404, 422, 429, 500}
    assert errors("delete", "/audits/{audit_id}") == {401, 404, 429, 500}


@pytest.mark.parametrize(
    ("query", "status", "content_type"),
    [
        (None, 200, "text/html"),
        ({"format": "html"}, 200, "text/html"),
        ({"format": "json"}, 200, "application/json"),
        ({"format": "yaml"}, 400, "application/json"),
    ],
)
def test_docs_serves_the_document_as_json_on_request(
    query: dict[str, str] | None, status: int, content_type: str
) -> None:
    response = invoke(Call("GET", "/docs", query=query), {})
    assert response["statusCode"] == status
    assert response["headers"]["Content-Type"] == content_type
    if query == {"format": "json"}:
        assert json.loads(response["body"]) == served_document()
    if status == 400:
        error = json.loads(response["body"])["error"]
        assert error["field"] == "format" and "format=json" in error["message"]
