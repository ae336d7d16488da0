"""Property-based contract test of the HTTP API: schemathesis against the live ``/openapi.json``.

Every documented operation gets generated requests (valid and invalid) through the whole local
stack (API Gateway emulator, authorizer, handlers, moto) and every answer must:

- never be a 5xx (``not_a_server_error``);
- have a documented status code, content type and headers, and a JSON body matching the
  documented schema (``status_code_conformance``, ``content_type_conformance``,
  ``response_headers_conformance``, ``response_schema_conformance``);
- reject what the schema forbids (``negative_data_rejection``), and refuse what it allows
  only for what no schema can say: a URL that cannot be checked or is refused by the SSRF
  guard, a cursor that no page handed out, an interval or audit limit outside this
  deployment's bounds (``only_semantic_refusals``, our narrower ``positive_data_acceptance``).

The SSRF guard stays ON (``allow_private_networks=False``), and every generated URL is made
safe before it is sent (``stays_local``): either the engine cannot parse it, or its host is a
non-global IP literal or a local-only name (``*.localhost``), both refused before any DNS
lookup or connection. A tripwire on name lookups (``socket.getaddrinfo`` and the engine's own
resolver) proves nothing else was looked up, so the test sends traffic to 127.0.0.1 only.
A 414 is not validated: such a request line never reaches the API (see the test).

Bounded: a few examples per operation, derandomized, a timeout on every request (about 15 s
for every operation on 2 cores).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import BaseSchema, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from linkcheck.engine import ssrf
from linkcheck.engine.ssrf import forbidden_reason, is_local_name
from linkcheck.engine.urls import BadUrl, normalize_url
from linkcheck.local.stack import DevStack
from tests.integration.devstack import stack_options

pytestmark = pytest.mark.slow  # the whole local stack, many generated requests

JSON = "application/json"
REQUEST_TIMEOUT_SECONDS = 10.0
MAX_EXAMPLES = 15  # per operation and generation mode
# Fields of request bodies and queries that the API fetches or stores as a URL.
URL_FIELDS = frozenset({"url", "urls", "target_url", "fallback_url"})
LOOPBACK_NAMES = frozenset({"127.0.0.1", "::1", "localhost"})

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Fields whose validity depends on more than their documented schema (see the docstring).
# An audit's max_pages and max_depth are bounded by the deployment (AUDIT_MAX_PAGES, ...).
SEMANTIC_FIELDS = frozenset(
    {
        "url",
        "urls",
        "target_url",
        "fallback_url",
        "slug",  # a smart link's slug: reserved words are refused, and a slug is taken once
        "cursor",
        "interval_minutes",
        "interval_seconds",
        "max_pages",
        "max_depth",
        "host",
    }
)


# ---------------------------------------------------------------- generated URLs stay local


def refused_offline(value: str) -> bool:
    """True when the engine refuses ``value`` without any DNS lookup or connection."""
    try:
        target = normalize_url(value)
    except BadUrl:
        return True
    if target.ip is not None:
        return forbidden_reason(target.ip) is not None
    return is_local_name(target.host)


def stays_local(value: str) -> str:
    """``value``, or the same URL on a local-only host, so checking it never leaves the machine.

    Unparseable strings are kept as generated (they exercise the ``bad_url`` answers).
    """
    if refused_offline(value):
        return value
    target = normalize_url(value)
    label = hashlib.sha256(target.host.encode()).hexdigest()[:12]
    safe = f"{target.scheme}://h{label}.localhost{target.path_and_query}"
    if not refused_offline(safe):  # pragma: no cover - a path that changes the parse
        safe = f"http://h{label}.localhost/"
    assert refused_offline(safe), safe
    return safe


def local_urls(data: Any) -> Any:
    """``data`` with every URL field (at any depth) passed through ``stays_local``."""
    if isinstance(data, dict):
        return {key: _local_field(key, value) for key, value in data.items()}
    if isinstance(data, list):
        return [local_urls(item) for item in data]
    return data


def _local_field(key: Any, value: Any) -> Any:
    if key in URL_FIELDS:
        if isinstance(value, str):
            return stays_local(value)
        if isinstance(value, list):
            return [stays_local(item) if isinstance(item, str) else item for item in value]
    return local_urls(value)


def test_stays_local_rewrites_public_hosts_and_keeps_the_rest() -> None:
    assert stays_local("https://example.com/a?b=1").endswith(".localhost/a?b=1")
    assert stays_local("8.8.8.8").endswith(".localhost/")
    assert stays_local("http://127.0.0.1:9/x") == "http://127.0.0.1:9/x"
    assert stays_local("http://[::1]/") == "http://[::1]/"
    assert stays_local("http://a.localhost/") == "http://a.localhost/"
    assert stays_local("not a url") == "not a url"
    assert local_urls({"links": [{"url": "example.org"}], "tags": ["x.com"]}) == {
        "links": [{"url": stays_local("example.org")}],
        "tags": ["x.com"],
    }


def only_semantic_refusals(case: schemathesis.Case[Any], response: schemathesis.Response) -> None:
    """Schema-valid input is accepted, or refused with a 422 naming a semantic field."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code not in {400, 413, 415, 422}:
        return
    error = response.json()["error"]
    field = str(error.get("field") or "")
    root = field.split(".")[0].split("[")[0]
    assert response.status_code == 422 and root in SEMANTIC_FIELDS, (
        f"{case.operation.label} refused schema-valid input with {response.status_code}: "
        f"{error}\n{case.as_curl_command()}"
    )


