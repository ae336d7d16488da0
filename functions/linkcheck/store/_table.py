"""The base of the repositories over the single table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import aws
from ..settings import get_settings

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
