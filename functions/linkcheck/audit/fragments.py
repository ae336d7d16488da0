"""TEMPORARY stand-in until the real fragments module lands."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import unquote

from ..engine import CheckResult, Reason, Status


def split_fragment(url: str) -> tuple[str, str | None]:
    base, sep, fragment = url.partition("#")
    return base, (fragment if sep and fragment else None)


def fragment_checked(url: str) -> bool:
    _, fragment = split_fragment(url)
    return fragment is not None and not fragment.startswith(("/", "!"))


def judge_fragment(
    result: CheckResult, fragment: str, anchors: frozenset[str] | None, complete: bool
) -> CheckResult:
    if result.status != Status.OK or anchors is None:
        return result
    if unquote(fragment) in anchors or fragment in anchors:
        return result
    if not complete:
        return result
    return replace(
        result,
        status=Status.BROKEN,
        reason=Reason.MISSING_FRAGMENT,
        detail=f"the page has no anchor #{fragment}",
    )
