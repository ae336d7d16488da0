"""Create the template's data resources (table, queues, topics) in moto, from template.yaml.

Resources are read from the template, never listed twice by hand. Only the resource types that
need to exist for the code to run are created here; the wiring between them and the functions
(event sources, schedules, routes) is read by the local runner.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain JSON-able data (short-form intrinsics such as ``!Ref`` expanded).

    samtranslator's YAML loader gives the same result as ``cfnlint.decode`` (checked on our
    template) and imports in a fraction of the time, which every ``linkcheck dev`` start pays.
    """
    import yaml  # type: ignore[import-untyped]
    from samtranslator.yaml_helper import yaml_parse

    try:
        template = yaml_parse(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    if not isinstance(template, dict):
        raise ValueError(f"cannot read {path}: not a template")
    data: dict[str, Any] = json.loads(json.dumps(template, default=str))
    return data


@dataclass
class LocalResources:
    """Physical ids of created resources, by logical id (what ``!Ref`` would return)."""

    refs: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)
    table_names: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)

    topic_arns: dict[str, str] = field(default_factory=dict)

    def env(self, template: dict[str, Any]) -> dict[str, str]:
        """The Globals environment of the functions, with Refs resolved to local resources."""
        function_globals = template.get("Globals", {}).get("Function", {})
        variables = function_globals.get("Environment", {}).get("Variables", {})
        return self.resolve_variables(variables, template)

    def resolve_variables(
        self, variables: dict[str, Any], template: dict[str, Any]
    ) -> dict[str, str]:
        """Environment variables with Refs resolved (resources, then parameter defaults)."""
        params = template.get("Parameters", {})
        resolved: dict[str, str] = {}
        for name, value in variables.items():
            if isinstance(value, dict) and "Ref" in value:
                ref = value["Ref"]
                if ref in self.refs:
                    resolved[name] = self.refs[ref]
                elif ref in params:
                    resolved[name] = str(params[ref].get("Default", ""))
            elif isinstance(value, dict) and "Fn::GetAtt" in value:
                target, attribute = value["Fn::GetAtt"]
                if attribute == "Arn" and target in self.arns:
                    resolved[name] = self.arns[target]
                elif attribute == "StreamArn" and target in self.stream_arns:
                    resolved[name] = self.stream_arns[target]
            elif isinstance(value, str | int | float):
                resolved[name] = str(value)
        return resolved


def _queue_attributes(props: dict[str, Any], resources: LocalResources) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
        if key in props:
            attributes[key] = str(props[key])
    redrive = props.get("RedrivePolicy")
    if redrive:
        target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": resources.arns[target],
                "maxReceiveCount": int(redrive["maxReceiveCount"]),
            }
        )
    return attributes


def create_resources(template: dict[str, Any], *, prefix: str | None = None) -> LocalResources:
    """Create every table, queue and topic of the template; names get a unique prefix."""
    prefix = prefix or f"linkcheck-{uuid.uuid4().hex[:8]}"
    resources = LocalResources()
    dynamodb = boto3.client("dynamodb")
    sqs = boto3.client("sqs")
    sns = boto3.client("sns")
    items = template.get("Resources", {}).items()

    # Dead-letter queues first: other queues' redrive policies point at them.
    queues = [(k, v) for k, v in items if v.get("Type") == "AWS::SQS::Queue"]
    queues.sort(key=lambda kv: "RedrivePolicy" in kv[1].get("Properties", {}))
    for logical_id, resource in queues:
        props = resource.get("Properties", {})
        url = sqs.create_queue(
            QueueName=f"{prefix}-{logical_id}",
            Attributes=_queue_attributes(props, resources),  # type: ignore[arg-type]
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        resources.refs[logical_id] = url
        resources.queue_urls[logical_id] = url
        resources.arns[logical_id] = arn

    for logical_id, resource in items:
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::SNS::Topic":
            arn = sns.create_topic(Name=f"{prefix}-{logical_id}")["TopicArn"]
            resources.refs[logical_id] = arn
            resources.arns[logical_id] = arn
            resources.topic_arns[logical_id] = arn
        elif resource.get("Type") == "AWS::DynamoDB::Table":
            name = f"{prefix}-{logical_id}"
            _create_table(dynamodb, name, props)
            resources.refs[logical_id] = name
            resources.table_names[logical_id] = name
            described = dynamodb.describe_table(TableName=name)["Table"]
            resources.arns[logical_id] = described["TableArn"]
            if "LatestStreamArn" in described:
                resources.stream_arns[logical_id] = described["LatestStreamArn"]
    return resources


def _create_table(client: Any, name: str, props: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in props:
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if "StreamSpecification" in props:
        kwargs["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": props["StreamSpecification"]["StreamViewType"],
        }
    client.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        # moto accepts TTL but never deletes expired items (readers filter on it).
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
