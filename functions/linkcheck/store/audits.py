"""Audit persistence: the audit itself, each URL it found, and its exactly-once completion.

Items (docs/audits.md)::

    audit     pk "T#<tenant>"               sk "AUDIT#<id>"             kind "audit"
              id, tenant, url, mode, max_pages, max_depth, max_links, register, tags,
              state (running|completed|cancelled), pending, pages_found, pages_read,
              links_found, links_checked, n_<status> (one counter per verdict status),
              truncated, robots (the start site's robots.txt, once read), created_at,
              completed_at, expires_at (TTL)
    audit URL pk "AUDIT#<tenant>#<id>"      sk "URL#<sha256 of the URL>" kind "audit_url"
              url, role (page|link), depth, by (the key of the URL it was first found on),
              found_in (capped list of pages), done, status, result, expires_at (TTL)

Why the counters hold: every URL is claimed once (a conditional put) in the same transaction
that adds one to ``pending`` (and to ``pages_found``/``links_found``, conditioned on the
limit and on the audit still running); its result is written once (condition ``done =
false``) in the same transaction that takes one from ``pending``. So a redelivered message
never counts twice, and ``pending`` reaches 0 only when every claimed URL has its result. The
transaction that flips ``state`` from ``running`` to ``completed`` (condition ``state =
running AND pending <= 0``) also puts the ``audit.completed`` event: one event, whoever gets
there first.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from ..awsrequest.dynamodb_codec import Item, from_item, to_item, values
from ..engine.verdict import CheckResult, Status
from ..errors import NotFound
from ._cursors import decode_cursor, encode_cursor
from ._layout import item_key, tenant_pk
from ._table import BATCH_ATTEMPTS, BatchIncomplete, TableRepository
from .events import new_event_id
from .links import iso, trimmed

AUDIT_PREFIX = "AUDIT#"
URL_PREFIX = "URL#"
MAX_FOUND_IN = 10  # pages kept per URL as "where it was found"
MAX_ROBOTS_CHARS = 64 * 1024  # robots.txt kept on the audit item (the item stays under 400 KB)
STALE_RUNNING_SECONDS = 24 * 3600  # a running audit older than this no longer takes a slot
BATCH_GET_SIZE = 100
STATUSES: tuple[str, ...] = tuple(status.value for status in Status)


class AuditState:
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Role:
    PAGE = "page"  # read for its links (and checked)
    LINK = "link"  # checked only


def url_key(url: str) -> str:
    """The sort key of an audit URL item: a hash, so any URL length fits a key."""
    return URL_PREFIX + hashlib.sha256(url.encode()).hexdigest()


def audit_url_pk(tenant: str, audit_id: str) -> str:
    return f"{AUDIT_PREFIX}{tenant}#{audit_id}"


def new_audit_id(now_ms: int | None = None) -> str:
    """``aud_`` + a time-ordered id: newer audits sort after older ones."""
    return "aud_" + new_event_id(now_ms).lower()


@dataclass(slots=True)
class Audit:
    tenant: str
    id: str
    url: str
    mode: str
    max_pages: int
    max_depth: int
    max_links: int
    register: bool
    tags: list[str]
    created_at: str
    expires_at: int
    state: str = AuditState.RUNNING
    pending: int = 0
    pages_found: int = 0
    pages_read: int = 0
    links_found: int = 0
    links_checked: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    robots: str | None = None
    completed_at: str | None = None
    correlation_id: str | None = None

    @property
    def key(self) -> Item:
        return item_key(tenant_pk(self.tenant), AUDIT_PREFIX + self.id)

    @classmethod
    def from_item(cls, item: Item) -> Audit:
        data = from_item(item)
        return cls(
            tenant=data["tenant"],
            id=data["id"],
            url=data["url"],
            mode=data["mode"],
            max_pages=int(data["max_pages"]),
            max_depth=int(data["max_depth"]),
            max_links=int(data["max_links"]),
            register=bool(data.get("register")),
            tags=list(data.get("tags") or []),
            created_at=data["created_at"],
            expires_at=int(data["expires_at"]),
            state=data["state"],
            pending=int(data.get("pending") or 0),
            pages_found=int(data.get("pages_found") or 0),
            pages_read=int(data.get("pages_read") or 0),
            links_found=int(data.get("links_found") or 0),
            links_checked=int(data.get("links_checked") or 0),
            counts={status: int(data.get(f"n_{status}") or 0) for status in STATUSES},
            truncated=bool(data.get("truncated")),
            robots=data.get("robots"),
            completed_at=data.get("completed_at"),
            correlation_id=data.get("correlation_id"),
        )

    def to_item(self) -> Item:
        data: dict[str, Any] = {
            "pk": tenant_pk(self.tenant),
            "sk": AUDIT_PREFIX + self.id,
            "kind": "audit",
            "tenant": self.tenant,
            "id": self.id,
            "url": self.url,
            "mode": self.mode,
            "max_pages": self.max_pages,
            "max_depth": self.max_depth,
            "max_links": self.max_links,
            "register": self.register,
            "tags": self.tags,
            "state": self.state,
            "pending": self.pending,
            "pages_found": self.pages_found,
            "pages_read": self.pages_read,
            "links_found": self.links_found,
            "links_checked": self.links_checked,
            "truncated": self.truncated,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            **{f"n_{status}": self.counts.get(status, 0) for status in STATUSES},
        }
        if self.correlation_id:
            data["correlation_id"] = self.correlation_id
        return to_item(data)


@dataclass(frozen=True, slots=True)
class FoundUrl:
    """A URL an audit found: what to do with it, and where it was found."""

    url: str  # as it is checked: normalised, with the fragment when one is judged
    role: str  # Role.PAGE | Role.LINK
    depth: int
    source: str | None = None  # the page it was found on (None: the start URL)


@dataclass(frozen=True, slots=True)
class AuditUrl:
    url: str
    role: str
    depth: int
    done: bool
    by: str | None
    found_in: list[str]
    result: dict[str, Any] | None

    @classmethod
    def from_item(cls, item: Item) -> AuditUrl:
        data = from_item(item)
        return cls(
            url=data["url"],
            role=data["role"],
            depth=int(data.get("depth") or 0),
            done=bool(data.get("done")),
            by=data.get("by"),
            found_in=list(data.get("found_in") or []),
            result=data.get("result"),
        )


class ClaimOutcome:
    CLAIMED = "claimed"  # new: counted as pending, to be enqueued by the caller
    KNOWN = "known"  # found before (its source is appended)
    REENQUEUE = "reenqueue"  # claimed by an earlier delivery of the same work, never enqueued
    REFUSED = "refused"  # over the audit's limit, or the audit is no longer running


@dataclass(frozen=True, slots=True)
class AuditPage:
    audits: list[Audit]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class AuditUrlPage:
    urls: list[AuditUrl]
    cursor: str | None


def _found_attribute(role: str) -> str:
    return "pages_found" if role == Role.PAGE else "links_found"


def _limit_attribute(role: str) -> str:
    return "max_pages" if role == Role.PAGE else "max_links"


class AuditStore(TableRepository):
    """Audits of every tenant; every read is scoped by tenant (another tenant's id is 404)."""

    # ------------------------------------------------------------------ the audit item
    def create(self, audit: Audit, start: FoundUrl) -> None:
        """The audit and its start URL (one pending page), in one transaction."""
        audit.pending = 1
        audit.pages_found = 1
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": audit.to_item(),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": self._url_item(audit, start, by=None),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    def get(self, tenant: str, audit_id: str, *, now: int | None = None) -> Audit:
        """The audit; ``NotFound`` for an unknown, expired or another tenant's id."""
        response = self.client.get_item(
            TableName=self.table,
            Key=item_key(tenant_pk(tenant), AUDIT_PREFIX + audit_id),
            ConsistentRead=True,
        )
        item = response.get("Item")
        audit = Audit.from_item(item) if item else None
        if audit is None or audit.expires_at <= (now if now is not None else int(time.time())):
            raise NotFound(f"no audit with id {audit_id!r}", field="id")
        return audit

    def find(self, tenant: str, audit_id: str) -> Audit | None:
        """The audit, or None (the worker: a deleted or expired audit's work is dropped)."""
        try:
            return self.get(tenant, audit_id)
        except NotFound:
            return None

    def list_audits(
        self, tenant: str, *, limit: int = 50, cursor: str | None = None, now: int | None = None
    ) -> AuditPage:
        """A tenant's audits, newest first."""
        items, next_cursor = self.newest_first(
            tenant_pk(tenant), AUDIT_PREFIX, limit=limit, cursor=cursor, now=now
        )
        return AuditPage(audits=[Audit.from_item(item) for item in items], cursor=next_cursor)

    def running(self, tenant: str, *, now: int, max_pages: int = 20) -> int:
        """How many of the tenant's audits are running (those started over a day ago that
        still are do not count: their work was lost, they must not hold a slot for 30 days)."""
        since = iso(now - STALE_RUNNING_SECONDS)
        count = 0
        start: Item | None = None
        for _ in range(max_pages):
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "FilterExpression": (
                    "#state = :running AND expires_at > :now AND created_at > :since"
                ),
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": values(
                    pk=tenant_pk(tenant),
                    prefix=AUDIT_PREFIX,
                    running=AuditState.RUNNING,
                    now=now,
                    since=since,
                ),
                "Select": "COUNT",
            }
            if start:
                kwargs["ExclusiveStartKey"] = start
            response = self.client.query(**kwargs)
            count += int(response.get("Count", 0))
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return count

    def cancel(self, tenant: str, audit_id: str) -> Audit:
        """Stop a running audit (workers drop its remaining work); a finished one is unchanged."""
        audit = self.get(tenant, audit_id)
        if audit.state != AuditState.RUNNING:
            return audit
        client = self.client
        with suppress(client.exceptions.ConditionalCheckFailedException):  # it just finished
            client.update_item(
                TableName=self.table,
                Key=audit.key,
                UpdateExpression="SET #state = :cancelled, completed_at = :now",
                ConditionExpression="#state = :running",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values(
                    cancelled=AuditState.CANCELLED,
                    running=AuditState.RUNNING,
                    now=iso(time.time()),
                ),
            )
        return self.get(tenant, audit_id)

    def abandon(self, audit: Audit) -> None:
        """Remove an audit whose first message could not be sent (nothing else refers to it)."""
        self.client.delete_item(TableName=self.table, Key=audit.key)

    def keep_robots(self, audit: Audit, text: str) -> str:
        """Store the start site's robots.txt once (the first reader wins); returns the kept text."""
        response = self.client.update_item(
            TableName=self.table,
            Key=audit.key,
            UpdateExpression="SET robots = if_not_exists(robots, :text)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values(text=text[:MAX_ROBOTS_CHARS]),
            ReturnValues="ALL_NEW",
        )
        kept = from_item(response.get("Attributes", {})).get("robots")
        audit.robots = str(kept) if kept is not None else text
        return audit.robots

    def mark_truncated(self, audit: Audit) -> None:
        """Say that the audit met one of its limits (some pages or links were left out)."""
        if audit.truncated:
            return
        self.client.update_item(
            TableName=self.table,
            Key=audit.key,
            UpdateExpression="SET truncated = :yes",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values(yes=True),
        )
        audit.truncated = True

    # ------------------------------------------------------------------ URLs
    def _url_item(self, audit: Audit, found: FoundUrl, *, by: str | None) -> Item:
        data: dict[str, Any] = {
            "pk": audit_url_pk(audit.tenant, audit.id),
            "sk": url_key(found.url),
            "kind": "audit_url",
            "url": found.url,
            "role": found.role,
            "depth": found.depth,
            "done": False,
            "found_in": [found.source] if found.source else [],
            "expires_at": audit.expires_at,
        }
        if by:
            data["by"] = by
        return to_item(data)

    def claim_all(self, audit: Audit, found: Sequence[FoundUrl]) -> list[str]:
        """``claim`` for each URL found on one page (outcomes in order). URLs already known
        are read first (one batch read) rather than refused by a transaction: most links of a
        site are on every page, and a cancelled transaction costs as much as one that writes."""
        known = self.get_urls(audit, [f.url for f in found])
        outcomes: list[str] = []
        for item in found:
            existing = known.get(item.url)
            if existing is not None:
                outcomes.append(self._found_again(audit, item, existing))
            elif self._over_limit(audit, item.role):
                outcomes.append(ClaimOutcome.REFUSED)
            else:
                outcomes.append(self.claim(audit, item))
        return outcomes

    @staticmethod
    def _over_limit(audit: Audit, role: str) -> bool:
        """What this worker knows of the audit's counters says the limit is met (the claim's
        own condition is the guard; this only saves a transaction bound to be refused)."""
        if role == Role.PAGE:
            return audit.pages_found >= audit.max_pages
        return audit.links_found >= audit.max_links

    def claim(self, audit: Audit, found: FoundUrl) -> str:
        """Claim a URL for this audit once; returns a ``ClaimOutcome``.

        ``CLAIMED``: the URL is new and counted as pending (the caller enqueues it). Found
        again, only its source is appended (``KNOWN``), unless it was claimed from the same
        page by an earlier delivery of this work and not checked yet (``REENQUEUE``: that
        delivery may have stopped before sending it; a duplicate check is harmless, its result
        is recorded once). ``REFUSED``: over the audit's limit for its role, or no longer running.
        """
        by = url_key(found.source) if found.source else None
        found_attr = _found_attribute(found.role)
        limit = _limit_attribute(found.role)
        client = self.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": self._url_item(audit, found, by=by),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": audit.key,
                            "UpdateExpression": f"ADD pending :one, {found_attr} :one",
                            "ConditionExpression": f"#state = :running AND {found_attr} < {limit}",
                            "ExpressionAttributeNames": {"#state": "state"},
                            "ExpressionAttributeValues": values(one=1, running=AuditState.RUNNING),
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException:
            return self._after_refused_claim(audit, found)
        if found.role == Role.PAGE:
            audit.pages_found += 1
        else:
            audit.links_found += 1
        return ClaimOutcome.CLAIMED

    def _after_refused_claim(self, audit: Audit, found: FoundUrl) -> str:
        existing = self.get_url(audit, found.url)
        if existing is None:  # the URL is new: the audit refused it (limit, or not running)
            return ClaimOutcome.REFUSED
        return self._found_again(audit, found, existing)

    def _found_again(self, audit: Audit, found: FoundUrl, existing: AuditUrl) -> str:
        by = url_key(found.source) if found.source else None
        if not existing.done and by is not None and existing.by == by:
            return ClaimOutcome.REENQUEUE
        if found.source and found.source not in existing.found_in:
            self.add_source(audit, found.url, found.source)
        return ClaimOutcome.KNOWN

    def add_source(self, audit: Audit, url: str, source: str) -> None:
        """Append where the URL was found again (bounded, each page once)."""
        client = self.client
        with suppress(client.exceptions.ConditionalCheckFailedException):  # listed, or full
            client.update_item(
                TableName=self.table,
                Key=item_key(audit_url_pk(audit.tenant, audit.id), url_key(url)),
                UpdateExpression="SET found_in = list_append(found_in, :source)",
                ConditionExpression=(
                    "attribute_exists(pk) AND size(found_in) < :cap "
                    "AND NOT contains(found_in, :page)"
                ),
                ExpressionAttributeValues=values(source=[source], page=source, cap=MAX_FOUND_IN),
            )

    def get_url(self, audit: Audit, url: str) -> AuditUrl | None:
        response = self.client.get_item(
            TableName=self.table,
            Key=item_key(audit_url_pk(audit.tenant, audit.id), url_key(url)),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return AuditUrl.from_item(item) if item else None

    def get_urls(self, audit: Audit, urls: Sequence[str]) -> dict[str, AuditUrl]:
        """The URL items by URL (consistent reads, 100 per request); missing ones left out."""
        pk = audit_url_pk(audit.tenant, audit.id)
        found: dict[str, AuditUrl] = {}
        unique = list(dict.fromkeys(urls))
        for start in range(0, len(unique), BATCH_GET_SIZE):
            chunk = unique[start : start + BATCH_GET_SIZE]
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [item_key(pk, url_key(url)) for url in chunk],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(BATCH_ATTEMPTS):
                if attempt:
                    self.pause_before_retry(attempt - 1)
                response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    entry = AuditUrl.from_item(item)
                    found[entry.url] = entry
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise BatchIncomplete("BatchGetItem", list(request[self.table]["Keys"]))
        return found

    def record(self, audit: Audit, url: str, role: str, result: CheckResult) -> bool:
        """Store a URL's result and count it, once: False when it already had one."""
        done = "pages_read" if role == Role.PAGE else "links_checked"
        count = f"n_{result.status.value}"
        data = trimmed(result)
        client = self.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": item_key(audit_url_pk(audit.tenant, audit.id), url_key(url)),
                            "UpdateExpression": (
                                "SET done = :yes, #status = :status, #result = :result"
                            ),
                            "ConditionExpression": "attribute_exists(pk) AND done = :no",
                            "ExpressionAttributeNames": {"#status": "status", "#result": "result"},
                            "ExpressionAttributeValues": values(
                                yes=True, no=False, status=result.status.value, result=data
                            ),
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": audit.key,
                            "UpdateExpression": f"ADD pending :less, {done} :one, {count} :one",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": values(less=-1, one=1),
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException:
            return False
        return True

    def complete_if_done(
        self, tenant: str, audit_id: str, event_item: Callable[[Audit, str], Item]
    ) -> bool:
        """Flip a running audit whose work is all recorded to ``completed`` and put its event
        in the same transaction; True only for the one call that did (concurrent workers and
        redeliveries all end here, and the condition lets exactly one through)."""
        audit = self.find(tenant, audit_id)
        if audit is None or audit.state != AuditState.RUNNING or audit.pending > 0:
            return False
        completed_at = iso(time.time())
        client = self.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": audit.key,
                            "UpdateExpression": "SET #state = :completed, completed_at = :at",
                            "ConditionExpression": "#state = :running AND pending <= :zero",
                            "ExpressionAttributeNames": {"#state": "state"},
                            "ExpressionAttributeValues": values(
                                completed=AuditState.COMPLETED,
                                running=AuditState.RUNNING,
                                at=completed_at,
                                zero=0,
                            ),
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": event_item(audit, completed_at),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException:
            return False
        return True

    def list_urls(
        self,
        audit: Audit,
        *,
        status: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        max_pages: int = 20,
    ) -> AuditUrlPage:
        """A page of the audit's URLs (in key order); ``status`` keeps those with that verdict."""
        pk = audit_url_pk(audit.tenant, audit.id)
        expression: dict[str, Any] = values(pk=pk, prefix=URL_PREFIX)
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        }
        if status:
            kwargs["FilterExpression"] = "#status = :status"
            kwargs["ExpressionAttributeNames"] = {"#status": "status"}
            expression |= values(status=status)
        kwargs["ExpressionAttributeValues"] = expression
        start = decode_cursor(cursor, pk, prefix=URL_PREFIX) if cursor else None
        found: list[AuditUrl] = []
        for _ in range(max_pages):
            kwargs["Limit"] = limit - len(found)
            if start:
                kwargs["ExclusiveStartKey"] = start
            response = self.client.query(**kwargs)
            found.extend(AuditUrl.from_item(item) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start or len(found) >= limit:
                break
        return AuditUrlPage(urls=found, cursor=encode_cursor(start) if start else None)


def counts_of(audit: Audit) -> Mapping[str, int]:
    """Checked URLs by verdict status (every status, zeros included)."""
    return {status: audit.counts.get(status, 0) for status in STATUSES}
