from __future__ import annotations

import boto3

from linkcheck.settings import get_settings


def test_template_resources_exist_in_moto(aws_env: dict[str, str]) -> None:
    settings = get_settings()
    table = boto3.client("dynamodb").describe_table(TableName=settings.table_name)["Table"]
    assert {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])} == {"due"}
    assert table["StreamSpecification"]["StreamEnabled"] is True
    attrs = boto3.client("sqs").get_queue_attributes(
        QueueUrl=settings.checks_queue_url, AttributeNames=["All"]
    )["Attributes"]
    assert "RedrivePolicy" in attrs
    assert settings.topic_arn.startswith("arn:aws:sns:")
