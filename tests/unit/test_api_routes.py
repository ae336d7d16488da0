"""The route table (handlers/routes/table.py) and the resolver serve the same routes.

What the resolver serves is read through public means only: the operations of its OpenAPI
document, and requests to the routes left out of that document (``/docs``, ``/openapi.json``
and the dashboard's). Methods the table does not list are answered 405 with its ``Allow``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcheck.handlers import api
from linkcheck.handlers.routes.table import ROUTES, allowed_methods, endpoint
from linkcheck.settings import get_settings

EVENTS = Path(__file__).resolve().parents[2] / "events"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Served but not operations of the API: its documentation, the dashboard, ``/`` leading there.
UNDOCUMENTED = {"/docs": 200, "/openapi.json": 200, "/ui": 200, "/ui/<asset>": 200, "/": 302}


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Only requests that never reach a store are sent: no DynamoDB, no counter.
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def request(method: str, path: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "api-wrong-method.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    response: dict[str, Any] = api.handler(event, None)
    return response


def concrete(pattern: str) -> str:
    return re.sub(r"<(\w+)>", r"some-\1", pattern)


def test_the_documented_operations_are_the_tables_documented_routes() -> None:
    paths = json.loads(api.api_document())["paths"]
    documented = {
        re.sub(r"\{(\w+)\}", r"<\1>", path): frozenset(method.upper() for method in item)
        for path, item in paths.items()
    }
    assert documented == {p: m for p, m in ROUTES.items() if p not in UNDOCUMENTED}


@pytest.mark.parametrize(("pattern", "status"), sorted(UNDOCUMENTED.items()))
def test_the_undocumented_routes_are_served(pattern: str, status: int) -> None:
    path = pattern.replace("<asset>", "app.js")
    assert request("GET", path)["statusCode"] == status


@pytest.mark.parametrize("pattern", sorted(ROUTES))
def test_a_method_outside_the_table_is_405_with_the_tables_allow(pattern: str) -> None:
    # /links/batch is also a /links/<link_id>: its path allows the methods of both.
    path = concrete(pattern)
    allowed = allowed_methods(path)
    assert allowed >= ROUTES[pattern]
    for method in sorted(set(METHODS) - allowed):
        response = request(method, path)
        assert response["statusCode"] == 405, (method, pattern)
        allow = {m.strip() for m in response["headers"]["Allow"].split(",")}
        assert allow == allowed, (method, pattern)


def test_allowed_methods_match_whole_segments_only() -> None:
    assert allowed_methods("/links/abc") == {"GET", "PATCH", "DELETE"}
    assert allowed_methods("/links/batch") == {"POST", "GET", "PATCH", "DELETE"}
    assert allowed_methods("/links/a/b") == set()
    assert allowed_methods("/openapi_json") == set()
    assert allowed_methods("/nowhere") == set()


def test_a_route_missing_from_the_table_cannot_be_registered() -> None:
    assert endpoint("/links", "POST") == ("/links", "POST")
    with pytest.raises(LookupError, match="PUT /links"):
        endpoint("/links", "PUT")
    with pytest.raises(LookupError):
        endpoint("/unlisted", "GET")