# ---------------------------------------------------------------- the stack and its schema


@pytest.fixture()
def dns_tripwire(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse (and record) any name lookup except loopback while the test runs."""
    real = socket.getaddrinfo
    lookups: list[str] = []
    lock = threading.Lock()

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOOPBACK_NAMES and not _is_loopback_ip(name):
            with lock:
                lookups.append(name)
            raise socket.gaierror(socket.EAI_NONAME, f"tripwire: no lookups of {name} here")
        return real(host, *args, **kwargs)

    async def engine_lookup(host: str, port: int, seconds: float) -> list[str]:
        # The engine's one resolver (uvloop's getaddrinfo does not go through socket's).
        with lock:
            lookups.append(host)
        raise ssrf.NameNotFound(f"tripwire: no lookups of {host} here")

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    monkeypatch.setattr(ssrf, "_getaddrinfo", engine_lookup)
    yield lookups


def _is_loopback_ip(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="module")
def guarded_stack(moto_endpoint: str) -> Iterator[DevStack]:
    """One stack for the module: SSRF guard on, no rate limit (test routes, not the limiter)."""
    options = stack_options(moto_endpoint)
    options.update(allow_private_networks=False, env={"RATE_LIMIT_PER_MINUTE": "0"})
    stack = DevStack(**options).start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def api_schema(guarded_stack: DevStack) -> BaseSchema:
    return schemathesis.openapi.from_url(
        f"{guarded_stack.base_url}/openapi.json", timeout=REQUEST_TIMEOUT_SECONDS
    )


def documented_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the API documents (read in-process, for test ids)."""
    from linkcheck.handlers.api import api_document

    paths = json.loads(api_document())["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() for method in item)


OPERATIONS = documented_operations()


def test_the_live_document_lists_the_same_operations(api_schema: BaseSchema) -> None:
    operations = [result for result in api_schema.get_all_operations() if isinstance(result, Ok)]
    live = sorted((result.ok().method.upper(), result.ok().path) for result in operations)
    assert live == OPERATIONS


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_honours_its_contract(
    api_schema: BaseSchema,
    guarded_stack: DevStack,
    dns_tripwire: list[str],
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    operation = api_schema[path][method]
    key = {"Authorization": f"Bearer {guarded_stack.api_key}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exchange(case: schemathesis.Case[Any]) -> None:
        if case.query:
            case.query = local_urls(case.query)
        if isinstance(case.body, dict | list):
            case.body = local_urls(case.body)
        # A negative case may leave the key out on purpose (expecting 401): keep it out.
        headers = {} if api_schema.is_security_param_negated(case) else key
        response = case.call(
            base_url=guarded_stack.base_url, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS
        )
        if response.status_code == 414:
            # The request line is over the HTTP server's 64 KiB (API Gateway: 10 KiB), so it
            # never reached the API: a negative case of a query string too long to send.
            assert mode is GenerationMode.NEGATIVE
            return
        case.validate_response(response, checks=CHECKS, headers=headers)
        only_semantic_refusals(case, response)

    exchange()
    assert dns_tripwire == [], f"looked up names outside 127.0.0.1: {dns_tripwire}"


# ---------------------------------------------------------------- what the fuzzing found


def test_a_body_that_is_not_utf8_is_a_400_not_a_500(guarded_stack: DevStack) -> None:
    headers = {"Authorization": f"Bearer {guarded_stack.api_key}", "content-type": JSON}
    with httpx.Client(base_url=guarded_stack.base_url, headers=headers, trust_env=False) as api:
        for method, path in (("POST", "/check"), ("POST", "/links"), ("PATCH", "/links/x")):
            response = api.request(method, path, content=b"\xff\x04\xfe\xfd", timeout=10)
            assert response.status_code == 400, (method, path, response.text)
            assert response.json()["error"]["code"] == "bad_json"


def test_the_documents_say_which_errors_come_from_where(api_schema: BaseSchema) -> None:
    responses = api_schema.raw_schema["paths"]["/links/{link_id}"]["get"]["responses"]
    assert "404" in responses  # an unknown id
    assert "404" not in api_schema.raw_schema["paths"]["/me"]["get"]["responses"]
    gateway = responses["401"]["content"][JSON]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/GatewayError"} in gateway
    check = api_schema.raw_schema["components"]["schemas"]["CheckRequest"]
    assert [branch["required"] for branch in check["oneOf"]] == [["url"], ["urls"]]
