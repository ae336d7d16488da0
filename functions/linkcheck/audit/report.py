"""What an audit reports per link: its verdict and where it was found."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import CheckResult

MAX_SOURCES = 20  # places named per link; the count covers them all


@dataclass(frozen=True, slots=True)
class LinkReport:
    """One distinct link's verdict and where it was found."""

    url: str  # the link, with its fragment when the fragment was judged
    result: CheckResult
    found_in: tuple[str, ...] = ()  # "path:line" or a page URL, the first MAX_SOURCES
    found_count: int = 0  # every place it was found
