"""The api handler called directly with the sample events of events/ (no AWS, no network).

The per-key rate limit counts in an in-memory stand-in for DynamoDB (``Counter`` below); the
real store is exercised against moto in tests/integration/test_api_authorizer.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcheck.awsrequest import DynamoDBError
from linkcheck.handlers import api
from linkcheck.handlers.routes import me
from linkcheck.settings import get_settings
from linkcheck.store.ratelimit import RateLimiter

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


def with_body(event: dict[str, Any], body: Any) -> dict[str, Any]:
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def call(event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = api.handler(event, None)
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    body = response.get("body") or ""
    parsed = json.loads(body) if headers.get("content-type") == "application/json" else body
    return response["statusCode"], headers, parsed


def assert_error(body: Any, code: str, field: str | None = None) -> None:
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["field"] == field


@pytest.fixture(autouse=True)
def _ssrf_guard_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)


class Counter:
    """Answers ``UpdateItem`` like DynamoDB's ``ADD hits :one``, one count per key (no windows,
    so a test never straddles a minute), or fails like an unreachable DynamoDB."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.down = False

    def update_item(self, **params: Any) -> dict[str, Any]:
        if self.down:
            raise DynamoDBError("network", "ConnectError: connection refused")
        key_id = params["Key"]["pk"]["S"].split("#")[1]
        self.hits[key_id] = self.hits.get(key_id, 0) + 1
        return {"Attributes": {"hits": {"N": str(self.hits[key_id])}}}


