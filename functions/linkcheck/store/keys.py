"""API keys: created once, shown once, stored only as SHA-256 hashes.

A key is ``lck_`` + 32 random bytes (urlsafe base64). Keys carry that much entropy, so a plain
SHA-256 is the right hash: nothing to salt or stretch against guessing. Three items per key,
written together in one transaction:

- ``pk=KEY#<sha256 hex>``  ``sk=KEY``             kind=``key``: what the authorizer reads
- ``pk=T#<tenant>``        ``sk=KEY#<key id>``    kind=``key_ref``: listing a tenant's keys
- ``pk=KEYID#<key id>``    ``sk=KEY``             kind=``key_ref``: revoking by key id

Each item holds ``tenant``, ``key_id``, ``key_hash``, ``created_at`` and ``revoked``; the raw
key is never stored anywhere.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..awsrequest.dynamodb_codec import Item, from_item, to_item, values
from ..errors import Conflict, InvalidInput, NotFound
from ._layout import item_key, tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEY_PREFIX = "lck_"
TENANT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# A caller-chosen key (``linkcheck dev --api-key``) must fit in a header and not be trivial.
SECRET_PATTERN = re.compile(r"[\x21-\x7e]{8,256}")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """What is known about a key without the key itself."""

    key_id: str
    tenant: str
    created_at: str
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly created key: ``secret`` is the only time the raw key exists."""

    secret: str
    key: ApiKey


def generate_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def validate_tenant(tenant: str) -> str:
    if not TENANT_PATTERN.fullmatch(tenant):
        raise InvalidInput(
            "tenant must be 1-64 characters of letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            field="tenant",
        )
    return tenant


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _key_pk(key_hash: str) -> str:
    return f"KEY#{key_hash}"


def _key_id_pk(key_id: str) -> str:
    return f"KEYID#{key_id}"


def _attributes(key: ApiKey, key_hash: str) -> dict[str, Any]:
    return {
        "tenant": key.tenant,
        "key_id": key.key_id,
        "key_hash": key_hash,
        "created_at": key.created_at,
        "revoked": key.revoked,
    }


def _from_item(item: Item) -> ApiKey:
    data = from_item(item)
    return ApiKey(
        key_id=data["key_id"],
        tenant=data["tenant"],
        created_at=data["created_at"],
        revoked=bool(data.get("revoked", False)),
    )


class KeyStore:
    """API keys in the single table. Takes its client so tests and the CLI can point it anywhere."""

    def __init__(self, client: DynamoDBClient | None = None, table_name: str | None = None) -> None:
        if client is None:
            from .. import aws

            client = aws.dynamodb()
        if table_name is None:
            from ..settings import get_settings

            table_name = get_settings().table_name
        self._client = client
        self._table = table_name

    def create_key(self, tenant: str, *, secret: str | None = None) -> NewKey:
        """Create a key for ``tenant``; ``secret`` fixes the raw key (local dev, tests).

        Registering the same fixed secret again for the same tenant returns the existing key
        (so a restarted dev stack keeps working); for another tenant it is a conflict.
        """
        validate_tenant(tenant)
        if secret is None:
            secret = generate_secret()
        elif not SECRET_PATTERN.fullmatch(secret):
            raise InvalidInput(
                "an API key must be 8-256 printable characters without spaces", field="secret"
            )
        key_hash = hash_secret(secret)
        key = ApiKey(key_id=f"key_{secrets.token_hex(8)}", tenant=tenant, created_at=_now())
        attributes = _attributes(key, key_hash)
        items = [
            {"pk": _key_pk(key_hash), "sk": "KEY", "kind": "key"},
            {"pk": tenant_pk(tenant), "sk": f"KEY#{key.key_id}"},
            {"pk": _key_id_pk(key.key_id), "sk": "KEY"},
        ]
        client_errors = self._client.exceptions
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item({"kind": "key_ref", **item, **attributes}),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                    for item in items
                ]
            )
        except client_errors.TransactionCanceledException as exc:
            existing = self._find_by_hash(key_hash)
            if existing is not None and existing.tenant == tenant and not existing.revoked:
                return NewKey(secret=secret, key=existing)
            raise Conflict("this API key is already registered", field="secret") from exc
        return NewKey(secret=secret, key=key)

    def find(self, secret: str) -> ApiKey | None:
        """The active key with this raw value, or None (unknown or revoked)."""
        key = self._find_by_hash(hash_secret(secret))
        if key is None or key.revoked:
            return None
        return key

    def _find_by_hash(self, key_hash: str) -> ApiKey | None:
        item = self._client.get_item(
            TableName=self._table, Key=item_key(_key_pk(key_hash), "KEY")
        ).get("Item")
        return _from_item(item) if item else None

    def list_keys(self, tenant: str | None = None) -> list[ApiKey]:
        """Keys of one tenant (a query), or of every tenant (an admin scan), oldest first."""
        items = self._tenant_items(validate_tenant(tenant)) if tenant else self._all_key_items()
        return sorted((_from_item(item) for item in items), key=lambda k: (k.created_at, k.key_id))

    def _tenant_items(self, tenant: str) -> Iterator[Item]:
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=values(pk=tenant_pk(tenant), prefix="KEY#"),
        ):
            yield from page.get("Items", [])

    def _all_key_items(self) -> Iterator[Item]:
        paginator = self._client.get_paginator("scan")
        for page in paginator.paginate(
            TableName=self._table,
            FilterExpression="kind = :kind",
            ExpressionAttributeValues=values(kind="key"),
        ):
            yield from page.get("Items", [])

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key by id; revoking twice is harmless. Takes effect on the next request."""
        pointer = self._client.get_item(
            TableName=self._table, Key=item_key(_key_id_pk(key_id), "KEY")
        ).get("Item")
        if not pointer:
            raise NotFound(f"no API key with id {key_id!r}", field="key_id")
        key = _from_item(pointer)
        key_hash = from_item(pointer)["key_hash"]
        keys = [
            item_key(_key_pk(key_hash), "KEY"),
            item_key(tenant_pk(key.tenant), f"KEY#{key_id}"),
            item_key(_key_id_pk(key_id), "KEY"),
        ]
        revoked_at = _now()
        self._client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": item_key,
                        "UpdateExpression": "SET revoked = :true, revoked_at = :at",
                        "ExpressionAttributeValues": values(true=True, at=revoked_at),
                    }
                }
                for item_key in keys
            ]
        )
        return ApiKey(key_id=key.key_id, tenant=key.tenant, created_at=key.created_at, revoked=True)


def create_key(tenant: str, *, secret: str | None = None) -> NewKey:
    """Create a key in the configured table (TABLE_NAME) with the default client."""
    return KeyStore().create_key(tenant, secret=secret)
