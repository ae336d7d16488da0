"""The check engine: SSRF-safe, polite, bounded HTTP checks that end in a verdict.

Public surface (everything else is internal)::

    async with Checker(CheckOptions(...)) as checker:
        result = await checker.check("https://example.com/")
        results = await checker.check_many(urls)          # input order, duplicates once
        async for index, result in checker.iter_checks(urls): ...   # completion order
        await checker.run_checks(urls, on_result)         # the same, by callback (bulk)
    results = check_urls(urls, options)                   # sync convenience
    naming_the_option(text, "--allow-private-networks")   # a refusal naming the option to lift it
"""

from __future__ import annotations

from .checker import Checker, check_urls
from .options import CheckOptions, ConnectTo
from .ssrf import naming_the_option
from .verdict import CheckResult, Reason, Status

__all__ = [
    "CheckOptions",
    "CheckResult",
    "Checker",
    "ConnectTo",
    "Reason",
    "Status",
    "check_urls",
    "naming_the_option",
]
