"""The one place that turns failures into HTTP answers: ``{"error": {code, message, field}}``.

Domain errors (``linkcheck.errors``) map to statuses by class; request validation failures of
the Powertools resolver map to 400 (not JSON) or 422 (which field, why). ``HttpError`` is a
plain value so the same answer can leave through the resolver (``to_response``) or straight
from the Lambda entry point (``to_lambda_response``) before any routing happens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel, ConfigDict, Field

from ...errors import (
    Conflict,
    InvalidInput,
    LinkcheckError,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
)

JSON = "application/json"

STATUS_BY_ERROR: dict[type[LinkcheckError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    Unauthorized: 401,
    RateLimited: 429,
}

# Where a validation error was found; the first element of pydantic's ``loc`` says it.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


@dataclass(frozen=True, slots=True)
class HttpError:
    status: int
    code: str
    message: str
    field: str | None = None
    headers: Mapping[str, str] = dataclass_field(default_factory=dict)
    extra: Mapping[str, Any] = dataclass_field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "error": {"code": self.code, "message": self.message, "field": self.field, **self.extra}
        }

    def to_response(self) -> Response[str]:
        return Response(
            status_code=self.status,
            content_type=JSON,
            body=json.dumps(self.body()),
            headers=dict(self.headers),
        )

    def to_lambda_response(self) -> dict[str, Any]:
        """An API Gateway v2 (payload 2.0) response, for answers given before routing."""
        return {
            "statusCode": self.status,
            "headers": {"Content-Type": JSON, **self.headers},
            "body": json.dumps(self.body()),
            "isBase64Encoded": False,
        }


def status_of(exc: LinkcheckError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400  # a domain error nobody mapped yet is still the caller's fault, never a 500


def from_domain(exc: LinkcheckError) -> HttpError:
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="linkcheck"'
    return HttpError(
        status=status_of(exc), code=exc.code, message=exc.message, field=exc.field, headers=headers
    )


def _field_of(loc: Sequence[Any]) -> str | None:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or (str(loc[0]) if loc else None)


def from_validation(errors: Iterable[Mapping[str, Any]]) -> HttpError:
    """400 when the body is not JSON at all, else 422 naming each field and what is wrong."""
    details: list[dict[str, Any]] = []
    for error in errors:
        loc = tuple(error.get("loc") or ())
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error") or "invalid JSON"
            return HttpError(
                status=400,
                code="bad_json",
                message=f"the request body cannot be read as JSON ({reason}); send a JSON object",
                field="body",
            )
        details.append({"field": _field_of(loc), "message": str(error.get("msg") or "invalid")})
    if not details:
        return HttpError(status=422, code="invalid_input", message="the request is not valid")
    first = details[0]
    where = f"{first['field']}: " if first["field"] else ""
    return HttpError(
        status=422,
        code="invalid_input",
        message=f"{where}{first['message']}",
        field=first["field"],
        extra={"details": details} if len(details) > 1 else {},
    )


def unsupported_content_type(content_type: str) -> HttpError:
    return HttpError(
        status=415,
        code="unsupported_media_type",
        message=f"cannot read a {content_type or 'missing'} body; send Content-Type: {JSON}",
        field="body",
    )


def not_found(path: str) -> HttpError:
    return HttpError(status=404, code="not_found", message=f"no such route: {path}")


def method_not_allowed(method: str, path: str, allowed: Iterable[str]) -> HttpError:
    allow = ", ".join(sorted(set(allowed)))
    return HttpError(
        status=405,
        code="method_not_allowed",
        message=f"{method} is not allowed on {path}; use {allow}",
        headers={"Allow": allow},
    )


def internal_error(request_id: str | None) -> HttpError:
    return HttpError(
        status=500,
        code="internal_error",
        message="something went wrong on our side; quote the request id if you report it",
        extra={"request_id": request_id},
    )


class ErrorDetail(BaseModel):
    model_config = ConfigDict(defer_build=True)  # only the OpenAPI document needs it

    code: str = Field(description="Machine-readable error code, e.g. `invalid_input`.")
    message: str = Field(description="What is wrong and how to fix it.")
    field: str | None = Field(default=None, description="The offending input field, if any.")


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    model_config = ConfigDict(defer_build=True)

    error: ErrorDetail


class GatewayError(BaseModel):
    """An answer of API Gateway itself, given before our code runs (its fixed shape)."""

    model_config = ConfigDict(defer_build=True)

    message: str = Field(description="For example `Unauthorized` when no key was sent.")


# The answers every authenticated operation may give, those of operations that read input
# (a body or query parameters: validation) and those of operations with a body.
_COMMON_ERRORS = {
    401: "Missing or unknown API key.",
    429: "Over the rate limit of this API key; retry after `Retry-After` seconds.",
    500: "Unexpected failure; the error carries a `request_id`.",
}
_INPUT_ERRORS = {
    422: "A parameter or body field is invalid (`field` says which).",
}
_BODY_ERRORS = {
    400: "The body cannot be read as JSON.",
    413: "The body or a list in it is too large.",
    415: "The body is not JSON (`Content-Type`).",
}
_PATH_ERRORS = {
    404: "No such item for this API key's tenant (the path names an unknown id).",
}
# Statuses API Gateway itself may answer with ``{"message"}``: no Authorization header (401),
# a body over its 10 MB limit (413), a function that crashed or timed out (500).
_GATEWAY_STATUSES = frozenset({401, 413, 500})
# Powertools documents a 422 on every operation, even one with nothing to validate.
_POWERTOOLS_422 = "Validation Error"
NO_CONTENT = "204"


def errors_of(operation: Mapping[str, Any]) -> dict[int, str]:
    """The error statuses ``operation`` really answers, with their descriptions.

    The generic ones follow from what the operation reads; a route declares its own
    (``responses=`` on its decorator, e.g. 409) and keeps its description.
    """
    parameters = operation.get("parameters", [])
    errors = dict(_COMMON_ERRORS)
    if "requestBody" in operation or any(p.get("in") != "path" for p in parameters):
        errors.update(_INPUT_ERRORS)
    if "requestBody" in operation:
        errors.update(_BODY_ERRORS)
    if any(p.get("in") == "path" for p in parameters):
        errors.update(_PATH_ERRORS)
    for status, response in operation.get("responses", {}).items():
        description = str(response.get("description", ""))
        if int(status) >= 400 and description != _POWERTOOLS_422:
            errors[int(status)] = description
    return errors


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Describe our error answers in an OpenAPI document generated by Powertools.

    Powertools documents its own 422 shape (``HTTPValidationError``) on every operation; ours
    replaces it where a request can be invalid, since ``from_validation`` is what clients
    actually get. A 204 documents no body (Powertools gives every response one).
    """
    ref = "#/components/schemas/{model}"
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorBody, GatewayError):
        schema = model.model_json_schema(ref_template=ref)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    ours = {"$ref": ref.format(model="ErrorBody")}
    ours_or_gateway = {"anyOf": [ours, {"$ref": ref.format(model="GatewayError")}]}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = errors_of(operation)
            responses = operation["responses"]
            for status in [s for s in responses if int(s) >= 400]:
                del responses[status]
            if NO_CONTENT in responses:
                responses[NO_CONTENT].pop("content", None)
            for status, description in sorted(errors.items()):
                schema = ours_or_gateway if status in _GATEWAY_STATUSES else ours
                responses[str(status)] = {
                    "description": description,
                    "content": {JSON: {"schema": schema}},
                }
    _drop_unused(document, ("HTTPValidationError", "ResponseValidationError", "ValidationError"))
    return document


def _drop_unused(document: dict[str, Any], names: Sequence[str]) -> None:
    """Remove Powertools' error schemas nothing refers to any more (referrers first)."""
    schemas = document["components"]["schemas"]
    for name in names:
        schema = schemas.pop(name, None)
        if schema is not None and f'/schemas/{name}"' in json.dumps(document):
            schemas[name] = schema
