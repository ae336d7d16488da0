"""What calls what, read from template.yaml through the SAM transform (never listed by hand).

``read_wiring(load_template())`` gives the functions (handler string, timeout, memory,
environment), the HTTP API routes and authorizer, the SQS and DynamoDB stream event source
mappings, and the schedules. The local runner (``linkcheck dev``) drives the same handlers
from this, so a change to the template changes the local stack too.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

LOCAL_CODE_URI = "s3://linkcheck-local/code.zip"  # any S3 URI satisfies the transform offline

_ARN_IN_SUB = re.compile(r"\$\{(\w+)\.Arn\}")
_ANY_METHOD = "x-amazon-apigateway-any-method"
_HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    handler: str  # "package.module.function"
    timeout_seconds: int
    memory_mb: int
    environment: dict[str, Any]  # raw template values (Refs not yet resolved)


@dataclass(frozen=True)
class AuthorizerSpec:
    name: str
    function: str  # logical id
    identity_sources: tuple[str, ...]  # e.g. ("$request.header.Authorization",)
    cache_ttl_seconds: int
    simple_responses: bool
    payload_version: str

    @property
    def identity_headers(self) -> tuple[str, ...]:
        """Lower-cased header names of the identity sources (the ones we can emulate)."""
        prefix = "$request.header."
        return tuple(
            s[len(prefix) :].lower() for s in self.identity_sources if s.startswith(prefix)
        )


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or "ANY"
    path: str  # "/docs", "/{proxy+}"
    function: str  # logical id
    authorizer: str | None  # authorizer name, None for Authorizer: NONE

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class QueueSource:
    function: str
    queue: str  # logical id of the AWS::SQS::Queue
    batch_size: int
    report_item_failures: bool


@dataclass(frozen=True)
class StreamSource:
    function: str
    table: str  # logical id of the AWS::DynamoDB::Table
    starting_position: str  # TRIM_HORIZON or LATEST
    batch_size: int
    filter_patterns: tuple[dict[str, Any], ...]
    maximum_retry_attempts: int  # AWS's -1 ("until the record expires") becomes sys.maxsize
    maximum_record_age_seconds: int | None  # None: no limit (-1 in the template)
    bisect_on_error: bool
    report_item_failures: bool
    on_failure_queue: str | None  # logical id of the SQS destination, if any


@dataclass(frozen=True)
class Schedule:
    logical_id: str
    function: str
    expression: Any  # as written in the template (often a Ref to a parameter)
    input: Any | None  # the target's Input, parsed, if any


@dataclass
class Wiring:
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    authorizers: dict[str, AuthorizerSpec] = field(default_factory=dict)
    queue_sources: list[QueueSource] = field(default_factory=list)
    stream_sources: list[StreamSource] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)


class _NoPolicies:
    """The transform asks for managed policy ARNs; offline there are none to look up."""

    def load(self, *args: Any, **kwargs: Any) -> dict[str, str]:
        return {}


def transform_template(template: dict[str, Any]) -> dict[str, Any]:
    """The template after the SAM transform, computed offline (NOTES.md)."""
    from samtranslator.translator.transform import transform

    source = copy.deepcopy(template)
    globals_function = source.get("Globals", {}).get("Function", {})
    if "CodeUri" in globals_function:
        globals_function["CodeUri"] = LOCAL_CODE_URI
    for resource in source.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            props = resource.setdefault("Properties", {})
            if "CodeUri" in props or "CodeUri" not in globals_function:
                props["CodeUri"] = LOCAL_CODE_URI
    # The transform reads the region from the environment.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    transformed: dict[str, Any] = transform(source, {}, _NoPolicies())
    data: dict[str, Any] = json.loads(json.dumps(transformed, default=str))
    return data


def read_wiring(template: dict[str, Any]) -> Wiring:
    """Read the wiring of a (not yet transformed) template."""
    resources: dict[str, Any] = transform_template(template).get("Resources", {})
    wiring = Wiring()
    for logical_id, resource in resources.items():
        kind, props = resource.get("Type"), resource.get("Properties", {})
        if kind == "AWS::Lambda::Function":
            wiring.functions[logical_id] = _function(logical_id, props)
        elif kind == "AWS::ApiGatewayV2::Api" and "Body" in props:
            routes, authorizers = _http_api(props["Body"])
            wiring.routes.extend(routes)
            wiring.authorizers.update(authorizers)
        elif kind == "AWS::Lambda::EventSourceMapping":
            _event_source(props, wiring)
        elif kind == "AWS::Scheduler::Schedule":
            target = props.get("Target", {})
            wiring.schedules.append(
                Schedule(
                    logical_id=logical_id,
                    function=_logical_id(target.get("Arn")),
                    expression=props.get("ScheduleExpression"),
                    input=_maybe_json(target.get("Input")),
                )
            )
        elif kind == "AWS::Events::Rule" and "ScheduleExpression" in props:
            for target in props.get("Targets", []):
                wiring.schedules.append(
                    Schedule(
                        logical_id=logical_id,
                        function=_logical_id(target.get("Arn")),
                        expression=props["ScheduleExpression"],
                        input=_maybe_json(target.get("Input")),
                    )
                )
    return wiring


def _function(logical_id: str, props: dict[str, Any]) -> FunctionSpec:
    return FunctionSpec(
        logical_id=logical_id,
        handler=str(props["Handler"]),
        timeout_seconds=int(props.get("Timeout", 3)),
        memory_mb=int(props.get("MemorySize", 128)),
        environment=dict(props.get("Environment", {}).get("Variables", {})),
    )


def _http_api(body: dict[str, Any]) -> tuple[list[Route], dict[str, AuthorizerSpec]]:
    schemes = body.get("components", {}).get("securitySchemes", {})
    authorizers: dict[str, AuthorizerSpec] = {}
    for name, scheme in schemes.items():
        spec = scheme.get("x-amazon-apigateway-authorizer")
        if not spec:
            continue
        authorizers[name] = AuthorizerSpec(
            name=name,
            function=_logical_id(spec.get("authorizerUri")),
            identity_sources=tuple(spec.get("identitySource", [])),
            cache_ttl_seconds=int(spec.get("authorizerResultTtlInSeconds", 0)),
            simple_responses=bool(spec.get("enableSimpleResponses", False)),
            payload_version=str(spec.get("authorizerPayloadFormatVersion", "2.0")),
        )
    routes: list[Route] = []
    for path, operations in body.get("paths", {}).items():
        for key, operation in operations.items():
            if key != _ANY_METHOD and key not in _HTTP_METHODS:
                continue
            integration = operation.get("x-amazon-apigateway-integration", {})
            security = [name for entry in operation.get("security", []) for name in entry]
            authorizer = next((name for name in security if name in authorizers), None)
            routes.append(
                Route(
                    method="ANY" if key == _ANY_METHOD else key.upper(),
                    path=path,
                    function=_logical_id(integration.get("uri")),
                    authorizer=authorizer,
                )
            )
    return routes, authorizers


def _event_source(props: dict[str, Any], wiring: Wiring) -> None:
    function = _logical_id(props.get("FunctionName"))
    source = props.get("EventSourceArn", {})
    getatt = source.get("Fn::GetAtt", []) if isinstance(source, dict) else []
    if len(getatt) != 2:
        return
    target, attribute = getatt
    report = "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])
    if attribute == "Arn":  # a queue
        wiring.queue_sources.append(
            QueueSource(
                function=function,
                queue=target,
                batch_size=int(props.get("BatchSize", 10)),
                report_item_failures=report,
            )
        )
    elif attribute == "StreamArn":  # a DynamoDB table's stream
        filters = props.get("FilterCriteria", {}).get("Filters", [])
        destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        wiring.stream_sources.append(
            StreamSource(
                function=function,
                table=target,
                starting_position=str(props.get("StartingPosition", "LATEST")),
                batch_size=int(props.get("BatchSize", 100)),
                filter_patterns=tuple(json.loads(f["Pattern"]) for f in filters if "Pattern" in f),
                maximum_retry_attempts=_or_unlimited(props.get("MaximumRetryAttempts", -1)),
                maximum_record_age_seconds=_or_none(props.get("MaximumRecordAgeInSeconds", -1)),
                bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                report_item_failures=report,
                on_failure_queue=_logical_id(destination) if destination else None,
            )
        )


def _or_unlimited(value: Any) -> int:
    number = int(value)
    return sys.maxsize if number < 0 else number


def _or_none(value: Any) -> int | None:
    number = int(value)
    return None if number < 0 else number


def _logical_id(value: Any) -> str:
    """The logical id an intrinsic points at: Ref, Fn::GetAtt or a ``${X.Arn}`` in Fn::Sub."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            getatt = value["Fn::GetAtt"]
            return str(getatt[0] if isinstance(getatt, list) else getatt.split(".")[0])
        if "Fn::Sub" in value:
            sub = value["Fn::Sub"]
            if isinstance(sub, list):
                text, variables = sub[0], sub[1]
                for name, inner in variables.items():
                    if f"${{{name}}}" in text:
                        return _logical_id(inner)
                sub = text
            match = _ARN_IN_SUB.search(str(sub))
            if match:
                return match.group(1)
    raise ValueError(f"cannot tell which resource {value!r} points at")


def _maybe_json(value: Any) -> Any | None:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
