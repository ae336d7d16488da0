"""DynamoDB attribute values and opaque cursors, without importing boto3.

boto3's ``TypeSerializer`` would pull boto3 into the API's cold start; the subset of types the
store writes (str, int, float, bool, None, list, dict, set of str) is small enough to do here.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..errors import InvalidInput

Item = dict[str, Any]  # an item in DynamoDB's wire format ({"name": {"S": "..."}})


def to_attr(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": str(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, set | frozenset):
        return {"SS": sorted(str(v) for v in value)}
    if isinstance(value, list | tuple):
        return {"L": [to_attr(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def from_attr(attr: Mapping[str, Any]) -> Any:
    ((kind, value),) = attr.items()
    if kind == "S":
        return value
    if kind == "N":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in value.items()}
    if kind == "L":
        return [from_attr(v) for v in value]
    if kind in ("SS", "NS"):
        return {from_attr({kind[0]: v}) for v in value}
    raise TypeError(f"unsupported DynamoDB type {kind}")


def to_item(values: Mapping[str, Any]) -> Item:
    return {k: to_attr(v) for k, v in values.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: from_attr(v) for k, v in item.items()}


def values(**named: Any) -> Item:
    """ExpressionAttributeValues from keyword arguments: ``values(v=1)`` -> ``{":v": {...}}``."""
    return {f":{k}": to_attr(v) for k, v in named.items()}


def now_epoch() -> int:
    return int(time.time())


def encode_cursor(last_key: Mapping[str, Any]) -> str:
    """An opaque, URL-safe cursor for a LastEvaluatedKey (sort key only: pk comes from auth)."""
    raw = json.dumps({"sk": last_key["sk"]["S"]}, separators=(",", ":")).encode()
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
    return {"pk": {"S": pk}, "sk": {"S": sk}}
