"""The ``checks`` queue: several links per message, ten messages per SendMessageBatch."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import aws
from ..observability import correlation_message_attributes
from ..settings import get_settings
from .messages import (
    LINKS_PER_MESSAGE,
    MESSAGES_PER_SEND,
    AuditMessage,
    CheckBatch,
    LinkRef,
    chunked,
)

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

MAX_DELAY_SECONDS = 900  # SQS maximum
MAX_BATCH_BYTES = 240_000  # SendMessageBatch: 256 KB for all its messages, attributes included


class QueueError(RuntimeError):
    """Some messages could not be sent even after a retry."""


class CheckQueue:
    def __init__(self, client: SQSClient | None = None, url: str | None = None) -> None:
        self._client = client
        self.url = url or get_settings().checks_queue_url

    @property
    def client(self) -> SQSClient:
        if self._client is None:
            self._client = aws.sqs()
        return self._client

    def send_links(
        self,
        refs: Sequence[LinkRef],
        *,
        confirm: bool = False,
        delay_seconds: int = 0,
        swept_at: int | None = None,
        retries: int = 0,
        hops: int = 0,
        per_message: int = LINKS_PER_MESSAGE,
    ) -> int:
        """Send refs packed into messages (``per_message`` each); returns the number sent."""
        batches = [
            CheckBatch(links=chunk, confirm=confirm, swept_at=swept_at, retries=retries, hops=hops)
            for chunk in chunked(list(refs), per_message)
        ]
        delay = max(0, min(MAX_DELAY_SECONDS, delay_seconds))
        for start in range(0, len(batches), MESSAGES_PER_SEND):
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {
                    "Id": uuid.uuid4().hex,
                    "MessageBody": batch.model_dump_json(exclude_defaults=True),
                    "DelaySeconds": delay,
                    "MessageAttributes": correlation_message_attributes(),
                }
                for batch in batches[start : start + MESSAGES_PER_SEND]
            ]
            self._send(entries)
        return len(batches)

    def send_audit(self, messages: Sequence[AuditMessage], *, delay_seconds: int = 0) -> int:
        """Send an audit's work messages (pages to read, links to check); returns the count.

        A SendMessageBatch carries at most ten messages and 256 KB in all, so large messages
        go in smaller batches."""
        delay = max(0, min(MAX_DELAY_SECONDS, delay_seconds))
        batch: list[SendMessageBatchRequestEntryTypeDef] = []
        size = 0
        for message in messages:
            body = message.model_dump_json()
            if batch and (len(batch) >= MESSAGES_PER_SEND or size + len(body) > MAX_BATCH_BYTES):
                self._send(batch)
                batch, size = [], 0
            batch.append(
                {
                    "Id": uuid.uuid4().hex,
                    "MessageBody": body,
                    "DelaySeconds": delay,
                    "MessageAttributes": correlation_message_attributes(),
                }
            )
            size += len(body)
        if batch:
            self._send(batch)
        return len(messages)

    def _send(self, entries: list[SendMessageBatchRequestEntryTypeDef]) -> None:
        for _ in range(2):  # one retry of the entries SQS refused
            response = self.client.send_message_batch(QueueUrl=self.url, Entries=entries)
            failed = {f["Id"] for f in response.get("Failed", [])}
            if not failed:
                return
            entries = [e for e in entries if e["Id"] in failed]
        raise QueueError(f"{len(entries)} check messages could not be sent")
