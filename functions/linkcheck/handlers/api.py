"""Lambda entry point: the HTTP API (API Gateway v2, payload 2.0), routed by Powertools.

Every request except the public routes (documentation, dashboard) passes the gate first: the
caller must have a known key (401) within its rate limit (429), and the body must fit (413),
before any routing or validation. The rate limit is counted here, once per request, because
the authorizer's answer is cached by API Gateway and so cannot see each request; the count is
one DynamoDB signed ``UpdateItem`` over http.client (store/ratelimit.py, linkcheck.awsrequest),
not boto3.
Everything the resolver raises becomes ``{"error": {...}}`` (routes/errors.py);
nothing else, and never a stack trace, reaches a client. A path no route matches is a 404, or
a 405 with ``Allow`` when it matches with other methods: the methods come from the route table
(routes/table.py) that every route registers through.

This module and every route module stay free of boto3 at import time: the on-demand ``/check``
path never loads it (tests/integration/test_cold_start.py).
"""

from __future__ import annotations

import base64
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths

from .. import __version__
from ..engine import naming_the_option
from ..errors import LinkcheckError, RateLimited, TooLarge, Unauthorized
from ..observability import count_rate_limiter_fail_open, lambda_handler, logger
from ..settings import get_settings
from ..store.ratelimit import RateLimiter, RateStoreUnavailable
from .routes import audits, checks, events, hooks, links, me, smartlinks, stats, ui
from .routes import errors as http_errors
from .routes.principal import Principal, principal_of
from .routes.table import allowed_methods, endpoint, is_public

# API Gateway accepts 10 MB; no route of ours needs more than this.
MAX_BODY_BYTES = 1024 * 1024

DESCRIPTION = """\
Link checking with precise verdicts: `ok`, `broken`, `restricted`, `error`, `blocked`, `invalid`,
each with a machine-readable `reason`.

Authenticate with `Authorization: Bearer <key>` (create keys with `linkcheck keys create`).
Errors are JSON `{"error": {"code", "message", "field"}}`; over the per-key rate limit the
answer is 429 with `Retry-After`.
"""


