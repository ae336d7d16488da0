"""Smart links: a public slug that redirects to a target URL, or to its fallback when the
target is dead (docs/smartlinks.md).

Items (``domain/slugs.py`` has the key rules):

- slug item, pk=``SLUG#<slug>`` sk=``SLUG``, kind=``smartlink``: ``slug``, ``tenant``, ``id``
  (random, per creation: keys its click counters), ``target_url``, ``fallback_url``,
  ``target_link_id``, ``fallback_link_id``, ``serving`` (``target`` | ``fallback``),
  ``created_at``. The one item outside a tenant's key space: the public redirect knows only
  the slug and answers with this one read. The API never reads or changes it by slug alone,
  only through the caller's reference item, and every write to it is conditioned on its
  ``tenant``.
- reference item, pk=``T#<tenant>`` sk=``SMART#<slug>``, kind=``smartlink_ref``: the tenant's
  list of its smart links (``slug``, the two link ids, ``created_at``).
- click counter, pk=``CLICK#<slug>#<id>`` sk=``DAY#<yyyy-mm-dd>``, kind=``clicks``:
  ``count`` (one atomic ``ADD`` per redirect, written by handlers/redirect.py) and
  ``expires_at`` (TTL, ``CLICK_RETENTION_DAYS``). No personal data: no address, agent or
  referrer.

The target and the fallback are registered links (checked by the sweeps like any other); each
link item knows the slugs that use it (``smart_targets``, ``smart_fallbacks``), so the worker
switches ``serving`` inside the very transaction that records the target's confirmed
transition (``serving_writes``), and a link in use cannot be deleted (409).

Creating and deleting are one transaction each (slug item, reference item, both links), so a
smart link never exists half-made. Creation also bumps the target link's ``version``: a worker
holding the link as read before the smart link existed then fails its conditional write,
re-reads, and switches the new smart link too. The creation is conditioned on the version it
read, so ``serving`` starts from the target's state as of the write.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..awsrequest.dynamodb_codec import Item, from_item, to_item, values
from ..domain.slugs import (
    CLICK_RETENTION_DAYS,
    DAY_PREFIX,
    REF_PREFIX,
    click_key,
    day_of,
    new_slug,
    slug_key,
    slug_problem,
)
from ..domain.smartlinks import Serving, serving_for
from ..errors import Conflict, InvalidInput, NotFound
from ._cursors import decode_cursor, encode_cursor
from ._layout import LINK_PREFIX, item_key, tenant_pk
from ._table import TableRepository
from .links import Link, LinkStore, NewLink, iso

MAX_SMARTLINKS_PER_LINK = 25  # a transition's transaction updates each: stays far below 100
CREATE_ATTEMPTS = 5  # a generated slug taken, or the target link changed while creating
GENERATED_SLUG_ATTEMPTS = 3
CLICK_READ_CONCURRENCY = 8
SMARTLINK_TAG = "smartlink:"  # + slug: the tag of the links a smart link registers


@dataclass(frozen=True, slots=True)
class SmartLink:
    slug: str
    tenant: str
    id: str
    target_url: str
    fallback_url: str
    target_link_id: str
    fallback_link_id: str
    serving: Serving
    created_at: str

    @classmethod
    def from_item(cls, item: Item) -> SmartLink:
        data = from_item(item)
        return cls(
            slug=data["slug"],
            tenant=data["tenant"],
            id=data["id"],
            target_url=data["target_url"],
            fallback_url=data["fallback_url"],
            target_link_id=data["target_link_id"],
            fallback_link_id=data["fallback_link_id"],
            serving=Serving(data.get("serving", Serving.TARGET)),
            created_at=data.get("created_at", ""),
        )

    def to_item(self) -> Item:
        pk, sk = slug_key(self.slug)
        return to_item(
            {
                "pk": pk,
                "sk": sk,
                "kind": "smartlink",
                "slug": self.slug,
                "tenant": self.tenant,
                "id": self.id,
                "target_url": self.target_url,
                "fallback_url": self.fallback_url,
                "target_link_id": self.target_link_id,
                "fallback_link_id": self.fallback_link_id,
                "serving": self.serving.value,
                "created_at": self.created_at,
            }
        )

    def ref_item(self) -> Item:
        return to_item(
            {
                "pk": tenant_pk(self.tenant),
                "sk": REF_PREFIX + self.slug,
                "kind": "smartlink_ref",
                "slug": self.slug,
                "target_link_id": self.target_link_id,
                "fallback_link_id": self.fallback_link_id,
                "created_at": self.created_at,
            }
        )

    @property
    def url(self) -> str:
        """The URL the redirect answers with now."""
        return self.fallback_url if self.serving is Serving.FALLBACK else self.target_url


@dataclass(frozen=True, slots=True)
class Clicks:
    """A smart link's click counts by UTC day (only days with clicks)."""

    by_day: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_day.values())

    def on(self, day: str) -> int:
        return self.by_day.get(day, 0)

    def last_days(self, today: str, days: int) -> list[tuple[str, int]]:
        """``days`` days up to ``today``, oldest first, zeros included (a chart's series)."""
        end = date.fromisoformat(today)
        series = [(end - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]
        return [(day, self.on(day)) for day in series]


@dataclass(frozen=True, slots=True)
class SmartLinkPage:
    smartlinks: list[SmartLink]
    cursor: str | None


def serving_writes(table: str, link: Link, serving: Serving) -> list[dict[str, Any]]:
    """``TransactItems`` entries that make every smart link whose target is ``link`` serve
    ``serving``: written in the transaction of the link's confirmed transition.

    Each is conditioned on the slug item still being this link's smart link, so a smart link
    deleted meanwhile cancels the transaction (the worker re-reads the link and tries again)
    instead of leaving a stray item behind.
    """
    writes: list[dict[str, Any]] = []
    for slug in link.smart_targets:
        pk, sk = slug_key(slug)
        writes.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": to_item({"pk": pk, "sk": sk}),
                    "UpdateExpression": "SET serving = :serving",
                    "ConditionExpression": (
                        "attribute_exists(pk) AND tenant = :tenant AND target_link_id = :link"
                    ),
                    "ExpressionAttributeValues": values(
                        serving=serving.value, tenant=link.tenant, link=link.id
                    ),
                }
            }
        )
    return writes


