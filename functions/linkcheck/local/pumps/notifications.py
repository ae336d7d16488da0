"""SNS -> an internal SQS queue subscribed to the topic; each message printed.

``NotificationPump`` shows what a subscriber of the notifications topic would receive.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any


def describe_notification(envelope: dict[str, Any]) -> str:
    """One console line for an SNS notification: ``[notify] link.broken https://... (Subject)``."""
    attributes = envelope.get("MessageAttributes") or {}
    event_type = (attributes.get("event_type") or {}).get("Value", "")
    url = ""
    try:
        message = json.loads(envelope.get("Message", ""))
    except ValueError:
        message = None
    if isinstance(message, dict):
        event_type = event_type or str(message.get("type") or message.get("event_type") or "")
        for holder in (message.get("link"), message.get("result"), message):
            if isinstance(holder, dict) and holder.get("url"):
                url = str(holder["url"])
                break
    parts = [p for p in ("[notify]", event_type or "message", url) if p]
    subject = envelope.get("Subject")
    line = " ".join(parts)
    return f"{line} ({subject})" if subject else line


class NotificationPump:
    def __init__(
        self,
        *,
        sqs: Any,
        queue_url: str,
        topic_arn: str,
        on_notification: Callable[[dict[str, Any], str], None],
    ) -> None:
        self.name = f"topic {topic_arn.rsplit(':', 1)[-1]} -> console"
        self.sqs = sqs
        self.queue_url = queue_url
        self.topic_arn = topic_arn
        self.on_notification = on_notification
        self.lock = threading.Lock()

    def pump_once(self, wait_seconds: int = 0) -> int:
        with self.lock:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
            ).get("Messages", [])
            for message in messages:
                try:
                    envelope = json.loads(message["Body"])
                except ValueError:
                    envelope = {"Message": message["Body"]}
                self.on_notification(envelope, describe_notification(envelope))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
            return len(messages)
