"""The check engine: SSRF-safe, polite, bounded HTTP checks that end in a verdict.

Public surface (everything else is internal)::

    async with Checker(CheckOptions(...)) as checker:
        result = await checker.check("https://example.com/")
        results = await checker.check_many(urls)          # input order, duplicates once
        async for index, result in checker.iter_checks(urls): ...   # completion order
        await checker.run_checks(urls, on_result)         # the same, by callback (bulk)
    results = check_urls(urls, options)                   # sync convenience
    MAX_URL_LENGTH                                        # the longest URL checked (characters)
"""

from __future__ import annotations

from .checker import Checker, check_urls
from .options import CheckOptions, ConnectTo
from .urls import MAX_URL_LENGTH
from .verdict import CheckResult, Reason, Status

__all__ = [
    "MAX_URL_LENGTH",
    "CheckOptions",
    "CheckResult",
    "Checker",
    "ConnectTo",
    "Reason",
    "Status",
    "check_urls",
]
