"""Calling AWS without boto3: SigV4 signing (pure), a minimal DynamoDB client, and the one
codec between Python values and DynamoDB attribute values (``dynamodb_codec``, pure).

For code on the on-demand ``/check`` path, whose cold start must not pay for boto3; the
repositories of ``linkcheck.store`` convert their items with the same codec.
"""

from __future__ import annotations

from .dynamodb import DynamoDBError, DynamoDBHttpClient
from .sigv4 import Credentials

__all__ = ["Credentials", "DynamoDBError", "DynamoDBHttpClient"]
