"""Link persistence: registering, reading, listing, changing and deleting links, and storing
each check's result and tracking state on the link item.

Link item: pk=``T#<tenant>``, sk=``LINK#<link id>``, kind=``link``; attributes ``id``, ``tenant``,
``url`` (normalised), ``host``, ``tags`` (list), ``interval`` (seconds), ``notify``, ``state``
(``unchecked|ok|broken|restricted|down``), ``pending``, ``failures``, ``checks``,
``blocked_since`` and ``blocked_checks`` (only while a run of blocked results lasts),
``last_result`` (CheckResult dict, trimmed and without copies of ``url``: see compact_result),
``last_checked_at``, ``version`` (optimistic concurrency), ``smart_targets`` and
``smart_fallbacks`` (string sets, only while non-empty: the slugs of the smart links this link
is the target or the fallback of; store/smartlinks.py keeps them), and the due-index keys
``due_shard`` = ``<interval>#<shard>`` and ``due_at`` = zero-padded phase (see
domain/schedule.py: these change only when the interval does, so a check result is one write
and no index writes).

Registering a link (or changing its interval) also records the interval in the sweep's set
(sweep_state.py), so the sweep finds the link in the due index.

Every write that creates a link, deletes one or changes its ``state`` is one transaction with
the tenant's counters (stats.py): the counters change exactly when the link does.

boto3 is never imported here: clients come from ``linkcheck.aws`` when first needed.

Why one long module: every write to a link item (register, change, delete, record a check)
keeps the same invariants (the ``version`` condition, the due-index keys, the compact result),
so they stay beside each other; the sweep's lease and index reads are ``sweep_state.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..awsrequest.dynamodb_codec import Item, from_item, to_item, values
from ..domain import schedule
from ..domain.transitions import LinkState, Outcome, Tracking
from ..engine.verdict import CheckResult
from ..errors import Conflict, NotFound
from ._cursors import decode_cursor, encode_cursor
from ._layout import LINK_PREFIX, item_key, tenant_pk
from ._table import CONDITION_FAILED, TableRepository
from .stats import deltas, stats_update
from .sweep_state import SweepState

MAX_STORED_REDIRECTS = 5  # on the link item; keeps the steady-path write at 1 KB or less
MAX_STORED_DETAIL = 300
TRANSACTION_LINKS = 99  # new links per transaction: 100 items at most, one is the counters
DELETE_ATTEMPTS = 5  # a link whose state changes between the read and the delete: read again


def link_id_for(tenant: str, url: str) -> str:
    """Deterministic id: registering the same normalised URL twice finds the same item."""
    return hashlib.sha256(f"{tenant}\n{url}".encode()).hexdigest()[:20]


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def trimmed(result: CheckResult) -> dict[str, Any]:
    data = result.to_dict()
    data["redirects"] = data["redirects"][:MAX_STORED_REDIRECTS]
    data["detail"] = data["detail"][:MAX_STORED_DETAIL]
    return data


def compact_result(data: dict[str, Any], url: str) -> dict[str, Any]:
    """A latest result as the link item stores it: without the copies of the link's own URL.

    The result's ``url``, a ``final_url`` equal to it and the URL of the first redirect hop
    (where the chain starts) all repeat ``url``; leaving them out keeps the steady-path write
    at one write unit (1 KB) for URLs up to ~500 characters instead of ~190.
    ``expanded_result`` puts them back, so readers see the full result.
    """
    if data.get("url") != url:
        return data
    stored = {k: v for k, v in data.items() if k != "url"}
    if stored.get("final_url") == url:
        del stored["final_url"]
    hops = stored.get("redirects") or []
    if hops and hops[0].get("url") == url:
        stored["redirects"] = [{"status": hops[0]["status"]}, *hops[1:]]
    return stored


def expanded_result(stored: dict[str, Any] | None, url: str) -> dict[str, Any] | None:
    """The full latest result from its stored form (items written before compaction too)."""
    if stored is None:
        return None
    data = {"url": url, **stored}
    data.setdefault("final_url", data["url"])
    hops = data.get("redirects") or []
    if hops and "url" not in hops[0]:
        data["redirects"] = [{"url": data["url"], **hops[0]}, *hops[1:]]
    return data


@dataclass(slots=True)
class Link:
    tenant: str
    id: str
    url: str
    host: str
    interval: int  # seconds
    phase: int
    tags: list[str] = field(default_factory=list)
    notify: bool = True
    tracking: Tracking = field(default_factory=Tracking)
    last_result: dict[str, Any] | None = None
    last_checked_at: str | None = None
    checks: int = 0
    created_at: str = ""
    updated_at: str = ""
    version: int = 0
    smart_targets: list[str] = field(default_factory=list)  # slugs serving this link first
    smart_fallbacks: list[str] = field(default_factory=list)  # slugs falling back to it

    @classmethod
    def from_item(cls, item: Item) -> Link:
        data = from_item(item)
        pending = data.get("pending")
        return cls(
            tenant=data["tenant"],
            id=data["id"],
            url=data["url"],
            host=data["host"],
            interval=int(data["interval"]),
            phase=int(data["phase"]),
            tags=list(data.get("tags") or []),
            notify=bool(data.get("notify", True)),
            tracking=Tracking(
                state=LinkState(data.get("state", LinkState.UNCHECKED)),
                pending=LinkState(pending) if pending else None,
                failures=int(data.get("failures") or 0),
                blocked_since=data.get("blocked_since"),
                blocked_checks=int(data.get("blocked_checks") or 0),
            ),
            last_result=expanded_result(data.get("last_result"), data["url"]),
            last_checked_at=data.get("last_checked_at"),
            checks=int(data.get("checks") or 0),
            created_at=data.get("created_at", ""),
            updated_at=data.get("updated_at", ""),
            version=int(data.get("version") or 0),
            smart_targets=sorted(data.get("smart_targets") or ()),
            smart_fallbacks=sorted(data.get("smart_fallbacks") or ()),
        )

    def to_item(self) -> Item:
        blocked = (
            {
                "blocked_since": self.tracking.blocked_since,
                "blocked_checks": self.tracking.blocked_checks,
            }
            if self.tracking.blocked_checks
            else {}
        )
        # DynamoDB refuses empty sets: the attributes exist only while a smart link uses it.
        smart = {
            name: set(slugs)
            for name, slugs in (
                ("smart_targets", self.smart_targets),
                ("smart_fallbacks", self.smart_fallbacks),
            )
            if slugs
        }
        return to_item(
            {
                "pk": tenant_pk(self.tenant),
                "sk": LINK_PREFIX + self.id,
                "kind": "link",
                "tenant": self.tenant,
                "id": self.id,
                "url": self.url,
                "host": self.host,
                "interval": self.interval,
                "phase": self.phase,
                "due_shard": schedule.due_shard(self.interval, schedule.shard_of(self.id)),
                "due_at": schedule.due_at(self.phase),
                "tags": self.tags,
                "notify": self.notify,
                "state": self.tracking.state.value,
                "pending": self.tracking.pending.value if self.tracking.pending else None,
                "failures": self.tracking.failures,
                "checks": self.checks,
                "last_result": (
                    compact_result(self.last_result, self.url) if self.last_result else None
                ),
                "last_checked_at": self.last_checked_at,
                "created_at": self.created_at,
                "updated_at": self.updated_at,
                "version": self.version,
                **blocked,
                **smart,
            }
        )

    @property
    def key(self) -> Item:
        return item_key(tenant_pk(self.tenant), LINK_PREFIX + self.id)


@dataclass(frozen=True, slots=True)
class NewLink:
    """A validated registration request (URL already normalised)."""

    url: str
    host: str
    interval: int  # seconds
    tags: tuple[str, ...] = ()
    notify: bool = True


@dataclass(frozen=True, slots=True)
class Page:
    links: list[Link]
    cursor: str | None


class LinkStore(TableRepository):
    """Links of every tenant; every method scopes by tenant (another tenant's id is 404)."""

    @property
    def sweep_state(self) -> SweepState:
        """The sweep's state on the same table and client: where new intervals are recorded."""
        return SweepState(self.client, self.table)

    # ------------------------------------------------------------------ registry
    def register(self, tenant: str, new: NewLink, *, now: int) -> tuple[Link, bool]:
        """Create the link, or return the existing one for the same URL (``created`` False)."""
        link, created = self.register_many(tenant, [new], now=now)[0]
        return link, created

    def register_many(
        self, tenant: str, items: Sequence[NewLink], *, now: int
    ) -> list[tuple[Link, bool]]:
        """Create the links that do not exist yet, in input order; ``created`` is True for the
        first occurrence of a new URL only.

        Conditional puts in transactions of up to 99 links with one ``ADD`` to the tenant's
        counters (BatchWriteItem cannot be conditional): a URL already registered fails its
        put's condition, and the transaction is sent again without it, so only links really
        created are counted.
        """
        self.sweep_state.ensure_intervals({item.interval for item in items})
        links = [self._new_link(tenant, item, now) for item in items]
        unique = list({link.id: link for link in reversed(links)}.values())[::-1]
        saved: dict[str, tuple[Link, bool]] = {}
        for start in range(0, len(unique), TRANSACTION_LINKS):
            saved.update(self._create(tenant, unique[start : start + TRANSACTION_LINKS]))
        answers: list[tuple[Link, bool]] = []
        seen: set[str] = set()
        for link in links:
            stored, created = saved[link.id]
            answers.append((stored, created and link.id not in seen))
            seen.add(link.id)
        return answers

    def _new_link(self, tenant: str, new: NewLink, now: int) -> Link:
        link_id = link_id_for(tenant, new.url)
        stamp = iso(now)
        return Link(
            tenant=tenant,
            id=link_id,
            url=new.url,
            host=new.host,
            interval=new.interval,
            phase=schedule.phase_for(link_id, new.interval, now),
            tags=list(dict.fromkeys(new.tags)),
            notify=new.notify,
            created_at=stamp,
            updated_at=stamp,
            version=1,
        )

    def _create(self, tenant: str, links: list[Link]) -> dict[str, tuple[Link, bool]]:
        """One transaction of distinct new links and their count; the existing ones are
        answered as stored. Each retry drops at least one link, so it ends."""
        saved: dict[str, tuple[Link, bool]] = {}
        pending = links
        while pending:
            puts: list[dict[str, Any]] = [
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": link.to_item(),
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
                for link in pending
            ]
            count = stats_update(self.table, tenant, {LinkState.UNCHECKED: len(pending)})
            reasons = self.transact([*puts, count])
            if not reasons:
                saved.update((link.id, (link, True)) for link in pending)
                break
            left: list[Link] = []
            for link, reason in zip(pending, reasons, strict=False):
                if reason.get("Code") != CONDITION_FAILED:
                    left.append(link)
                    continue
                old: Item | None = reason.get("Item")
                saved[link.id] = (Link.from_item(old) if old else self.get(tenant, link.id)), False
            pending = left
        return saved

    def get(self, tenant: str, link_id: str) -> Link:
        response = self.client.get_item(
            TableName=self.table,
            Key=item_key(tenant_pk(tenant), LINK_PREFIX + link_id),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if not item:
            raise NotFound(f"no link with id {link_id!r}", field="id")
        return Link.from_item(item)

    def list_links(
        self,
        tenant: str,
        *,
        status: str | None = None,
        tag: str | None = None,
        host: str | None = None,
        platform: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        max_pages: int = 20,
    ) -> Page:
        """A page of links in id order; filters are applied server-side (FilterExpression).

        ``host``: the host of the normalised URL, as stored at registration; ``platform``: the
        platform that judged the latest result (``last_result.platform``, so a link not
        checked yet has none). The cursor is the last evaluated key, so pages never skip or
        repeat a link even while links are added or removed.
        """
        pk = tenant_pk(tenant)
        filters: list[str] = []
        expr_values = values(pk=pk, prefix=LINK_PREFIX)
        names: dict[str, str] = {}
        if status:
            filters.append("#state = :status")
            names["#state"] = "state"
            expr_values.update(values(status=status))
        if tag:
            filters.append("contains(tags, :tag)")
            expr_values.update(values(tag=tag))
        if host:
            filters.append("host = :host")
            expr_values.update(values(host=host.lower()))
        if platform:
            filters.append("last_result.#platform = :platform")
            names["#platform"] = "platform"
            expr_values.update(values(platform=platform))
        start = decode_cursor(cursor, pk, prefix=LINK_PREFIX) if cursor else None
        found: list[Link] = []
        for _ in range(max_pages):
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": expr_values,
                "Limit": limit - len(found),
            }
            if filters:
                kwargs["FilterExpression"] = " AND ".join(filters)
            if names:
                kwargs["ExpressionAttributeNames"] = names
            if start:
                kwargs["ExclusiveStartKey"] = start
            response = self.client.query(**kwargs)
            found.extend(Link.from_item(item) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start or len(found) >= limit:
                break
        return Page(links=found, cursor=encode_cursor(start) if start else None)

    def update(
        self,
        tenant: str,
        link_id: str,
        *,
        now: int,
        tags: Sequence[str] | None = None,
        interval: int | None = None,
        notify: bool | None = None,
    ) -> Link:
        """Change settings; a new interval reschedules the link (new phase, first due soon)."""
        link = self.get(tenant, link_id)
        if tags is not None:
            link.tags = list(dict.fromkeys(tags))
        if notify is not None:
            link.notify = notify
        if interval is not None and interval != link.interval:
            link.interval = interval
            link.phase = schedule.phase_for(link.id, interval, now)
            self.sweep_state.ensure_intervals({interval})
        link.updated_at = iso(now)
        item = link.to_item()
        names = {f"#{name}": name for name in ("tags", "notify", "interval", "phase")}
        names.update({"#due_shard": "due_shard", "#due_at": "due_at", "#updated_at": "updated_at"})
        sets = ", ".join(f"{alias} = :{alias[1:]}" for alias in names)
        expr_values = {f":{alias[1:]}": item[alias[1:]] for alias in names}
        client = self.client
        try:
            client.update_item(
                TableName=self.table,
                Key=link.key,
                UpdateExpression=f"SET {sets}",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=expr_values,
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise NotFound(f"no link with id {link_id!r}", field="id") from exc
        return link

    def delete(self, tenant: str, link_id: str) -> None:
        """Remove the link (its history and events expire with their TTL) and count it out of
        its state, in one transaction conditioned on the state read just before.

        ``Conflict`` naming the smart links while any uses it (the condition makes this exact
        even against a smart link being created at the same moment: the link is read again).
        """
        for _ in range(DELETE_ATTEMPTS):
            link = self.get(tenant, link_id)  # NotFound: unknown, or deleted meanwhile
            slugs = sorted({*link.smart_targets, *link.smart_fallbacks})
            if slugs:
                raise Conflict(
                    f"link {link_id!r} is used by smart link {', '.join(slugs)}: "
                    "delete the smart link first (DELETE /smartlinks/{slug})",
                    field="id",
                )
            state = link.tracking.state
            removal = {
                "Delete": {
                    "TableName": self.table,
                    "Key": link.key,
                    "ConditionExpression": "#state = :state AND attribute_not_exists(smart_targets)"
                    " AND attribute_not_exists(smart_fallbacks)",
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": values(state=state.value),
                }
            }
            if not self.transact([removal, stats_update(self.table, tenant, deltas(state, None))]):
                return
        raise RuntimeError(f"link {link_id} kept changing state; not deleted, try again")

    # ------------------------------------------------------------------ checks
    def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Link]:
        """Links by (tenant, id), consistent reads, 100 per request; missing ones are left out.

        Keys DynamoDB leaves unprocessed are asked again with backoff; raises
        ``BatchIncomplete`` if some remain after ``BATCH_ATTEMPTS`` (never taken for deleted).
        """
        unique = list(dict.fromkeys(keys))
        links = (
            Link.from_item(item)
            for item in self.batch_get([item_key(tenant_pk(t), LINK_PREFIX + i) for t, i in unique])
        )
        return {(link.tenant, link.id): link for link in links}

    def save_check(
        self,
        link: Link,
        result: CheckResult,
        outcome: Outcome,
        *,
        event_item: Item | None = None,
        also: Sequence[Mapping[str, Any]] = (),
    ) -> bool:
        """Store a result and the new tracking state; False when the link changed meanwhile.

        One conditional UpdateItem on the steady path. A confirmed transition writes the link
        and its event item in one transaction, so there is exactly one event per transition; a
        change of ``state`` adds the tenant's counters to it (stats.py), so they move only
        when the link's state does; ``also``: more writes of that transaction (``TransactItems``
        entries, such as the smart links the transition switches), all or nothing with it.
        """
        tracking = outcome.tracking
        expression_values = values(
            result=compact_result(trimmed(result), link.url),
            checked=result.checked_at,
            state=tracking.state.value,
            pending=tracking.pending.value if tracking.pending else None,
            failures=tracking.failures,
            next=link.version + 1,
            version=link.version,
            one=1,
        )
        sets = (
            "last_result = :result, last_checked_at = :checked, #state = :state, "
            "pending = :pending, failures = :failures, version = :next"
        )
        # The run of refusals lives on the item only while it lasts, so the steady path
        # writes no more bytes than before.
        if tracking.blocked_checks:
            sets += ", blocked_since = :blocked_since, blocked_checks = :blocked_checks"
            expression_values |= values(
                blocked_since=tracking.blocked_since, blocked_checks=tracking.blocked_checks
            )
            expression = f"SET {sets} ADD checks :one"
        else:
            expression = f"SET {sets} ADD checks :one REMOVE blocked_since, blocked_checks"
        update: Any = {
            "TableName": self.table,
            "Key": link.key,
            "UpdateExpression": expression,
            "ConditionExpression": "version = :version",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": expression_values,
        }
        alongside: list[dict[str, Any]] = []
        if event_item is not None:
            put = {"TableName": self.table, "Item": event_item}
            alongside.append({"Put": put | {"ConditionExpression": "attribute_not_exists(pk)"}})
        change = deltas(link.tracking.state, tracking.state)
        if change:
            alongside.append(stats_update(self.table, link.tenant, change))
        client = self.client
        alongside.extend(dict(write) for write in also)
        if alongside:
            if self.transact([{"Update": update}, *alongside]):
                return False
        else:
            try:
                client.update_item(**update)
            except client.exceptions.ConditionalCheckFailedException:
                return False
        link.version += 1
        link.tracking = tracking
        link.last_result = trimmed(result)
        link.last_checked_at = result.checked_at
        link.checks += 1
        return True
