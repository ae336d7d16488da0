"""Python values to DynamoDB attribute values and back: the one codec (pure, no boto3).

Every repository and the boto3-free DynamoDB client speak DynamoDB JSON
(``{"name": {"S": "..."}}``) through these functions; boto3's ``TypeSerializer`` would pull boto3
into the API's cold start, and the types stored are few:

=====================  ==============  ==================================================
Python                 attribute       back to Python
=====================  ==============  ==================================================
``None``               ``NULL``        ``None``
``bool``               ``BOOL``        ``bool``
``str``                ``S``           ``str``
``int``                ``N``           ``int`` (every digit kept)
``float``, ``Decimal`` ``N``           ``int`` when integral, else ``float`` (see below)
``Mapping``            ``M``           ``dict`` (keys as ``str``)
``list``, ``tuple``    ``L``           ``list``
set of ``str``         ``SS``          ``set`` of ``str``
set of numbers         ``NS``          ``set`` of numbers (as above)
=====================  ==============  ==================================================

Numbers, one rule: ints stay ints, exactly. A float is written as its shortest round-tripping
form (``repr``), a ``Decimal`` as it is; both must be finite (DynamoDB has no NaN or
infinity: ``ValueError``). Read back, a number without a fractional part is an ``int`` (so
``2.0`` comes back as ``2``, equal in value), any other is the nearest ``float``; callers never
see a ``Decimal``. What the store keeps (counters, epochs, timings, HTTP statuses) fits that.
Binary (``B``/``BS``) is not supported (boto3 and the JSON protocol encode it differently), nor
an empty or mixed set (DynamoDB refuses them): ``TypeError`` / ``ValueError`` before any call.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

Item = dict[str, Any]  # an item (or key, or ExpressionAttributeValues) in DynamoDB JSON
Number = int | float | Decimal


def to_attr(value: Any) -> dict[str, Any]:
    """The attribute value of ``value`` (``{"S": "x"}``, ``{"N": "1"}``, ...)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):  # before int: bool is an int subclass
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _number(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, set | frozenset):
        return _set(value)
    if isinstance(value, list | tuple):
        return {"L": [to_attr(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def from_attr(attr: Mapping[str, Any]) -> Any:
    """The Python value of one attribute value (see the table above)."""
    ((kind, value),) = attr.items()
    if kind == "S":
        return value
    if kind == "N":
        return _read_number(value)
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in value.items()}
    if kind == "L":
        return [from_attr(v) for v in value]
    if kind == "SS":
        return set(value)
    if kind == "NS":
        return {_read_number(v) for v in value}
    raise TypeError(f"unsupported DynamoDB type {kind}")


def to_item(values: Mapping[str, Any]) -> Item:
    """An item (or key) from plain values: ``{"pk": "T#a"}`` -> ``{"pk": {"S": "T#a"}}``."""
    return {k: to_attr(v) for k, v in values.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values from an item as DynamoDB returns it."""
    return {k: from_attr(v) for k, v in item.items()}


def values(**named: Any) -> Item:
    """ExpressionAttributeValues from keyword arguments: ``values(v=1)`` -> ``{":v": {...}}``."""
    return {f":{k}": to_attr(v) for k, v in named.items()}


def _number(value: Number) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"DynamoDB numbers are finite; cannot store {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"DynamoDB numbers are finite; cannot store {value!r}")
    return repr(value) if isinstance(value, float) else str(value)


def _read_number(text: str) -> int | float:
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not a DynamoDB number: {text!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a DynamoDB number: {text!r}")
    return int(number) if number == number.to_integral_value() else float(number)


def _set(members: Iterable[Any]) -> dict[str, Any]:
    members = list(members)
    if not members:
        raise ValueError("DynamoDB cannot store an empty set")
    if all(isinstance(m, str) for m in members):
        return {"SS": sorted(members)}
    if all(isinstance(m, int | float | Decimal) and not isinstance(m, bool) for m in members):
        return {"NS": [_number(m) for m in sorted(members)]}
    raise TypeError("a DynamoDB set holds only strings or only numbers")
