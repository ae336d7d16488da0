"""Pure parts of the API: error mapping, the authorizer context contract, rate windows, budget."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from linkcheck.errors import Conflict, LinkcheckError, NotFound, RateLimited, TooLarge, Unauthorized
from linkcheck.handlers.authorizer import bearer_secret
from linkcheck.handlers.routes import errors as http_errors
from linkcheck.handlers.routes.checks import time_budget
from linkcheck.handlers.routes.principal import Principal, authorizer_context, principal_of
from linkcheck.store.ratelimit import decide, window_of


def _with_context(context: dict[str, Any]) -> dict[str, Any]:
    return {"requestContext": {"authorizer": {"lambda": context}}}


class TestDomainErrors:
    @pytest.mark.parametrize(
        ("error", "status"),
        [
            (NotFound("x"), 404),
            (Conflict("x"), 409),
            (TooLarge("x"), 413),
            (Unauthorized("x"), 401),
            (RateLimited("x", retry_after=3), 429),
        ],
    )
    def test_each_domain_error_has_its_status(self, error: LinkcheckError, status: int) -> None:
        assert http_errors.from_domain(error).status == status

    def test_a_subclass_inherits_its_parents_status(self) -> None:
        class LinkNotFound(NotFound):
            code = "link_not_found"

        answer = http_errors.from_domain(LinkNotFound("no such link", field="id"))
        assert (answer.status, answer.body()) == (
            404,
            {"error": {"code": "link_not_found", "message": "no such link", "field": "id"}},
        )

    def test_an_unmapped_domain_error_is_the_callers_fault_not_a_500(self) -> None:
        assert http_errors.from_domain(LinkcheckError("odd")).status == 400

    def test_rate_limited_carries_retry_after(self) -> None:
        answer = http_errors.from_domain(RateLimited("slow down", retry_after=12))
        assert answer.headers["Retry-After"] == "12"

    def test_lambda_response_is_api_gateway_v2_shape(self) -> None:
        response = http_errors.from_domain(TooLarge("big", field="body")).to_lambda_response()
        assert response["statusCode"] == 413
        assert response["headers"]["Content-Type"] == "application/json"
        assert response["isBase64Encoded"] is False


class TestValidationErrors:
    def test_invalid_json_is_400(self) -> None:
        answer = http_errors.from_validation(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", 7),
                    "msg": "JSON decode error",
                    "ctx": {"error": "Expecting value"},
                }
            ]
        )
        assert (answer.status, answer.code, answer.field) == (400, "bad_json", "body")
        assert "Expecting value" in answer.message

    def test_field_names_follow_the_location(self) -> None:
        answer = http_errors.from_validation(
            [
                {
                    "type": "string_type",
                    "loc": ("body", "urls", 3),
                    "msg": "Input should be a string",
                },
                {"type": "missing", "loc": ("query", "url"), "msg": "Field required"},
            ]
        )
        assert answer.status == 422
        assert answer.field == "urls[3]"
        assert answer.message == "urls[3]: Input should be a string"
        assert answer.body()["error"]["details"][1] == {"field": "url", "message": "Field required"}

    def test_a_whole_missing_body_names_the_body(self) -> None:
        answer = http_errors.from_validation(
            [{"type": "missing", "loc": ("body",), "msg": "Field required"}]
        )
        assert answer.field == "body"


def test_document_errors_replaces_powertools_422_with_our_shape() -> None:
    document = {
        "paths": {
            "/check": {
                "post": {"requestBody": {}, "responses": {"200": {}, "422": {"x": 1}}},
                "get": {"responses": {"200": {}, "422": {"x": 1}}},
            }
        },
        "components": {"schemas": {"HTTPValidationError": {}, "ValidationError": {}}},
    }
    out = http_errors.document_errors(document)
    schemas = out["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ErrorBody" in schemas
    post = out["paths"]["/check"]["post"]["responses"]
    get = out["paths"]["/check"]["get"]["responses"]
    assert {"400", "401", "413", "422", "429", "500"} <= set(post)
    assert "413" not in get and "401" in get
    ref = post["422"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ErrorBody"


class TestAuthorizerContract:
    def test_a_known_key_round_trips(self) -> None:
        context = authorizer_context(Principal("acme", "key_1"))
        assert context == {"tenant": "acme", "key_id": "key_1"}
        assert principal_of(_with_context(context)) == Principal("acme", "key_1")

    def test_an_unknown_key_is_unauthorized(self) -> None:
        with pytest.raises(Unauthorized):
            principal_of(_with_context(authorizer_context(None)))

    def test_no_authorizer_context_is_unauthorized(self) -> None:
        with pytest.raises(Unauthorized):
            principal_of({"requestContext": {}})

    def test_the_context_holds_nothing_that_a_cached_answer_would_make_stale(self) -> None:
        # API Gateway caches the authorizer's answer: no per-request state (rate counts) in it.
        assert set(authorizer_context(Principal("acme", "key_1"))) == {"tenant", "key_id"}


class TestBearer:
    @pytest.mark.parametrize(
        ("headers", "expected"),
        [
            ({"authorization": "Bearer lck_abc"}, "lck_abc"),
            ({"Authorization": "bearer   lck_abc "}, "lck_abc"),
            ({"authorization": "Basic dXNlcjpwdw=="}, None),
            ({"authorization": "Bearer "}, None),
            ({"authorization": "lck_abc"}, None),
            ({}, None),
        ],
    )
    def test_only_bearer_keys_are_read(self, headers: dict[str, str], expected: str | None) -> None:
        assert bearer_secret({"headers": headers}) == expected

    def test_identity_source_is_a_fallback(self) -> None:
        assert bearer_secret({"identitySource": ["Bearer lck_x"]}) == "lck_x"


class TestRateWindow:
    def test_within_the_limit_is_allowed(self) -> None:
        assert decide(5, limit=5, now=1000.0).allowed

    def test_over_the_limit_waits_for_the_next_window(self) -> None:
        decision = decide(6, limit=5, now=60 * 100 + 45.2)
        assert not decision.allowed
        assert decision.retry_after == 15  # ceil(60 - 45.2)

    def test_retry_after_is_at_least_one_second(self) -> None:
        assert decide(6, limit=5, now=60 * 100 + 59.999).retry_after == 1

    def test_windows_are_minutes(self) -> None:
        assert window_of(119.9) == 1 and window_of(120.0) == 2


class TestTimeBudget:
    def test_without_a_lambda_context_the_gateway_limit_rules(self) -> None:
        assert time_budget(None) == pytest.approx(28.0)

    def test_the_lambdas_remaining_time_caps_it(self) -> None:
        context = SimpleNamespace(get_remaining_time_in_millis=lambda: 10_000)
        assert time_budget(context) == pytest.approx(8.0)

    def test_it_never_goes_negative(self) -> None:
        context = SimpleNamespace(get_remaining_time_in_millis=lambda: 500)
        assert time_budget(context) == 0.0
