"""The in-process audit over ``Checker.open_batch``: documents read, every link checked once.

Two entry points share one engine of bookkeeping (``_Audit``):

- ``crawl``: from a start URL (and optionally its sitemap), the same-site pages are read for
  links (each page once: its check is its fetch), down to ``Limits.max_depth`` and up to
  ``Limits.max_pages``, robots.txt honoured for the pages read;
- ``audit``: the given documents (URLs, any site) are read and the given links (found in
  local files) are checked; nothing else is read.

Every distinct link (its URL without fragment) is checked once, however many times it is found.
A link with a fragment is reported on its own and judged against the anchors of the target
page (``fragments.judge_fragment``): its target is fetched as a page. A link to a page that
robots.txt disallows is still checked (one request, as a visitor following it would make) but
not read for more links. ``file://`` links are judged on the file system (``local_files``).
Each report says where its link was found (every place counted, the first ``MAX_SOURCES``
named).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol
from urllib.parse import urlsplit

from ..engine import Checker, CheckResult, Page, Reason, Status
from ..extract import (
    DocumentKind,
    ExtractedDocument,
    FoundLink,
    detect_kind,
    html_anchors,
    markdown_anchors,
)
from .documents import read_document
from .fragments import fragment_checked, judge_fragment, split_fragment
from .local_files import LocalFiles
from .parsing import START_AFTER, ParsingProcess
from .report import MAX_SOURCES, LinkReport
from .robots import Robots, fetch_robots, unrestricted
from .scope import Filters, Limits, Scope

OnReport = Callable[["LinkReport"], None]
KnownResult = Callable[[str], CheckResult | None]  # a recent result of a link (a cache), or None


@dataclass(frozen=True, slots=True)
class AuditOptions:
    filters: Filters = field(default_factory=Filters)
    limits: Limits = field(default_factory=Limits)
    fragments: bool = True  # judge fragments against the target's anchors
    media: bool = False  # also the links of img, script, source, ... elements
    robots: bool = True  # honour robots.txt for the pages a crawl reads
    known: KnownResult | None = None  # reuse recent results (never for pages read for links)
    # Parse the pages read in a child process (``parsing``) once a crawl has many: for a
    # command line on a machine with a core to spare; the deployed functions keep it off.
    parse_elsewhere: bool = False


@dataclass(slots=True)
class AuditOutcome:
    reports: list[LinkReport]
    pages_read: int = 0
    excluded: int = 0  # distinct links the include/exclude filters left out
    over_limit: int = 0  # distinct links not checked: max_links was reached
    notes: list[str] = field(default_factory=list)  # what the user should know (robots.txt)


async def crawl(
    checker: Checker,
    start: str,
    options: AuditOptions,
    *,
    sitemap: bool = False,
    on_report: OnReport | None = None,
) -> AuditOutcome:
    """Read the site of ``start`` and check every link found (see the module docstring)."""
    robots = unrestricted(checker.options.user_agent)
    if options.robots:
        robots = await fetch_robots(checker, start)
    run = _Audit(checker, options, Scope((start,), options.filters), robots, on_report)
    if robots.note:
        run.notes.append(robots.note)
    seeds: list[FoundLink] = []
    if sitemap:
        seeds = await _sitemap_links(checker, start, run.notes)
    try:
        async with checker.open_batch(run.on_result, on_page=run.on_page) as batch:
            run.batch = batch
            run.found(FoundLink(url=start, source="", line=None, element="a"), depth=0)
            for link in seeds:
                run.found(link, depth=1)
    except BaseException:
        await run.close(stopped=True)
        raise
    await run.close()
    return run.outcome()


async def audit(
    checker: Checker,
    options: AuditOptions,
    *,
    documents: Sequence[str] = (),
    links: Sequence[FoundLink] = (),
    on_report: OnReport | None = None,
) -> AuditOutcome:
    """Read ``documents`` (page, sitemap, feed, bio page URLs) and check their links and
    ``links``; robots.txt does not apply to documents the user names."""
    run = _Audit(checker, options, None, unrestricted(checker.options.user_agent), on_report)
    # Targets that some link points into: fetched once, as pages, even for their plain links.
    run.pages_wanted = {
        split_fragment(link.url)[0] for link in links if run.judges_fragment(link.url)
    }
    try:
        async with checker.open_batch(run.on_result, on_page=run.on_page) as batch:
            run.batch = batch
            for url in documents:
                run.found(FoundLink(url=url, source="", line=None, element="a"), depth=0, read=True)
            for link in links:
                run.found(link, depth=1)
    except BaseException:
        await run.close(stopped=True)
        raise
    await run.close()
    return run.outcome()


def where(link: FoundLink) -> str:
    """How a place is shown: ``path:line`` for a local file, the page URL for a page."""
    if link.line is not None and not _is_web(link.source):
        return f"{link.source}:{link.line}"
    return link.source


def document_links(page: Page, *, media: bool) -> ExtractedDocument | None:
    """The links of a fetched document (bio page, HTML, sitemap, feed, Markdown, text)."""
    return read_document(page.url, page.content_type, page.body, media=media)


def page_anchors(page: Page) -> frozenset[str] | None:
    """The anchors of an HTML or Markdown page; None for other kinds (nothing to judge by)."""
    kind = detect_kind(path=urlsplit(page.url).path, content_type=page.content_type, body=page.body)
    if kind is DocumentKind.HTML:
        return html_anchors(page.body)
    if kind is DocumentKind.MARKDOWN:
        return markdown_anchors(page.body.decode("utf-8", errors="replace"))
    return None


def _is_web(source: str) -> bool:
    return source.startswith(("http://", "https://"))


async def _sitemap_links(checker: Checker, start: str, notes: list[str]) -> list[FoundLink]:
    parts = urlsplit(start)
    url = f"{parts.scheme}://{parts.netloc}/sitemap.xml"
    result, page = await checker.fetch_page(url)
    document = document_links(page, media=False) if page is not None else None
    if document is None:
        notes.append(f"no sitemap read at {url}: {result.status.value}/{result.reason.value}")
        return []
    return list(document.links)


@dataclass(slots=True)
class _Report:
    url: str
    fragment: str | None
    places: list[str] = field(default_factory=list)
    count: int = 0
    result: CheckResult | None = None


@dataclass(slots=True)
class _Target:
    """One distinct URL (fragment removed) and what is known of it."""

    url: str
    depth: int
    read: bool = False  # its page is read for links
    plain_asked: bool = False
    page_asked: bool = False
    plain_result: CheckResult | None = None
    page_result: CheckResult | None = None
    anchors: frozenset[str] | None = None
    complete: bool = True
    reports: list[_Report] = field(default_factory=list)


class _Audit:
    """The bookkeeping of one audit: what was found where, what to check, what to read."""

    def __init__(
        self,
        checker: Checker,
        options: AuditOptions,
        scope: Scope | None,  # None: read only the seeds
        robots: Robots,
        on_report: OnReport | None,
    ) -> None:
        self.checker = checker
        self.options = options
        self.page_bytes = checker.options.max_page_bytes  # named when a fragment is unconfirmed
        self.scope = scope
        self.robots = robots
        self.on_report = on_report
        self.batch: OpenBatchLike | None = None
        self.targets: dict[str, _Target] = {}
        self.reports: dict[str, _Report] = {}
        self.asked: dict[int, tuple[_Target, bool]] = {}
        self.pages: dict[int, Page] = {}
        self.read_pages: set[str] = set()
        self.reads_asked = 0
        self.pages_read = 0
        self.pages_wanted: set[str] = set()
        self.excluded: set[str] = set()
        self.over_limit: set[str] = set()
        self.notes: list[str] = []
        self.local = LocalFiles()
        self.parser = ParsingProcess(media=options.media) if options.parse_elsewhere else None
        self.failure: BaseException | None = None  # raised by a page parsed elsewhere

    # -- links found -----------------------------------------------------------------------

    def found(self, link: FoundLink, *, depth: int, read: bool = False) -> None:
        base, fragment = split_fragment(link.url)
        if not self.judges_fragment(link.url):
            fragment = None
        shown = f"{base}#{fragment}" if fragment else base
        if not self.options.filters.allows(shown):
            self.excluded.add(base)
            return
        report = self.reports.get(shown)
        if report is None:
            if base.startswith("file:"):
                report = self._new_report(shown, fragment)
                self._place(report, link)
                self._settle(report, self.local.check(shown))
                return
            target = self.targets.get(base)
            if target is None:
                if len(self.targets) >= self.options.limits.max_links:
                    self.over_limit.add(base)
                    return
                target = self.targets[base] = _Target(base, depth)
            report = self._new_report(shown, fragment)
            target.reports.append(report)
            self._place(report, link)
            self._want(target, report, read or self._may_read(base, depth))
            return
        self._place(report, link)

    def judges_fragment(self, url: str) -> bool:
        fragment = split_fragment(url)[1]
        return bool(fragment) and self.options.fragments and fragment_checked(url)

    def _new_report(self, url: str, fragment: str | None) -> _Report:
        report = self.reports[url] = _Report(url, fragment)
        return report

    def _place(self, report: _Report, link: FoundLink) -> None:
        report.count += 1
        place = where(link)
        if place and len(report.places) < MAX_SOURCES and place not in report.places:
            report.places.append(place)

    def _may_read(self, url: str, depth: int) -> bool:
        scope = self.scope
        return (
            scope is not None
            and depth <= self.options.limits.max_depth
            and self.reads_asked < self.options.limits.max_pages
            and scope.on_site(url)
            and self.robots.allows(url)
        )

    def _want(self, target: _Target, report: _Report, read: bool) -> None:
        """Ask the engine for what this report needs, unless it was asked already."""
        if read and not target.read and not target.page_asked:
            target.read = True
            self.reads_asked += 1
            if self.reads_asked == START_AFTER and self.parser is not None:
                self.parser.start()
            self._ask(target, page=True)
            return
        if report.fragment is None:
            known = target.page_result or target.plain_result
            if known is not None:
                self._settle(report, known)
            elif not (target.plain_asked or target.page_asked):
                cached = self._known(report.url)
                if cached is not None:
                    self._settle(report, cached)
                else:
                    self._ask(target, page=target.url in self.pages_wanted)
            return
        if target.page_result is not None:
            self._judge(target, report)
        elif not target.page_asked:
            cached = self._known(report.url)
            if cached is not None:
                self._settle(report, cached)
            else:
                self._ask(target, page=True)

    def _known(self, url: str) -> CheckResult | None:
        known = self.options.known
        return known(url) if known is not None else None

    def _ask(self, target: _Target, *, page: bool) -> None:
        assert self.batch is not None
        if page:
            target.page_asked = True
        else:
            target.plain_asked = True
        self.asked[self.batch.add(target.url, page=page)] = (target, page)

    # -- results ---------------------------------------------------------------------------

    def on_page(self, index: int, page: Page) -> None:
        self.pages[index] = page

    def on_result(self, index: int, result: CheckResult) -> None:
        target, with_page = self.asked.pop(index)
        page = self.pages.pop(index, None)
        if not with_page:
            target.plain_result = result
        elif page is None:
            target.page_result = result
        else:
            target.complete = page.complete
            if target.depth == 0 and self.scope is not None:
                self._start_read(result, page)
            if not (target.read and self._reads(page)):
                target.page_result = result
                target.anchors = page_anchors(page)
            elif self.parser is None or not self._parse_elsewhere(target, result, page):
                document = document_links(page, media=self.options.media)
                self._use(target, result, page, document)
                return
        self._settled(target, result)

    def _start_read(self, result: CheckResult, page: Page) -> None:
        """The crawl's start page answered: when it is a live page of the site (ok, so not
        a parked domain's lander), the site's other pages are spared the parked-domain scan
        (``Checker.mark_live_site``): a domain is parked as a whole, and the one verdict
        skipped, ``parked_domain``, is the start page's own."""
        assert self.scope is not None
        if result.status is Status.OK and self.scope.on_site(page.url):
            self.checker.mark_live_site(page.url)
            for start in self.scope.starts:
                if self.scope.on_site(start):
                    self.checker.mark_live_site(start)

    def _parse_elsewhere(self, target: _Target, result: CheckResult, page: Page) -> bool:
        """Hand ``page`` to the parsing process; its reports are settled when its links come
        back (the batch held open meanwhile). False when the process cannot take it."""
        assert self.parser is not None and self.batch is not None
        release = self.batch.hold()

        def parsed(document: ExtractedDocument | None) -> None:
            try:
                self._use(target, result, page, document)
            except BaseException as exc:  # raised after the batch, as a callback's would be
                self.failure = self.failure or exc
            finally:
                release()

        if self.parser.offer(page, parsed):
            return True
        release()
        return False

    def _use(
        self, target: _Target, result: CheckResult, page: Page, document: ExtractedDocument | None
    ) -> None:
        """A page read for links: its links found, then its own reports settled."""
        target.page_result = result
        # Anchors first: the page's links to itself (``#section``) are judged as they are found.
        target.anchors = document.anchors if document is not None else page_anchors(page)
        if document is not None:
            self.pages_read += 1
            for link in document.links:
                self.found(link, depth=target.depth + 1)
        self._settled(target, result)

    def _settled(self, target: _Target, result: CheckResult) -> None:
        for report in target.reports:
            if report.result is not None:
                continue
            if report.fragment is None:
                self._settle(report, result)
            elif target.page_result is not None:
                self._judge(target, report)

    def _reads(self, page: Page) -> bool:
        """Whether a page fetched for reading is read (once per final URL, on the site)."""
        final = split_fragment(page.url)[0]
        if self.scope is not None and not self.scope.on_site(final):
            return False  # redirected off the site: not ours to crawl
        if final in self.read_pages:
            return False  # another URL of a page already read (a redirect)
        self.read_pages.add(final)
        return True

    def _judge(self, target: _Target, report: _Report) -> None:
        assert target.page_result is not None and report.fragment is not None
        result = replace(target.page_result, url=report.url)
        judged = judge_fragment(
            result, report.fragment, target.anchors, target.complete, read_bytes=self.page_bytes
        )
        self._settle(report, judged)

    def _settle(self, report: _Report, result: CheckResult) -> None:
        if result.url != report.url:
            result = replace(result, url=report.url)
        report.result = result
        if self.on_report is not None:
            self.on_report(_finished(report, result))

    async def close(self, *, stopped: bool = False) -> None:
        """Stop the parsing process; a failure met on a page parsed there is raised here,
        unless the audit was ``stopped`` by another (which is the one raised)."""
        if self.parser is not None:
            await self.parser.close(parse_pending=not stopped)
        if self.failure is not None and not stopped:
            raise self.failure

    def outcome(self) -> AuditOutcome:
        reports = []
        for report in self.reports.values():
            result = report.result or CheckResult(
                url=report.url,
                status=Status.ERROR,
                reason=Reason.NOT_CHECKED,
                detail="The audit ended before this link was checked.",
            )
            reports.append(_finished(report, result))
        return AuditOutcome(
            reports=reports,
            pages_read=self.pages_read,
            excluded=len(self.excluded),
            over_limit=len(self.over_limit),
            notes=self.notes,
        )


def _finished(report: _Report, result: CheckResult) -> LinkReport:
    return LinkReport(report.url, result, tuple(report.places), report.count)


class OpenBatchLike(Protocol):
    """The part of the engine's open batch an audit uses."""

    def add(self, url: str, *, page: bool = False) -> int: ...

    def hold(self) -> Callable[[], None]: ...