@pytest.fixture(autouse=True)
def counter(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    store = Counter()
    monkeypatch.setattr(api, "RateLimiter", lambda: RateLimiter(store, "test-table"))
    yield store


@pytest.fixture()
def rate_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class TestAuth:
    def test_me_returns_the_caller(self) -> None:
        status, _, body = call(load_event("api-me"))
        assert status == 200
        assert body == {"tenant": "acme", "key_id": "key_0123456789abcdef"}

    def test_unknown_key_is_401(self) -> None:
        status, headers, body = call(load_event("api-unknown-key"))
        assert status == 401
        assert headers["www-authenticate"].startswith("Bearer")
        assert_error(body, "unauthorized")

    def test_no_authorizer_context_is_401_even_for_unknown_routes(self) -> None:
        event = load_event("api-not-found")
        del event["requestContext"]["authorizer"]
        status, _, body = call(event)
        assert status == 401
        assert_error(body, "unauthorized")

    def test_unauthorized_comes_before_validation(self) -> None:
        event = with_body(load_event("api-unknown-key"), "{not json")
        event["rawPath"] = event["requestContext"]["http"]["path"] = "/check"
        event["requestContext"]["http"]["method"] = "POST"
        assert call(event)[0] == 401

    @pytest.mark.usefixtures("rate_limit")
    def test_over_the_rate_limit_is_429_with_retry_after(self, counter: Counter) -> None:
        statuses = [call(load_event("api-me"))[0] for _ in range(2)]
        status, headers, body = call(load_event("api-me"))
        assert statuses == [200, 200]
        assert status == 429
        assert 1 <= int(headers["retry-after"]) <= 60
        assert_error(body, "rate_limited")
        assert counter.hits == {"key_0123456789abcdef": 3}  # refused requests count too

    @pytest.mark.usefixtures("rate_limit")
    def test_every_authenticated_route_is_counted_before_routing(self, counter: Counter) -> None:
        call(load_event("api-me"))
        call(load_event("api-not-found"))
        status, _, body = call(load_event("api-bad-json"))
        assert status == 429  # refused before the body is even parsed
        assert_error(body, "rate_limited")

    @pytest.mark.usefixtures("rate_limit")
    def test_public_documentation_and_unknown_keys_are_not_counted(self, counter: Counter) -> None:
        for _ in range(3):
            assert call(load_event("api-openapi"))[0] == 200
            assert call(load_event("api-unknown-key"))[0] == 401
        assert counter.hits == {}

    @pytest.mark.usefixtures("rate_limit")
    def test_a_failing_rate_store_lets_requests_through(
        self,
        counter: Counter,
        caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        counter.down = True
        statuses = [call(load_event("api-me"))[0] for _ in range(4)]
        assert statuses == [200, 200, 200, 200]  # fail open: availability over strictness
        warnings = [r for r in caplog.records if r.levelname == "WARNING"]
        assert len(warnings) == 4
        assert "rate limit store unavailable" in warnings[0].getMessage()
        # ... and each one is counted (RateLimiterFailOpen, alarmed), one EMF line per request
        emf = [
            json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
        ]
        assert [line.get("RateLimiterFailOpen") for line in emf] == [[1.0]] * 4

    def test_a_limit_of_zero_counts_nothing(
        self, counter: Counter, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "0")
        get_settings.cache_clear()
        try:
            assert [call(load_event("api-me"))[0] for _ in range(3)] == [200, 200, 200]
        finally:
            get_settings.cache_clear()
        assert counter.hits == {}


class TestErrors:
    def test_malformed_json_is_400(self) -> None:
        status, _, body = call(load_event("api-bad-json"))
        assert status == 400
        assert_error(body, "bad_json", "body")

    def test_invalid_fields_are_422_naming_the_field(self) -> None:
        status, _, body = call(load_event("api-invalid-body"))
        assert status == 422
        assert_error_fields = {d["field"] for d in body["error"]["details"]}
        assert body["error"]["field"] == "urls"
        assert assert_error_fields == {"urls", "timeout"}

    def test_too_many_urls_is_413(self) -> None:
        status, _, body = call(load_event("api-too-many-urls"))
        assert status == 413
        assert_error(body, "too_large", "urls")

    def test_too_large_a_body_is_413(self) -> None:
        event = with_body(load_event("api-check-post"), {"url": "x" * (api.MAX_BODY_BYTES + 1)})
        status, _, body = call(event)
        assert status == 413
        assert_error(body, "too_large", "body")

    def test_url_and_urls_together_is_422(self) -> None:
        event = with_body(load_event("api-check-post"), {"url": "https://a.example/", "urls": []})
        status, _, body = call(event)
        assert status == 422
        assert_error(body, "invalid_input", "url")

    def test_an_empty_batch_is_422(self) -> None:
        status, _, body = call(with_body(load_event("api-check-batch"), {"urls": []}))
        assert status == 422
        assert_error(body, "invalid_input", "urls")

    def test_a_missing_body_is_422(self) -> None:
        event = load_event("api-check-post")
        del event["body"]
        status, _, body = call(event)
        assert status == 422
        assert body["error"]["field"] == "body"

    def test_a_missing_url_query_parameter_is_422(self) -> None:
        event = load_event("api-check-get")
        del event["queryStringParameters"]
        event["rawQueryString"] = ""
        status, _, body = call(event)
        assert status == 422
        assert_error(body, "invalid_input", "url")

    def test_a_non_json_body_is_415(self) -> None:
        event = load_event("api-check-post")
        event["headers"]["content-type"] = "text/plain"
        status, _, body = call(event)
        assert status == 415
        assert_error(body, "unsupported_media_type", "body")

    def test_unknown_route_is_404(self) -> None:
        status, _, body = call(load_event("api-not-found"))
        assert status == 404
        assert_error(body, "not_found")

    def test_known_route_with_wrong_method_is_405_with_allow(self) -> None:
        status, headers, body = call(load_event("api-wrong-method"))
        assert status == 405
        assert headers["allow"] == "GET, POST"
        assert_error(body, "method_not_allowed")

    def test_an_unexpected_failure_is_a_generic_500_with_the_request_id(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def explode(event: Any) -> Any:
            raise RuntimeError("secret internals at /var/task/linkcheck")

        monkeypatch.setattr(me, "principal_of", explode)
        status, _, body = call(load_event("api-me"))
        assert status == 500
        assert body["error"]["code"] == "internal_error"
        assert body["error"]["request_id"] == "JKJaXmPLvHcESHA="
        assert "secret internals" not in json.dumps(body)
        assert "Traceback" not in json.dumps(body)


class TestSsrfCannotBeSwitchedOffByARequest:
    def test_a_body_field_asking_for_private_networks_is_rejected(self) -> None:
        event = with_body(
            load_event("api-check-post"),
            {"url": "http://127.0.0.1:9/", "allow_private_networks": True},
        )
        status, _, body = call(event)
        assert status == 422
        assert body["error"]["field"] == "allow_private_networks"

    def test_a_query_parameter_asking_for_private_networks_is_ignored(self) -> None:
        event = load_event("api-check-get")
        event["queryStringParameters"] = {
            "url": "http://127.0.0.1:9/",
            "allow_private_networks": "true",
        }
        status, _, body = call(event)
        assert status == 200
        assert (body["status"], body["reason"]) == ("invalid", "forbidden_target")


class TestDocumentation:
    def test_openapi_json_is_a_valid_openapi_3_document(self) -> None:
        from openapi_spec_validator import validate

        status, _, document = call(load_event("api-openapi"))
        assert status == 200
        validate(document)
        assert document["openapi"].startswith("3.")
        assert document["info"]["title"] == "linkcheck"
        assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
        assert {"get", "post"} <= set(document["paths"]["/check"])
        assert "/me" in document["paths"]
        assert "/docs" not in document["paths"] and "/openapi.json" not in document["paths"]
        errors = document["paths"]["/check"]["post"]["responses"]["422"]
        assert errors["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")

    def test_docs_is_swagger_ui_without_a_key(self) -> None:
        status, headers, page = call(load_event("api-docs"))
        assert status == 200
        assert headers["content-type"] == "text/html"
        assert "swagger" in page.lower() and '"title":"linkcheck"' in page
