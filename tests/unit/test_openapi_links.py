"""The OpenAPI ``links`` of the document: each names an operation that exists and takes the id."""

from __future__ import annotations

import json
from typing import Any

from linkcheck.handlers.api import api_document
from linkcheck.handlers.routes.openapi_links import operation_ref


def resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    """The object a local JSON pointer (``#/paths/~1links/post``) names."""
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return dict(node)


def test_operation_refs_are_json_pointers_of_the_document_paths() -> None:
    assert (
        operation_ref("/links/<link_id>/check", "POST") == "#/paths/~1links~1{link_id}~1check/post"
    )
    assert operation_ref("/a~b", "GET") == "#/paths/~1a~0b/get"


def test_every_link_leads_to_an_operation_taking_the_id_as_a_path_parameter() -> None:
    document = json.loads(api_document())
    seen = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                for name, link in response.get("links", {}).items():
                    target = resolve(document, link["operationRef"])
                    path_parameters = {
                        p["name"] for p in target.get("parameters", []) if p["in"] == "path"
                    }
                    assert set(link["parameters"]) == path_parameters, name
                    assert set(link["parameters"].values()) == {"$response.body#/id"}
                    body = response["content"]["application/json"]["schema"]["$ref"]
                    assert "id" in resolve(document, body)["required"], (path, status)
                    seen.add((method.upper(), path, status, name))
    assert {(m, p) for m, p, _, _ in seen} == {("POST", "/links"), ("POST", "/hooks")}
    assert len(seen) == 2 * 5 + 2  # 201 and 200 of POST /links, 201 of POST /hooks
