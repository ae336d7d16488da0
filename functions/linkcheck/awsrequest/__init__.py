"""Calling AWS without boto3: SigV4 signing (pure) and a minimal DynamoDB client.

For code on the on-demand ``/check`` path, whose cold start must not pay for boto3.
"""

from __future__ import annotations

from .dynamodb import DynamoDBError, DynamoDBHttpClient
from .sigv4 import Credentials

__all__ = ["Credentials", "DynamoDBError", "DynamoDBHttpClient"]
