"""Lambda event filtering (EventBridge-style patterns), the subset our templates use.

A pattern is a nested object whose leaves are lists of allowed values: a record matches when,
for every key of the pattern, the record has that key and (nested objects) matches recursively
or (lists) its value is one of the listed values. Besides exact values, a list may hold
``{"exists": bool}`` and ``{"prefix": "..."}`` matchers. Several patterns are OR-ed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_MISSING = object()


def matches_any(patterns: Iterable[Mapping[str, Any]], record: Mapping[str, Any]) -> bool:
    """True when there are no patterns or at least one matches (Lambda's OR semantics)."""
    patterns = list(patterns)
    return not patterns or any(matches(pattern, record) for pattern in patterns)


def matches(pattern: Mapping[str, Any], record: Any) -> bool:
    for key, expected in pattern.items():
        actual = record.get(key, _MISSING) if isinstance(record, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if actual is _MISSING or not matches(expected, actual):
                return False
        elif isinstance(expected, list):
            if not _leaf_matches(expected, actual):
                return False
        else:
            raise ValueError(f"filter pattern value for {key!r} must be an object or a list")
    return True


def _leaf_matches(allowed: list[Any], actual: Any) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    for rule in allowed:
        if isinstance(rule, Mapping):
            if "exists" in rule:
                if bool(rule["exists"]) == (actual is not _MISSING):
                    return True
            elif "prefix" in rule:
                if any(isinstance(v, str) and v.startswith(rule["prefix"]) for v in values):
                    return True
            else:
                raise ValueError(f"unsupported filter matcher {dict(rule)!r}")
        elif actual is not _MISSING and rule in values:
            return True
    return False