class SmartLinkStore(TableRepository):
    """Smart links of every tenant; every method but the redirect's read scopes by tenant."""

    @property
    def links(self) -> LinkStore:
        return LinkStore(self.client, self.table)

    # ------------------------------------------------------------------ create
    def create(
        self, tenant: str, slug: str | None, target: NewLink, fallback: NewLink, *, now: int
    ) -> SmartLink:
        """Register the target and the fallback (or find them registered) and create the
        smart link. ``Conflict`` when the slug is taken (by anyone) or the target is used by
        too many smart links; ``InvalidInput`` for a bad slug or a fallback equal to the
        target."""
        if slug is not None:
            problem = slug_problem(slug)
            if problem:
                raise InvalidInput(problem, field="slug")
            if self._slug_taken(slug):
                raise _slug_conflict(slug)
        if target.url == fallback.url:
            raise InvalidInput(
                "fallback_url must be another URL than target_url", field="fallback_url"
            )
        generated = 0
        for _ in range(CREATE_ATTEMPTS):
            chosen = slug if slug is not None else new_slug()
            if slug is None and self._slug_taken(chosen):  # before tagging links with it
                generated += 1
                if generated >= GENERATED_SLUG_ATTEMPTS:
                    break
                continue
            # Links registered here are tagged; a link already registered keeps its tags.
            tag = (f"{SMARTLINK_TAG}{chosen}",)
            target_link, _ = self.links.register(
                tenant, replace(target, tags=(*target.tags, *tag)), now=now
            )
            fallback_link, _ = self.links.register(
                tenant, replace(fallback, tags=(*fallback.tags, *tag)), now=now
            )
            if len(target_link.smart_targets) >= MAX_SMARTLINKS_PER_LINK:
                raise Conflict(
                    f"target_url is already the target of {MAX_SMARTLINKS_PER_LINK} smart "
                    "links, the most allowed; reuse one of them",
                    field="target_url",
                )
            smart = SmartLink(
                slug=chosen,
                tenant=tenant,
                id=secrets.token_hex(6),
                target_url=target_link.url,
                fallback_url=fallback_link.url,
                target_link_id=target_link.id,
                fallback_link_id=fallback_link.id,
                serving=serving_for(target_link.tracking.state),
                created_at=iso(now),
            )
            failed = self._write_new(smart, target_link)
            if failed is None:
                return smart
            if failed == "slug":
                if slug is not None:
                    raise _slug_conflict(slug)
                generated += 1
                if generated >= GENERATED_SLUG_ATTEMPTS:
                    break
            # else a link changed (a check, a new smart link) or was deleted: read again
        raise Conflict("the smart link could not be created (its links kept changing); retry")

    def _slug_taken(self, slug: str) -> bool:
        pk, sk = slug_key(slug)
        response = self.client.get_item(
            TableName=self.table, Key=item_key(pk, sk), ConsistentRead=True
        )
        return bool(response.get("Item"))

    def _write_new(self, smart: SmartLink, target_link: Link) -> str | None:
        """One transaction; None when written, else what refused it (``slug`` or ``link``)."""
        slug_set = values(slug={smart.slug})[":slug"]
        client = self.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": smart.to_item(),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": smart.ref_item(),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": target_link.key,
                            "UpdateExpression": "ADD smart_targets :slug, version :one",
                            "ConditionExpression": "version = :version",
                            "ExpressionAttributeValues": {
                                ":slug": slug_set,
                                **values(one=1, version=target_link.version),
                            },
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": self._link_key(smart.tenant, smart.fallback_link_id),
                            "UpdateExpression": "ADD smart_fallbacks :slug",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":slug": slug_set},
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons") or []
            codes = [str(reason.get("Code") or "None") for reason in reasons]
            if codes[:2] != ["None", "None"] and "ConditionalCheckFailed" in codes[:2]:
                return "slug"
            return "link"
        return None

    @staticmethod
    def _link_key(tenant: str, link_id: str) -> Item:
        return item_key(tenant_pk(tenant), LINK_PREFIX + link_id)

    # ------------------------------------------------------------------ read
    def get(self, tenant: str, slug: str) -> SmartLink:
        """The tenant's smart link (``NotFound`` for an unknown or another tenant's slug)."""
        ref = self.client.get_item(
            TableName=self.table,
            Key=item_key(tenant_pk(tenant), REF_PREFIX + slug),
            ConsistentRead=True,
        ).get("Item")
        if not ref:
            raise NotFound(f"no smart link with slug {slug!r}", field="slug")
        pk, sk = slug_key(slug)
        item = self.client.get_item(
            TableName=self.table, Key=item_key(pk, sk), ConsistentRead=True
        ).get("Item")
        if not item or from_item(item).get("tenant") != tenant:
            raise NotFound(f"no smart link with slug {slug!r}", field="slug")
        return SmartLink.from_item(item)

    def list_page(
        self, tenant: str, *, limit: int = 50, cursor: str | None = None
    ) -> SmartLinkPage:
        """A page of the tenant's smart links in slug order (one Query, one BatchGetItem)."""
        pk = tenant_pk(tenant)
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": values(pk=pk, prefix=REF_PREFIX),
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, pk, prefix=REF_PREFIX)
        response = self.client.query(**kwargs)
        slugs = [str(from_item(ref)["slug"]) for ref in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        found = self._slug_items(slugs)
        smartlinks = [
            found[slug] for slug in slugs if slug in found and found[slug].tenant == tenant
        ]
        return SmartLinkPage(smartlinks=smartlinks, cursor=encode_cursor(last) if last else None)

    def _slug_items(self, slugs: Sequence[str]) -> dict[str, SmartLink]:
        if not slugs:
            return {}
        request: dict[str, Any] = {
            self.table: {
                "Keys": [item_key(*slug_key(slug)) for slug in slugs],
                "ConsistentRead": True,
            }
        }
        found: dict[str, SmartLink] = {}
        for attempt in range(8):
            if attempt:
                self.pause_before_retry(attempt - 1)
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table, []):
                smart = SmartLink.from_item(item)
                found[smart.slug] = smart
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        return found

    def clicks(self, smart: SmartLink) -> Clicks:
        """Its click counters (every retained day; expired ones left out)."""
        pk, _ = click_key(smart.slug, smart.id, "")
        today = day_of(datetime.now(UTC).timestamp())
        oldest = (date.fromisoformat(today) - timedelta(days=CLICK_RETENTION_DAYS)).isoformat()
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk >= :oldest",
            "ExpressionAttributeValues": values(pk=pk, oldest=DAY_PREFIX + oldest),
        }
        by_day: dict[str, int] = {}
        while True:
            response = self.client.query(**kwargs)
            for item in response.get("Items", []):
                data = from_item(item)
                by_day[str(data["sk"])[len(DAY_PREFIX) :]] = int(data.get("count") or 0)
            last = response.get("LastEvaluatedKey")
            if not last:
                return Clicks(by_day=by_day)
            kwargs["ExclusiveStartKey"] = last

    def clicks_of(self, smartlinks: Sequence[SmartLink]) -> list[Clicks]:
        """Click counters of several smart links, read in parallel, in input order."""
        if len(smartlinks) <= 1:
            return [self.clicks(smart) for smart in smartlinks]
        with ThreadPoolExecutor(max_workers=CLICK_READ_CONCURRENCY) as pool:
            return list(pool.map(self.clicks, smartlinks))

    # ------------------------------------------------------------------ delete
    def delete(self, tenant: str, slug: str) -> None:
        """Delete the tenant's smart link (its links stay registered; its click counters
        expire with their TTL). ``NotFound`` for an unknown or another tenant's slug."""
        smart = self.get(tenant, slug)
        slug_set = values(slug={slug})[":slug"]
        pk, sk = slug_key(slug)
        client = self.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": item_key(pk, sk),
                            "ConditionExpression": "tenant = :tenant AND id = :id",
                            "ExpressionAttributeValues": values(tenant=tenant, id=smart.id),
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": item_key(tenant_pk(tenant), REF_PREFIX + slug),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    # Bumping the version makes a worker holding the link as read (with this
                    # slug in it) re-read before its next write, instead of failing on it.
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": self._link_key(tenant, smart.target_link_id),
                            "UpdateExpression": "DELETE smart_targets :slug ADD version :one",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":slug": slug_set, **values(one=1)},
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": self._link_key(tenant, smart.fallback_link_id),
                            "UpdateExpression": "DELETE smart_fallbacks :slug",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":slug": slug_set},
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException as exc:
            raise NotFound(f"no smart link with slug {slug!r}", field="slug") from exc


def _slug_conflict(slug: str) -> Conflict:
    return Conflict(f"slug {slug!r} is already taken; choose another", field="slug")
