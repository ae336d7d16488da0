"""Audits from the command line: the links of local files and of documents (``check``), and
of a whole site (``crawl``), each link checked once, reported with where it was found."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from ..audit.crawl import AuditOptions, AuditOutcome, audit, crawl
from ..audit.parsing import spare_cores
from ..audit.report import LinkReport
from ..engine import Checker, CheckOptions, event_loop_factory
from ..extract import FoundLink
from .inputs import Inputs, read_links
from .report_options import ReportSettings
from .reporting import finish


def run_documents(
    args: argparse.Namespace, options: CheckOptions, settings: ReportSettings, inputs: Inputs
) -> int:
    """``check`` with local documents or ``--extract``: every link they hold, checked once.

    URL arguments are documents to read with ``--extract``, else links to check."""
    links: list[FoundLink] = []
    for document in inputs.documents:
        links.extend(read_links(document, base=args.base, media=settings.media))
    if not args.extract:
        given = (FoundLink(url=url, source="", line=None, element="text") for url in inputs.urls)
        links.extend(given)
    documents = inputs.urls if args.extract else []
    outcome = _run(options, settings, documents=documents, links=links, robots=False)
    return _report("check", outcome, settings)


def run_crawl(
    args: argparse.Namespace, options: CheckOptions, settings: ReportSettings, start: str
) -> int:
    outcome = _run(options, settings, start=start, sitemap=args.sitemap, robots=not args.no_robots)
    return _report("crawl", outcome, settings)


def _run(
    options: CheckOptions,
    settings: ReportSettings,
    *,
    start: str | None = None,
    sitemap: bool = False,
    documents: Sequence[str] = (),
    links: Sequence[FoundLink] = (),
    robots: bool,
) -> AuditOutcome:
    cache = settings.cache
    audit_options = AuditOptions(
        filters=settings.filters,
        limits=settings.limits,
        fragments=settings.fragments,
        media=settings.media,
        robots=robots,
        known=cache.get if cache is not None else None,
        parse_elsewhere=spare_cores() > 0,  # a command line: the other cores are its own
    )
    progress = _Counter() if sys.stderr.isatty() else None

    done: list[AuditOutcome] = []

    # The outcome leaves through ``done``, not as the task's result: on its way out the
    # runner restores the SIGINT handler, and Python's signal module then formats the old
    # handler, whose repr holds the main task's, result included (every report of the audit).
    async def go() -> None:
        async with Checker(options) as checker:
            if start is not None:
                found = await crawl(
                    checker, start, audit_options, sitemap=sitemap, on_report=progress
                )
            else:
                found = await audit(
                    checker, audit_options, documents=documents, links=links, on_report=progress
                )
        done.append(found)

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(go())
    outcome = done[0]
    if progress is not None:
        progress.done()
    return outcome


def _report(command: str, outcome: AuditOutcome, settings: ReportSettings) -> int:
    for note in outcome.notes:
        print(f"linkcheck {command}: {note}", file=sys.stderr)
    skipped = []
    if outcome.excluded:
        skipped.append(f"{outcome.excluded} left out by --include/--exclude")
    if outcome.over_limit:
        skipped.append(f"{outcome.over_limit} not checked (--max-links)")
    if settings.cache is not None and settings.cache.hits:
        skipped.append(f"{settings.cache.hits} verdicts reused from the cache")
    counted = [f"{len(outcome.reports)} {'link' if len(outcome.reports) == 1 else 'links'}"]
    if outcome.pages_read:  # files read from disk are not pages
        plural = "page" if outcome.pages_read == 1 else "pages"
        counted.insert(0, f"{outcome.pages_read} {plural} read")
    print(
        f"linkcheck {command}: {', '.join(counted)}" + "".join(f"; {part}" for part in skipped),
        file=sys.stderr,
    )
    return finish(outcome.reports, settings, places=True)


class _Counter:
    """Links checked so far, on one line of stderr (only when stderr is a terminal)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, report: LinkReport) -> None:
        self.count += 1
        if self.count % 10 == 0:
            sys.stderr.write(f"\r{self.count} links checked")
            sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r" + " " * 40 + "\r")
        sys.stderr.flush()
