"""The deliveries queue: pending webhook POSTs, delayed retries and the dead-letter queue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..observability import CORRELATION_ID_FIELD
from .deliveries import Delivery, sqs_delay

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef

SQS_BATCH = 10


class QueueSendFailed(RuntimeError):
    """SQS did not take some messages (they must be sent again)."""


class DeliveryQueue:
    def __init__(
        self, queue_url: str, *, dead_letter_url: str = "", client: SQSClient | None = None
    ) -> None:
        self._url = queue_url
        self._dead_letter_url = dead_letter_url
        self._client = client

    @property
    def client(self) -> SQSClient:
        if self._client is None:
            from .. import aws

            self._client = aws.sqs()
        return self._client

    def enqueue(self, deliveries: Sequence[Delivery]) -> None:
        """Send new deliveries (first attempts), ten per request."""
        for start in range(0, len(deliveries), SQS_BATCH):
            chunk = deliveries[start : start + SQS_BATCH]
            response = self.client.send_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {
                        "Id": str(i),
                        "MessageBody": d.to_json(),
                        "MessageAttributes": _attributes(d),
                    }
                    for i, d in enumerate(chunk)
                ],
            )
            if response.get("Failed"):
                codes = ", ".join(f["Code"] for f in response["Failed"])
                raise QueueSendFailed(f"SQS refused {len(response['Failed'])} deliveries: {codes}")

    def schedule(self, delivery: Delivery, wait: int) -> None:
        """Put a delivery back to be attempted after ``wait`` seconds (at most 900 per hop)."""
        self.client.send_message(
            QueueUrl=self._url,
            MessageBody=delivery.to_json(),
            DelaySeconds=sqs_delay(wait),
            MessageAttributes=_attributes(delivery),
        )

    def dead_letter(self, delivery: Delivery, why: str) -> None:
        """Park a delivery whose last attempt failed, with the reason, for an operator."""
        body = json.dumps({"delivery": json.loads(delivery.to_json()), "error": why})
        self.client.send_message(QueueUrl=self.dead_letter_url, MessageBody=body)

    @property
    def dead_letter_url(self) -> str:
        """The configured DLQ, else the one the deliveries queue's redrive policy names."""
        if not self._dead_letter_url:
            attributes = self.client.get_queue_attributes(
                QueueUrl=self._url, AttributeNames=["RedrivePolicy"]
            )["Attributes"]
            arn = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
            # Queue URLs end in /<account>/<name>: swap the name (works in AWS and in moto).
            base = self._url.rsplit("/", 1)[0]
            self._dead_letter_url = f"{base}/{arn.rsplit(':', 1)[-1]}"
        return self._dead_letter_url


def _attributes(delivery: Delivery) -> dict[str, MessageAttributeValueTypeDef]:
    """The delivery's correlation id as an SQS message attribute, like every queue of ours."""
    if not delivery.correlation_id:
        return {}
    return {CORRELATION_ID_FIELD: {"DataType": "String", "StringValue": delivery.correlation_id}}
