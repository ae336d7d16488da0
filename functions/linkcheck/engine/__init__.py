"""The check engine: SSRF-safe, polite, bounded HTTP checks that end in a verdict.

Public surface (everything else is internal)::

    async with Checker(CheckOptions(...)) as checker:
        result = await checker.check("https://example.com/")
        results = await checker.check_many(urls)          # input order, duplicates once
        async for index, result in checker.iter_checks(urls): ...   # completion order
        await checker.run_checks(urls, on_result)         # the same, by callback (bulk)
        result, page = await checker.fetch_page(url)      # the check, and its 2xx page (Page)
        await checker.run_checks(urls, on_result, pages={0}, on_page=on_page)
        async with checker.open_batch(on_result, on_page=on_page) as batch:
            batch.add(url, page=True)                     # an OpenBatch grows while it runs
    results = check_urls(urls, options)                   # sync convenience
    loop = (event_loop_factory() or asyncio.new_event_loop)()   # uvloop when installed
    naming_the_option(text, "--allow-private-networks")   # a refusal naming the option to lift it
    MAX_URL_LENGTH                                        # the longest URL checked (characters)

Inside: ``checker`` (the front door) over ``batch`` (many checks), ``flow`` (one check's hops
and retries), ``judging`` (status and detectors), ``urls``/``hosts`` (normalisation, pure),
``connection``/``pool``/``wire`` and ``http1`` (HTTP/1.1 on asyncio), ``ssrf`` (what may be
dialled), ``errors`` (why a URL cannot be checked, or a request got no answer).
"""

from __future__ import annotations

from .batch import OpenBatch
from .checker import Checker, check_urls, event_loop_factory
from .options import CheckOptions, ConnectTo
from .page import Page
from .proxy import Proxy
from .ssrf import naming_the_option
from .urls import MAX_URL_LENGTH
from .verdict import CheckResult, Reason, Status

__all__ = [
    "MAX_URL_LENGTH",
    "CheckOptions",
    "CheckResult",
    "Checker",
    "ConnectTo",
    "OpenBatch",
    "Page",
    "Proxy",
    "Reason",
    "Status",
    "check_urls",
    "event_loop_factory",
    "naming_the_option",
]