def read_json_body(text: str) -> Any:
    """The resolver's JSON parser, the one place request bodies are read.

    Powertools answers a ``json.JSONDecodeError`` as invalid JSON (our 400 ``bad_json``). Python's
    parser also gives up on input that is the client's too, with other exceptions that would
    otherwise surface as a 500: ``RecursionError`` for arrays or objects nested thousands deep,
    ``ValueError`` for an integer longer than the int-string conversion limit (4300 digits).
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        reason = "nested too deeply to be read; send a flatter document"
    except ValueError:
        reason = f"a number has more than {sys.get_int_max_str_digits()} digits"
    raise json.JSONDecodeError(reason, text, 0) from None


app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=read_json_body)
app.configure_openapi(title="linkcheck", version=__version__, description=DESCRIPTION)
# The security scheme is added to the generated document (api_document) rather than passed
# here: Powertools' OpenAPI models cost more to import than the rest of our code together.
BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key: `Authorization: Bearer lck_...`",
}

for module in (audits, checks, events, hooks, links, me, smartlinks, stats, ui):
    app.include_router(module.router)


@cache
def api_document() -> str:
    """The OpenAPI document, generated from the routes once per execution environment."""
    document = http_errors.document_errors(json.loads(app.get_openapi_json_schema()))
    document["components"].setdefault("securitySchemes", {})["bearer"] = BEARER_SCHEME
    document["security"] = [{"bearer": []}]
    return json.dumps(document, separators=(",", ":"))


@app.route(*endpoint("/openapi.json", "GET"), include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=api_document())


@app.route(*endpoint("/docs", "GET"), include_in_schema=False, compress=True)
def swagger_ui() -> Response[str]:
    """Swagger UI; ``?format=json`` is the OpenAPI document itself (as ``/openapi.json``)."""
    wanted = (app.current_event.query_string_parameters or {}).get("format", "html")
    if wanted == "json":
        return openapi_document()
    if wanted != "html":
        return http_errors.HttpError(
            status=400,
            code="bad_format",
            message=f"unknown format {wanted!r}; use format=json or format=html (the default)",
            field="format",
        ).to_response()
    # Powertools' own Swagger page embeds its generated document; ours documents our errors.
    from aws_lambda_powertools.event_handler.openapi import swagger_ui
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(swagger_ui.__file__).parent
    page = generate_swagger_html(
        api_document().replace("</", "<\\/"),  # keep the JSON from closing the <script>
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )
    return Response(status_code=200, content_type="text/html", body=page)


@app.exception_handler(LinkcheckError)
def domain_error(exc: LinkcheckError) -> Response[str]:
    return http_errors.from_domain(exc).to_response()


@app.exception_handler(RequestUnsupportedContentType)
def unsupported_content_type(exc: RequestUnsupportedContentType) -> Response[str]:
    content_type = app.current_event.headers.get("content-type", "")
    return http_errors.unsupported_content_type(content_type).to_response()


@app.exception_handler(RequestValidationError)
def invalid_request(exc: RequestValidationError) -> Response[str]:
    return http_errors.from_validation(exc.errors()).to_response()


@app.exception_handler(UnicodeDecodeError)
def body_not_utf8(exc: UnicodeDecodeError) -> Response[str]:
    # JSON is UTF-8 (RFC 8259): a body that is not (API Gateway passes it base64-encoded) is
    # the client's input, a 400. Any other UnicodeDecodeError is our bug: the generic 500.
    if _is_utf8(_body_bytes(app.current_event.raw_event)):
        internal: Response[str] = unexpected_error(exc)
        return internal
    return http_errors.HttpError(
        status=400,
        code="bad_json",
        message="the request body is not UTF-8 text; send a JSON object encoded as UTF-8",
        field="body",
    ).to_response()


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@app.not_found
def no_route(exc: NotFoundError) -> Response[str]:
    method = app.current_event.http_method.upper()
    path = app.current_event.path
    allowed = allowed_methods(path)
    if allowed:
        return http_errors.method_not_allowed(method, path, allowed).to_response()
    return http_errors.not_found(path).to_response()


@app.exception_handler(Exception)
def unexpected_error(exc: Exception) -> Response[str]:
    # Catch-all on purpose: whatever broke, the client gets a generic 500 with the request id
    # (no stack trace); the details go to the logs.
    request_id = _request_id(app.current_event.raw_event)
    logger.exception("unhandled error", extra={"request_id": request_id})
    return http_errors.internal_error(request_id).to_response()


def _request_id(event: dict[str, Any]) -> str | None:
    request_id = (event.get("requestContext") or {}).get("requestId")
    return str(request_id) if request_id else None


def _body_size(event: dict[str, Any]) -> int:
    return len(_body_bytes(event))


def _body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if not isinstance(body, str):
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=False)
        except ValueError:
            return body.encode("utf-8", "surrogatepass")
    return body.encode("utf-8", "surrogatepass")


def over_rate_limit(principal: Principal) -> RateLimited | None:
    """Count this request of the caller's key; a RateLimited when it is over the limit.

    Fails open: when the counter cannot be written the request is served (a warning logged,
    ``RateLimiterFailOpen`` counted and alarmed), since refusing every caller because of the
    limiter would be worse than a minute without a limit.
    """
    limit = get_settings().rate_limit_per_minute
    if limit <= 0:
        return None
    try:
        decision = RateLimiter().hit(principal.key_id, limit=limit)
    except RateStoreUnavailable as exc:
        logger.warning(
            "rate limit store unavailable; serving the request without counting it",
            extra={"key_id": principal.key_id, "error": str(exc)},
        )
        count_rate_limiter_fail_open()
        return None
    if decision.allowed:
        return None
    logger.info(
        "API key over its rate limit",
        extra={"key_id": principal.key_id, "tenant": principal.tenant, "count": decision.count},
    )
    return RateLimited(
        f"over the rate limit of this API key ({limit} requests per minute); "
        f"retry in {decision.retry_after} s",
        retry_after=decision.retry_after,
    )


def refusal(event: dict[str, Any]) -> LinkcheckError | None:
    """Why the request must be refused before routing, or None to let it through."""
    if is_public(str(event.get("rawPath") or "")):
        return None
    try:
        principal = principal_of(event)
    except Unauthorized as exc:
        return exc
    limited = over_rate_limit(principal)
    if limited is not None:
        return limited
    if _body_size(event) > MAX_BODY_BYTES:
        return TooLarge(f"the request body is larger than {MAX_BODY_BYTES} bytes", field="body")
    return None


FORM = "application/x-www-form-urlencoded"


def declared_type(event: dict[str, Any]) -> str:
    headers = event.get("headers") or {}
    return str(headers.get("content-type", "")).split(";")[0].strip().lower()


def json_by_default(event: dict[str, Any]) -> dict[str, Any]:
    """Read a JSON-looking body as JSON when the client did not say it is JSON.

    ``curl -d '{"url": ...}'`` sends ``application/x-www-form-urlencoded``; without this the
    body would be parsed as a form and rejected with a confusing "field required".
    """
    headers = event.get("headers") or {}
    body = event.get("body")
    if (
        declared_type(event) in {"", FORM}
        and isinstance(body, str)
        and not event.get("isBase64Encoded")
        and body.lstrip()[:1] in {"{", "["}
    ):
        return {**event, "headers": {**headers, "content-type": "application/json"}}
    return event


# The request id is the correlation id: it follows check-now's events and queue messages.
@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    refused = refusal(event)
    if refused is not None:
        return http_errors.from_domain(refused).to_lambda_response()
    event = json_by_default(event)
    if declared_type(event) == FORM and event.get("body"):
        # Every route takes JSON: say so, rather than a validation error about form fields.
        return http_errors.unsupported_content_type(FORM).to_lambda_response()
    response = app.resolve(event, context)
    if get_settings().local_dev:
        response = naming_the_dev_option(response)
    return response


DEV_OPTION = "linkcheck dev --allow-private-networks"


def naming_the_dev_option(response: dict[str, Any]) -> dict[str, Any]:
    """In the local stack, a refused private address says which option allows it.

    A deployment has no such option (its answers say these addresses are never checked), so
    only ``linkcheck dev`` rewrites them, verdicts and error messages alike.
    """
    body = response.get("body")
    if not isinstance(body, str) or response.get("isBase64Encoded"):
        return response
    return {**response, "body": naming_the_option(body, DEV_OPTION)}
