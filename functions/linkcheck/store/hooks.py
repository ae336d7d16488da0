"""Webhook subscriptions (REST hooks), scoped by tenant.

Item: pk=``T#<tenant>`` sk=``HOOK#<hook id>``, kind=``hook``, id, tenant, target_url,
event_types (empty: every type), secret (``whsec_...``, needed in clear to sign deliveries;
the table is encrypted at rest and the API returns it only once, at creation), created_at,
and the outcome of the last delivery (last_status, last_delivery_at).

No boto3 import at module level: the API's routes import this module.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..awsrequest.dynamodb_codec import Item, from_item, to_item, values
from ..engine.verdict import utc_now_iso
from ..errors import Conflict
from ._layout import item_key, tenant_pk
from ._table import TableRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_HOOKS_PER_TENANT = 25  # bounds the fan-out of one event


@dataclass(frozen=True, slots=True)
class Hook:
    id: str
    tenant: str
    target_url: str
    secret: str
    event_types: tuple[str, ...] = ()
    created_at: str = ""
    last_status: str | None = None
    last_delivery_at: str | None = None

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    def public(self) -> dict[str, Any]:
        """What the API shows: everything but the secret."""
        return {
            "id": self.id,
            "target_url": self.target_url,
            "event_types": list(self.event_types),
            "created_at": self.created_at,
            "last_status": self.last_status,
            "last_delivery_at": self.last_delivery_at,
        }


def new_hook_id() -> str:
    return "hook_" + secrets.token_hex(10)


def _from_item(item: Item) -> Hook:
    data = from_item(item)
    return Hook(
        id=data["id"],
        tenant=data["tenant"],
        target_url=data["target_url"],
        secret=data["secret"],
        event_types=tuple(data.get("event_types") or ()),
        created_at=data.get("created_at", ""),
        last_status=data.get("last_status"),
        last_delivery_at=data.get("last_delivery_at"),
    )


class HookStore(TableRepository):
    def __init__(self, table_name: str, *, client: DynamoDBClient | None = None) -> None:
        super().__init__(client, table_name)

    @staticmethod
    def _key(tenant: str, hook_id: str) -> Item:
        return item_key(tenant_pk(tenant), f"HOOK#{hook_id}")

    def create(self, tenant: str, target_url: str, event_types: Sequence[str], secret: str) -> Hook:
        # A soft cap (two racing creates may both pass): it only bounds fan-out cost.
        if sum(1 for _ in self._items(tenant)) >= MAX_HOOKS_PER_TENANT:
            raise Conflict(
                f"a tenant can have at most {MAX_HOOKS_PER_TENANT} hooks; delete one first"
            )
        hook = Hook(
            id=new_hook_id(),
            tenant=tenant,
            target_url=target_url,
            secret=secret,
            event_types=tuple(event_types),
            created_at=utc_now_iso(),
        )
        self.client.put_item(
            TableName=self.table,
            Item={
                **self._key(tenant, hook.id),
                **to_item(
                    {
                        "kind": "hook",
                        "id": hook.id,
                        "tenant": tenant,
                        "target_url": target_url,
                        "secret": secret,
                        "event_types": list(hook.event_types),
                        "created_at": hook.created_at,
                    }
                ),
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        return hook

    def _items(self, tenant: str) -> Iterator[Item]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": values(pk=tenant_pk(tenant), prefix="HOOK#"),
        }
        while True:
            page = self.client.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def list_hooks(self, tenant: str) -> list[Hook]:
        hooks = [_from_item(item) for item in self._items(tenant)]
        return sorted(hooks, key=lambda h: h.created_at)

    def get(self, tenant: str, hook_id: str) -> Hook | None:
        item = self.client.get_item(
            TableName=self.table, Key=self._key(tenant, hook_id), ConsistentRead=True
        ).get("Item")
        return _from_item(item) if item else None

    def delete(self, tenant: str, hook_id: str) -> bool:
        """Remove one hook; False when the tenant has no hook with that id."""
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=self._key(tenant, hook_id),
                ConditionExpression="attribute_exists(pk)",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def record_delivery(self, tenant: str, hook_id: str, outcome: str) -> None:
        """Remember how the last delivery went (shown by ``GET /hooks``); never recreates."""
        # Deleted meanwhile (410 or DELETE /hooks): nothing to record.
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self.client.update_item(
                TableName=self.table,
                Key=self._key(tenant, hook_id),
                UpdateExpression="SET last_status = :s, last_delivery_at = :at",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=values(s=outcome, at=utc_now_iso()),
            )
