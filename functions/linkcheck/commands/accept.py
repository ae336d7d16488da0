"""``--accept CODES``: HTTP statuses that count as ``ok`` (``200..299,429``)."""

from __future__ import annotations

from dataclasses import replace

from ..engine import CheckResult, Reason, Status
from .usage import UsageError


def parse_accept(text: str) -> frozenset[int]:
    """``"200..299,429"`` -> the codes; a usage error says which part is wrong."""
    codes: set[int] = set()
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        low, dots, high = part.partition("..")
        try:
            first, last = int(low), int(high if dots else low)
        except ValueError:
            raise UsageError(
                f"--accept: {part!r} is not a status code or a range like 200..299"
            ) from None
        if not 100 <= first <= last <= 599:
            raise UsageError(f"--accept: {part!r} must be codes from 100 to 599, low..high")
        codes.update(range(first, last + 1))
    if not codes:
        raise UsageError("--accept: give status codes, e.g. 200..299,429")
    return frozenset(codes)


def accepted(result: CheckResult, codes: frozenset[int]) -> CheckResult:
    """``result`` as ``ok`` when its final HTTP status is accepted; a missing fragment stays
    broken (the page answered, the anchor is still missing)."""
    if (
        not codes
        or result.status is Status.OK
        or result.http_status not in codes
        or result.reason is Reason.MISSING_FRAGMENT
    ):
        return result
    return replace(
        result,
        status=Status.OK,
        detail=f"HTTP {result.http_status} is accepted (--accept). {result.detail}".rstrip(),
    )
