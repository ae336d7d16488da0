"""What every pump is (``Pump``), and how a function's answer names its failed records."""

from __future__ import annotations

from typing import Any, Protocol


class Pump(Protocol):
    name: str

    def pump_once(self, wait_seconds: int = 0) -> int: ...


def failed_ids(result: Any) -> set[str] | None:
    """Item identifiers of a ReportBatchItemFailures response; None means "the whole batch"."""
    if result is None or not isinstance(result, dict):
        return set()
    failures = result.get("batchItemFailures") or []
    ids: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier:
            return None  # Lambda treats a malformed failure report as a failed batch
        ids.add(str(identifier))
    return ids
