"""The local stack's pure parts: wiring read from template.yaml, routing, filters, the
authorizer cache. No servers (these sit in integration only because they read the template)."""

from __future__ import annotations

from typing import Any

import pytest

from linkcheck.local.api_gateway import AuthorizerGate, HttpRequest, RouteTable, http_event
from linkcheck.local.event_filter import matches, matches_any
from linkcheck.local.functions import LocalFunction
from linkcheck.local.stack import _default_template
from linkcheck.local.wiring import AuthorizerSpec, FunctionSpec, Route


def test_wiring_comes_from_the_template() -> None:
    template, wiring = _default_template()
    resources = template["Resources"]
    assert set(wiring.functions) == {
        name for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"
    }
    assert wiring.functions["ApiFunction"].handler == "linkcheck.handlers.api.handler"
    keys = {route.route_key: route for route in wiring.routes}
    assert keys["ANY /{proxy+}"].authorizer == "LambdaAuth"
    assert keys["GET /docs"].authorizer is None
    assert keys["GET /openapi.json"].authorizer is None
    auth = wiring.authorizers["LambdaAuth"]
    assert auth.function == "AuthorizerFunction"
    assert auth.identity_headers == ("authorization",)
    assert {(s.queue, s.function) for s in wiring.queue_sources} >= {
        ("ChecksQueue", "WorkerFunction"),
        ("DeliveriesQueue", "WebhookFunction"),
    }
    (stream,) = wiring.stream_sources
    assert (stream.table, stream.function) == ("Table", "NotifierFunction")
    assert stream.report_item_failures and stream.on_failure_queue == "NotifierFailureQueue"
    assert [s.function for s in wiring.schedules] == ["SweepFunction"]


def test_routes_prefer_the_most_specific_path() -> None:
    table = RouteTable(
        [
            Route("ANY", "/{proxy+}", "Api", "auth"),
            Route("GET", "/docs", "Api", None),
            Route("GET", "/links/{id}", "Api", "auth"),
            Route("ANY", "/links/{id}", "Other", "auth"),
        ]
    )
    assert table.match("GET", "/docs") == (table.routes[1], {})
    assert table.match("POST", "/docs") == (table.routes[0], {"proxy": "docs"})
    assert table.match("GET", "/links/a%20b") == (table.routes[2], {"id": "a b"})
    assert table.match("DELETE", "/links/x")[0].function == "Other"  # type: ignore[index]
    assert table.match("GET", "/links/x/history")[0].path == "/{proxy+}"  # type: ignore[index]
    assert table.match("GET", "/") is None


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "event"}}}}, True),
        ({"eventName": "MODIFY", "dynamodb": {"NewImage": {"kind": {"S": "event"}}}}, False),
        ({"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "link"}}}}, False),
        ({"eventName": "INSERT", "dynamodb": {"Keys": {}}}, False),
        ({"eventName": "REMOVE"}, False),
    ],
)
def test_stream_filter_of_the_template(record: dict[str, Any], expected: bool) -> None:
    _, wiring = _default_template()
    assert matches_any(wiring.stream_sources[0].filter_patterns, record) is expected


def test_filter_matchers() -> None:
    assert matches({"a": [{"exists": False}]}, {"b": 1})
    assert not matches({"a": [{"exists": True}]}, {"b": 1})
    assert matches({"a": [{"prefix": "link."}]}, {"a": "link.broken"})
    assert matches({"a": ["x"]}, {"a": ["y", "x"]})
    assert matches_any([], {"anything": 1})


def test_authorizer_results_are_cached_by_identity_for_the_ttl() -> None:
    calls: list[list[str]] = []

    def authorizer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(event["identitySource"])
        return {"isAuthorized": event["identitySource"] == ["Bearer a"], "context": {"n": 1}}

    now = [0.0]
    spec = AuthorizerSpec("Auth", "Fn", ("$request.header.Authorization",), 300, True, "2.0")
    function = LocalFunction(FunctionSpec("Fn", "x.handler", 5, 128, {}), handler=authorizer)
    gate = AuthorizerGate(spec, function, clock=lambda: now[0])
    route = Route("ANY", "/{proxy+}", "Api", "Auth")

    def check(value: str) -> Any:
        request = HttpRequest("GET", "/me", "", [("Authorization", value)])
        return gate.check(http_event(request, route.route_key, {}, request_id="r"), route)

    assert check("Bearer a").allowed and check("Bearer a").allowed
    assert not check("Bearer b").allowed and not check("Bearer b").allowed
    assert calls == [["Bearer a"], ["Bearer b"]]  # one call per identity
    now[0] = 301
    assert check("Bearer a").allowed
    assert len(calls) == 3  # expired: asked again
