"""API Gateway HTTP API (v2) semantics, without sockets: routes, events, authorizer, responses.

Given an HTTP request this module picks the route the way API Gateway does (most specific path
first, greedy ``{proxy+}`` last), builds the payload 2.0 event AWS would send, applies the Lambda
authorizer with API Gateway's own rules (identity header missing: 401 without calling it;
results cached by identity value for the TTL, concurrent requests with one uncached identity
waiting for a single call; deny: 403), and turns the handler's result back
into an HTTP response. ``http_front.py`` puts it on a socket.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from .functions import ACCOUNT_ID, Function, FunctionFailed, FunctionNotReady
from .wiring import AuthorizerSpec, Route

log = logging.getLogger("linkcheck.dev")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
API_ID = "local"
STAGE = "$default"

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
_TEXT_SUFFIXES = ("+json", "+xml")
_TEXT_EXACT = ("application/x-www-form-urlencoded", "application/yaml", "application/graphql")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # raw path, without the query string
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ",".join(values) if values else None


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def gateway_error(status: int, message: str) -> HttpResponse:
    """API Gateway's own error responses: ``{"message": "..."}``."""
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)


# ---------------------------------------------------------------------------------- routing


class RouteTable:
    def __init__(self, routes: list[Route]) -> None:
        self.routes = list(routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The most specific route for method and path, with its path parameters."""
        found: list[tuple[tuple[int, int, int, int], Route, dict[str, str]]] = []
        for route in self.routes:
            if route.method not in ("ANY", method.upper()):
                continue
            params = _match_path(route.path, path)
            if params is None:
                continue
            segments = route.path.strip("/").split("/")
            greedy = int(any(s.endswith("+}") for s in segments))
            literals = sum(1 for s in segments if not s.startswith("{"))
            rank = (greedy, -literals, len(segments) - literals, int(route.method == "ANY"))
            found.append((rank, route, params))
        if not found:
            return None
        _, route, params = min(found, key=lambda item: item[0])
        return route, params


def _match_path(template: str, path: str) -> dict[str, str] | None:
    wanted = [segment for segment in template.split("/") if segment]
    given = path.strip("/").split("/") if path.strip("/") else []
    params: dict[str, str] = {}
    for index, segment in enumerate(wanted):
        if segment.startswith("{") and segment.endswith("+}"):  # greedy: the rest, not empty
            rest = given[index:]
            if not rest:
                return None
            params[segment[1:-2]] = unquote("/".join(rest))
            return params
        if index >= len(given):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            if not given[index]:
                return None
            params[segment[1:-1]] = unquote(given[index])
        elif segment != given[index]:
            return None
    return params if len(given) == len(wanted) else None


# ---------------------------------------------------------------------------------- events


def _is_text(content_type: str | None) -> bool:
    if not content_type:
        return True  # API Gateway passes bodies without a type as text
    kind = content_type.split(";")[0].strip().lower()
    return kind.startswith(_TEXT_TYPES) or kind.endswith(_TEXT_SUFFIXES) or kind in _TEXT_EXACT


def _headers_and_cookies(request: HttpRequest) -> tuple[dict[str, str], list[str]]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":  # payload 2.0 moves cookies out of the headers
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    return headers, cookies


def _query_parameters(raw_query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        params[name] = f"{params[name]},{value}" if name in params else value
    return params


def http_event(
    request: HttpRequest,
    route_key: str,
    path_parameters: dict[str, str],
    *,
    request_id: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The API Gateway HTTP API payload format 2.0 event for this request."""
    now = now or datetime.now(UTC)
    headers, cookies = _headers_and_cookies(request)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": headers.get("host", "127.0.0.1"),
            "domainPrefix": headers.get("host", "127.0.0.1").split(".")[0],
            "http": {
                "method": request.method.upper(),
                "path": request.path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": STAGE,
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    query = _query_parameters(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if request.body:
        text = None
        if _is_text(headers.get("content-type")):
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        if text is None:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
        else:
            event["body"] = text
    return event


def authorizer_event(
    http: dict[str, Any], route: Route, identity: list[str], region: str
) -> dict[str, Any]:
    """The payload 2.0 REQUEST authorizer event API Gateway sends for a request."""
    method = http["requestContext"]["http"]["method"]
    route_arn = (
        f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{API_ID}/{STAGE}/{method}{http['rawPath']}"
    )
    event = {
        key: value
        for key, value in http.items()
        if key not in ("body", "isBase64Encoded", "stageVariables")
    }
    event.update({"type": "REQUEST", "routeArn": route_arn, "identitySource": identity})
    return event


# ---------------------------------------------------------------------------------- responses


def to_http_response(result: Any) -> HttpResponse:
    """Translate a payload 2.0 handler result into HTTP, as API Gateway does."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Without a statusCode, API Gateway assumes 200 and a JSON body of the whole result.
        text = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, [("content-type", "application/json")], text.encode())
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), str(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(v)) for v in values)
    headers.extend(("set-cookie", str(c)) for c in result.get("cookies") or [])
    raw = result.get("body")
    if raw is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw)
    else:
        body = (raw if isinstance(raw, str) else json.dumps(raw)).encode()
    if not any(name.lower() == "content-type" for name, _ in headers) and body:
        headers.append(("content-type", "application/json"))
    return HttpResponse(int(result["statusCode"]), headers, body)


# ---------------------------------------------------------------------------------- authorizer


@dataclass(frozen=True)
class AuthorizerDecision:
    allowed: bool
    context: dict[str, Any]


class AuthorizerGate:
    """A Lambda authorizer in front of routes, with API Gateway's identity rules and cache."""

    def __init__(
        self,
        spec: AuthorizerSpec,
        function: Function,
        *,
        region: str = "us-east-1",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.function = function
        self.region = region
        self.clock = clock
        self.calls = 0  # how many times the authorizer function ran (tests check the cache)
        self._cache: dict[tuple[str, ...], tuple[float, AuthorizerDecision]] = {}
        self._pending: dict[tuple[str, ...], threading.Event] = {}  # authorizer calls under way
        self._lock = threading.Lock()

    def check(self, http: dict[str, Any], route: Route) -> AuthorizerDecision | HttpResponse:
        headers: dict[str, str] = http["headers"]
        identity = [headers.get(name, "") for name in self.spec.identity_headers]
        if not identity or not all(identity):
            return gateway_error(401, "Unauthorized")  # the authorizer is not called
        key = tuple(identity)
        ttl = self.spec.cache_ttl_seconds
        if ttl <= 0:
            return self._authorize(http, route, identity)
        while True:
            with self._lock:
                cached = self._cache.get(key)
                if cached and cached[0] > self.clock():
                    return cached[1]
                pending = self._pending.get(key)
                if pending is None:
                    pending = self._pending[key] = threading.Event()
                    break
            # Locally, a burst of requests with one new key asks the authorizer once and the
            # others wait for its answer (each would start its own environment otherwise).
            pending.wait(self.function.spec.timeout_seconds + 1.0)
        try:
            decision = self._authorize(http, route, identity)
            if isinstance(decision, AuthorizerDecision):
                with self._lock:
                    self._cache[key] = (self.clock() + ttl, decision)
            return decision
        finally:
            with self._lock:
                self._pending.pop(key, None)
            pending.set()

    def _authorize(
        self, http: dict[str, Any], route: Route, identity: list[str]
    ) -> AuthorizerDecision | HttpResponse:
        try:
            result = self.function.invoke(authorizer_event(http, route, identity, self.region))
            with self._lock:
                self.calls += 1
        except (FunctionNotReady, FunctionFailed):
            return gateway_error(500, "Internal Server Error")
        decision = self._decision(result)
        if decision is None:
            log.error("%s returned an invalid authorizer response", self.function.name)
            return gateway_error(500, "Internal Server Error")
        return decision

    def _decision(self, result: Any) -> AuthorizerDecision | None:
        if not isinstance(result, dict):
            return None
        context = result.get("context") or {}
        if self.spec.simple_responses and "isAuthorized" in result:
            return AuthorizerDecision(result["isAuthorized"] is True, dict(context))
        statements = (result.get("policyDocument") or {}).get("Statement") or []
        if not statements:
            return None
        allowed = all(s.get("Effect") == "Allow" for s in statements)
        return AuthorizerDecision(allowed, dict(context))


# ---------------------------------------------------------------------------------- the API


class HttpApi:
    """Routes, authorizers and functions together: one request in, one response out."""

    def __init__(
        self,
        routes: RouteTable,
        functions: dict[str, Function],
        authorizers: dict[str, AuthorizerGate],
    ) -> None:
        self.routes = routes
        self.functions = functions
        self.authorizers = authorizers

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        response = self._handle(request, request_id)
        response.headers.append(("apigw-requestid", request_id))
        return response

    def _handle(self, request: HttpRequest, request_id: str) -> HttpResponse:
        if len(request.body) > MAX_BODY_BYTES:
            return gateway_error(413, "Request Entity Too Large")
        matched = self.routes.match(request.method, request.path)
        if matched is None:
            return gateway_error(404, "Not Found")
        route, params = matched
        event = http_event(request, route.route_key, params, request_id=request_id)
        if route.authorizer is not None:
            gate = self.authorizers[route.authorizer]
            decision = gate.check(event, route)
            if isinstance(decision, HttpResponse):
                return decision
            if not decision.allowed:
                return gateway_error(403, "Forbidden")
            event["requestContext"]["authorizer"] = {"lambda": decision.context}
        function = self.functions[route.function]
        try:
            result = function.invoke(event)
        except (FunctionNotReady, FunctionFailed) as exc:
            response = gateway_error(500, "Internal Server Error")
            # Not in AWS: a hint for the developer looking at the response.
            response.headers.append(("x-linkcheck-dev-error", str(exc).splitlines()[0][:200]))
            return response
        try:
            return to_http_response(result)
        except (TypeError, ValueError, KeyError) as exc:
            log.error("%s returned a response API Gateway cannot use: %s", function.name, exc)
            return gateway_error(500, "Internal Server Error")
