"""The base of the repositories over the single table."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .. import aws
from ..settings import get_settings
from ._dynamo import Item, decode_cursor, encode_cursor, values

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class TableRepository:
    """Holds the table name and a DynamoDB client, created on first use.

    Tests and the local stack pass their own (moto-backed) client; in Lambda the shared client
    of ``linkcheck.aws`` is used, and only when a method actually talks to DynamoDB, so merely
    importing a repository never loads boto3.
    """

    def __init__(self, client: DynamoDBClient | None = None, table: str | None = None) -> None:
        self._client = client
        self.table = table or get_settings().table_name

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = aws.dynamodb()
        return self._client

    def newest_first(
        self, pk: str, prefix: str, *, limit: int, cursor: str | None, now: int | None
    ) -> tuple[list[Item], str | None]:
        """One page of the items under ``pk`` whose sort key starts with ``prefix``, newest
        first, without those past their ``expires_at`` (moto, and DynamoDB for up to a few
        days, keep expired items), and the opaque cursor of the next page (None: last page)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "FilterExpression": "expires_at > :now",
            "ExpressionAttributeValues": values(
                pk=pk, prefix=prefix, now=now if now is not None else int(time.time())
            ),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, pk, prefix=prefix)
        response = self.client.query(**kwargs)
        last = response.get("LastEvaluatedKey")
        return response.get("Items", []), encode_cursor(last) if last else None
