"""Publishing one event to the SNS topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .messages import EventMessage, message_attributes, sns_message, subject

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef


class TopicPublisher:
    def __init__(self, topic_arn: str, *, client: SNSClient | None = None) -> None:
        self._topic_arn = topic_arn
        self._client = client

    @property
    def client(self) -> SNSClient:
        if self._client is None:
            from .. import aws

            self._client = aws.sns()
        return self._client

    def publish(self, event: EventMessage) -> str:
        """Publish; returns SNS's message id. Raises botocore errors when SNS refuses."""
        response = self.client.publish(
            TopicArn=self._topic_arn,
            Subject=subject(event),
            Message=sns_message(event),
            MessageStructure="json",
            MessageAttributes={
                name: _attribute(value) for name, value in message_attributes(event).items()
            },
        )
        return response["MessageId"]


def _attribute(value: str | int) -> MessageAttributeValueTypeDef:
    """A number as an SNS ``Number`` (numeric filter policies match it), text as ``String``."""
    if isinstance(value, int):
        return {"DataType": "Number", "StringValue": str(value)}
    return {"DataType": "String", "StringValue": value}
