"""Opaque page cursors: a listing's LastEvaluatedKey as a URL-safe string, and back."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from ..awsrequest.dynamodb_codec import Item, from_attr
from ..errors import InvalidInput
from ._layout import item_key


def encode_cursor(last_key: Mapping[str, Any]) -> str:
    """An opaque, URL-safe cursor for a LastEvaluatedKey (sort key only: pk comes from auth)."""
    raw = json.dumps({"sk": from_attr(last_key["sk"])}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, pk: str, *, prefix: str) -> Item:
    """The ExclusiveStartKey of a cursor; refuses cursors not made for this kind of listing."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        sk = data["sk"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        message = "cursor is not valid: pass the `cursor` of a previous page"
        raise InvalidInput(message, field="cursor") from exc
    if not isinstance(sk, str) or not sk.startswith(prefix):
        raise InvalidInput("cursor is not valid for this listing", field="cursor")
    return item_key(pk, sk)
