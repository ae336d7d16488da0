"""An audit's work in the worker: read pages, check links, record each once, complete once.

The worker hands this module the audit messages of its batch (``audit_pages``,
``audit_links``) and a way to fetch URLs with the engine (wanting the page of some). Every URL
of the batch is fetched at once (the engine keeps per-host politeness across the whole set);
then, message by message:

- a page read: its links are claimed (``AuditStore.claim``: each URL once per audit, counted
  as pending before it is enqueued) and sent as new messages, registered as monitored links
  when the audit asks for it, and only then is the page's own result recorded; so ``pending``
  never reaches 0 while a page's links are still on their way;
- a link checked: its fragment, if it has a judged one, is looked up in the anchors of the
  page it points to (``audit.fragments.judge_fragment``), then its result is recorded;
- a URL not reached before the deadline (or whose check judged nothing) goes back on the queue
  with one more hop; past ``MAX_HOPS`` its not-judged result is recorded, so the audit ends.

Messages of an audit that is gone, cancelled or finished are dropped. A URL already recorded
(a redelivered message) is not checked again. After its messages, each audit touched is
completed if nothing is pending (``AuditStore.complete_if_done``: one ``audit.completed``
event, whoever gets there first). A message whose work could not be stored or sent is
reported failed, for SQS to deliver again; what it already recorded is not counted twice.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..audit.fragments import judge_fragment, split_fragment
from ..audit.robots import robots_url
from ..engine.verdict import CheckResult
from ..errors import InvalidInput
from ..extract import DocumentKind, ExtractedDocument, detect_kind, extract, extract_bio
from ..observability import logger
from ..registration import link_target
from ..settings import Settings
from ..store import Item, LinkStore, NewLink
from ..store.audits import (
    Audit,
    AuditState,
    AuditStore,
    ClaimOutcome,
    FoundUrl,
    Role,
    counts_of,
)
from ..store.events import audit_completed_item
from .audit_plan import Crawl, Mode, plan_links, robots_of, robots_text
from .messages import (
    AUDIT_LINKS_PER_MESSAGE,
    MAX_AUDIT_MESSAGE_BYTES,
    MAX_HOPS,
    PAGES_PER_MESSAGE,
    AuditLinks,
    AuditMessage,
    AuditPages,
    PageToRead,
    chunk_by_size,
)
from .queue import CheckQueue

DEFERRED_DELAY_SECONDS = 30  # URLs not reached go back on the queue, checked again after this
NOT_REACHED = "not reached before the worker's deadline"


class PageLike(Protocol):
    """What the audit reads of a fetched page (the engine's ``Page``)."""

    @property
    def url(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def body(self) -> bytes: ...
    @property
    def complete(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Fetched:
    result: CheckResult | None  # None: not reached before the deadline
    page: PageLike | None = None  # only for a wanted page that answered 2xx


# Fetches URLs at once, in input order; the page of each index in the collection is wanted.
Fetch = Callable[[Sequence[str], Collection[int]], Awaitable[list[Fetched]]]


@dataclass(slots=True)
class AuditWork:
    store: AuditStore
    queue: CheckQueue
    links: LinkStore
    settings: Settings


@dataclass(slots=True)
class AuditReport:
    pages_read: int = 0
    links_checked: int = 0
    deferred: int = 0
    dropped_messages: int = 0  # of audits gone, cancelled or finished
    completed: list[str] = field(default_factory=list)  # audit ids completed by this batch
    failed_messages: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Unit:
    """One URL of one message to fetch: a page to read or a link to check."""

    message_id: str
    audit: Audit
    url: str
    role: str
    depth: int
    hops: int
    fetch_index: int = -1


@dataclass(slots=True)
class _Batch:
    """The URLs to fetch, each once: units that need the same URL share its result and page
    (the engine hands a page read once to one index only)."""

    urls: list[str] = field(default_factory=list)
    wanted: set[int] = field(default_factory=set)
    index_of: dict[str, int] = field(default_factory=dict)

    def add(self, url: str, *, page: bool) -> int:
        index = self.index_of.get(url)
        if index is None:
            index = self.index_of[url] = len(self.urls)
            self.urls.append(url)
        if page:
            self.wanted.add(index)
        return index


async def process_audits(
    messages: Sequence[tuple[str, AuditMessage]], work: AuditWork, fetch: Fetch
) -> AuditReport:
    """Do the work of the audit messages; the report lists the messages to retry."""
    report = AuditReport()
    audits: dict[tuple[str, str], Audit | None] = {}
    units: dict[str, list[_Unit]] = {}
    touched: dict[tuple[str, str], Audit] = {}
    batch = _Batch()
    robots_index: dict[tuple[str, str], int] = {}
    for message_id, message in messages:
        key = (message.tenant, message.audit_id)
        try:
            if key not in audits:
                audits[key] = work.store.find(message.tenant, message.audit_id)
            audit = audits[key]
            if audit is None or audit.state != AuditState.RUNNING:
                report.dropped_messages += 1
                continue
            touched[key] = audit
            units[message_id] = _units_of(message_id, message, audit, work.store, batch)
            if audit.mode == Mode.SITE and audit.robots is None and key not in robots_index:
                robots_index[key] = batch.add(robots_url(audit.url), page=True)
        except Exception as exc:  # throttled reads: the message is delivered again
            _failed(report, message_id, exc)
    fetched = await fetch(batch.urls, batch.wanted) if batch.urls else []
    for key, index in robots_index.items():
        try:
            _keep_robots(work.store, touched[key], fetched[index])
        except Exception as exc:  # its pages wait (robots unknown) and go back on the queue
            logger.warning(
                "robots.txt could not be kept", extra={"audit_id": key[1], "error": repr(exc)[:300]}
            )
    for message_id, message_units in units.items():
        try:
            _finish(message_units, fetched, work, report)
        except Exception as exc:
            _failed(report, message_id, exc)
    for audit in touched.values():
        try:
            if work.store.complete_if_done(audit.tenant, audit.id, _completed_event):
                report.completed.append(audit.id)
        except Exception as exc:  # the next message of this audit (or its retry) tries again
            logger.warning(
                "audit completion failed", extra={"audit_id": audit.id, "error": repr(exc)[:300]}
            )
    return report


def _failed(report: AuditReport, message_id: str, exc: Exception) -> None:
    logger.warning(
        "audit message failed: it will be retried",
        extra={"message_id": message_id, "error": repr(exc)[:300]},
    )
    report.failed_messages.append(message_id)


def _units_of(
    message_id: str, message: AuditMessage, audit: Audit, store: AuditStore, batch: _Batch
) -> list[_Unit]:
    """The URLs of a message still to be done (a redelivered message skips recorded ones)."""
    if isinstance(message, AuditPages):
        wanted = [(page.url, Role.PAGE, page.depth) for page in message.pages]
    else:
        wanted = [(url, Role.LINK, 0) for url in message.links]
    known = store.get_urls(audit, [url for url, _, _ in wanted])
    units = []
    for url, role, _ in wanted:
        item = known.get(url)
        if item is None or item.done:
            continue
        base, fragment = split_fragment(url)
        index = batch.add(base, page=role == Role.PAGE or fragment is not None)
        units.append(_Unit(message_id, audit, url, role, item.depth, message.hops, index))
    return units


def _keep_robots(store: AuditStore, audit: Audit, fetched: Fetched) -> None:
    result = fetched.result
    if result is None or not result.judged:
        return  # not read this time: the next page message of the audit asks again
    body = fetched.page.body if fetched.page is not None else None
    store.keep_robots(audit, robots_text(result.http_status, body))


def _finish(
    units: Sequence[_Unit], fetched: Sequence[Fetched], work: AuditWork, report: AuditReport
) -> None:
    deferred: list[_Unit] = []
    for unit in units:
        got = fetched[unit.fetch_index]
        result = got.result
        if result is None or not result.judged:
            if unit.hops < MAX_HOPS:
                deferred.append(unit)
                continue
            result = result or CheckResult.not_checked(unit.url, NOT_REACHED)
        if unit.role == Role.PAGE and _robots_unknown(unit.audit) and unit.hops < MAX_HOPS:
            deferred.append(unit)  # its links cannot be sorted before robots.txt is read
            continue
        if unit.role == Role.PAGE:
            if result.judged and got.page is not None:
                _follow(unit, got.page, work)
            if work.store.record(unit.audit, unit.url, Role.PAGE, result):
                report.pages_read += 1
        else:
            result = _judged_link(unit.url, result, got.page)
            if work.store.record(unit.audit, unit.url, Role.LINK, result):
                report.links_checked += 1
    if deferred:
        _send(work.queue, deferred, delay=DEFERRED_DELAY_SECONDS, hops=deferred[0].hops + 1)
        report.deferred += len(deferred)


def _robots_unknown(audit: Audit) -> bool:
    """A site audit whose robots.txt could not be read yet (not reached, or not stored)."""
    return audit.mode == Mode.SITE and audit.robots is None


def _judged_link(url: str, result: CheckResult, page: PageLike | None) -> CheckResult:
    """A link's result, its fragment (if any) judged against the anchors of its page."""
    _, fragment = split_fragment(url)
    if fragment is None:
        return result
    document = _document(page, source=url) if page is not None else None
    anchors = document.anchors if document is not None else None
    complete = page.complete if page is not None else False
    return judge_fragment(result, fragment, anchors, complete)


def _document(page: PageLike, *, source: str, mode: str = Mode.PAGE) -> ExtractedDocument | None:
    if mode == Mode.BIO:
        bio = extract_bio(page.body, page.url)
        if bio is not None:
            return bio
    kind = detect_kind(content_type=page.content_type or None, body=page.body)
    if kind is None or (kind == DocumentKind.TEXT and mode != Mode.BIO):
        return None  # plain text is not read for links unless it is a bio page's
    return extract(page.body, kind, source=source, base_url=page.url)


def _follow(unit: _Unit, page: PageLike, work: AuditWork) -> None:
    """Claim the links of a page read, send the new ones, register them if asked."""
    audit = unit.audit
    document = _document(page, source=unit.url, mode=audit.mode)
    if document is None:
        return
    robots = robots_of(audit.robots)
    crawl = Crawl(mode=audit.mode, start=audit.url, max_depth=audit.max_depth, robots=robots)
    if not crawl.follows(page.url, unit.depth) or _robots_unknown(audit):
        return  # redirected off the site (or robots.txt never read): checked, not read
    planned = plan_links(crawl, unit.url, unit.depth, (link.url for link in document.links))
    to_send: list[FoundUrl] = []
    claimed: list[FoundUrl] = []
    demoted: list[FoundUrl] = []  # pages over max_pages: still checked, as links
    for found, outcome in zip(planned, work.store.claim_all(audit, planned), strict=True):
        if outcome == ClaimOutcome.REFUSED and found.role == Role.PAGE:
            demoted.append(FoundUrl(found.url, Role.LINK, found.depth, found.source))
        _sort(found, outcome, audit, work.store, to_send, claimed)
    for found, outcome in zip(demoted, work.store.claim_all(audit, demoted), strict=True):
        _sort(found, outcome, audit, work.store, to_send, claimed)
    _send_found(work.queue, audit, to_send)
    if audit.register and claimed:
        _register(work, audit, claimed)


def _sort(
    found: FoundUrl,
    outcome: str,
    audit: Audit,
    store: AuditStore,
    to_send: list[FoundUrl],
    claimed: list[FoundUrl],
) -> None:
    """Where a claimed URL goes: sent (new, or left unsent by an earlier delivery), or
    nowhere (known; refused, which the audit records as ``truncated``)."""
    if outcome == ClaimOutcome.REFUSED:
        store.mark_truncated(audit)
    elif outcome == ClaimOutcome.CLAIMED:
        claimed.append(found)
        to_send.append(found)
    elif outcome == ClaimOutcome.REENQUEUE:
        to_send.append(found)


def _send_found(queue: CheckQueue, audit: Audit, found: Sequence[FoundUrl]) -> None:
    pages = [PageToRead(url=f.url, depth=f.depth) for f in found if f.role == Role.PAGE]
    links = [f.url for f in found if f.role == Role.LINK]
    messages: list[AuditMessage] = [
        AuditPages(tenant=audit.tenant, audit_id=audit.id, pages=pages[i : i + PAGES_PER_MESSAGE])
        for i in range(0, len(pages), PAGES_PER_MESSAGE)
    ]
    messages += [
        AuditLinks(tenant=audit.tenant, audit_id=audit.id, links=chunk)
        for chunk in chunk_by_size(
            links, count=AUDIT_LINKS_PER_MESSAGE, max_bytes=MAX_AUDIT_MESSAGE_BYTES
        )
    ]
    if messages:
        queue.send_audit(messages)


def _send(queue: CheckQueue, units: Sequence[_Unit], *, delay: int, hops: int) -> None:
    """Put URLs not reached back on the queue, one more hop."""
    by_audit: dict[tuple[str, str], list[_Unit]] = {}
    for unit in units:
        by_audit.setdefault((unit.audit.tenant, unit.audit.id), []).append(unit)
    messages: list[AuditMessage] = []
    for (tenant, audit_id), group in by_audit.items():
        pages = [PageToRead(url=u.url, depth=u.depth) for u in group if u.role == Role.PAGE]
        links = [u.url for u in group if u.role == Role.LINK]
        messages += [
            AuditPages(
                tenant=tenant, audit_id=audit_id, pages=pages[i : i + PAGES_PER_MESSAGE], hops=hops
            )
            for i in range(0, len(pages), PAGES_PER_MESSAGE)
        ]
        messages += [
            AuditLinks(tenant=tenant, audit_id=audit_id, links=chunk, hops=hops)
            for chunk in chunk_by_size(
                links, count=AUDIT_LINKS_PER_MESSAGE, max_bytes=MAX_AUDIT_MESSAGE_BYTES
            )
        ]
    queue.send_audit(messages, delay_seconds=delay)


def _register(work: AuditWork, audit: Audit, found: Sequence[FoundUrl]) -> None:
    """Add the links found to the tenant's monitored links (idempotent per normalised URL;
    the registration SSRF rule applies: a refused URL is checked, never registered)."""
    allow_private = work.settings.allow_private_networks
    tags = tuple(dict.fromkeys([*audit.tags, f"audit:{audit.id}"]))
    interval = work.settings.default_interval_minutes * 60
    new: dict[str, NewLink] = {}
    for item in found:
        try:
            target = link_target(item.url, allow_private=allow_private)
        except InvalidInput:
            continue
        new.setdefault(
            target.url, NewLink(url=target.url, host=target.host, interval=interval, tags=tags)
        )
    if new:
        work.links.register_many(audit.tenant, list(new.values()), now=int(time.time()))


def _completed_event(audit: Audit, completed_at: str) -> Item:
    return audit_completed_item(
        tenant=audit.tenant,
        audit_id=audit.id,
        url=audit.url,
        mode=audit.mode,
        counts=counts_of(audit),
        pages=audit.pages_read,
        links=audit.links_checked,
        started_at=audit.created_at,
        completed_at=completed_at,
        correlation_id=audit.correlation_id,
    )
