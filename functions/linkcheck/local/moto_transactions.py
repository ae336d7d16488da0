"""Cancelled DynamoDB transactions on moto, rolled back item by item (``patch_rollbacks``).

moto 5 backs a transaction up by deep-copying each table it names, once per item of the
transaction, and rolls a cancelled one back by putting those copies in place of the tables.
Two effects, neither of them DynamoDB's:

- cost: every transaction copies the whole table (each link, result and stream record), under
  the server's DynamoDB lock, so a local stack with thousands of items stalls at each one;
- the stream: the restored copy carries a copy of the stream shard, so the iterators readers
  hold (the local notifier's pump) point at a shard that no longer grows: they see nothing more.

Here the transaction backs up only the items it names (at most 100) and the length of each
stream shard; on failure those items are put back as they were, the records the rolled-back
writes added are dropped, and the tables (and their shards) stay the same objects.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_copying = threading.local()  # set while a patched transaction runs: tables are not copied


def patch_rollbacks() -> None:
    """Patch moto's DynamoDB backend in this process. Idempotent."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items
    if getattr(original, "rolls_back_items", False):
        return

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        items, shards = _backup(self.tables, transact_items)
        _copying.skip = True
        try:
            original(self, transact_items)
        except Exception:
            _restore(items, shards)
            raise
        finally:
            _copying.skip = False

    def table_deepcopy(table: Any, memo: dict[int, Any]) -> Any:
        if getattr(_copying, "skip", False):
            return table  # moto's whole-table backup: the items named are backed up instead
        return _plain_deepcopy(table, memo)

    transact_write_items.rolls_back_items = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    Table.__deepcopy__ = table_deepcopy  # type: ignore[attr-defined]


def _plain_deepcopy(table: Any, memo: dict[int, Any]) -> Any:
    """What ``copy.deepcopy`` does for an object without ``__deepcopy__``."""
    copied = object.__new__(type(table))
    memo[id(table)] = copied
    copied.__dict__.update(copy.deepcopy(table.__dict__, memo))
    return copied


Backup = list[tuple[Any, Any, Any, Any]]  # (table, hash value, range value, item or None)


def _backup(tables: dict[str, Any], transact_items: list[dict[str, Any]]) -> tuple[Backup, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    items: Backup = []
    shards: dict[int, tuple[Any, int]] = {}
    for entry in transact_items:
        operation = next(iter(entry.values()), None)
        if not isinstance(operation, dict):
            continue
        table = tables.get(operation.get("TableName", ""))
        key = operation.get("Key") or operation.get("Item")
        if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
            continue  # moto rejects it before writing anything
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = None
        if table.has_range_key:
            if table.range_key_attr not in key:
                continue
            range_value = DynamoType(key[table.range_key_attr])
        before = copy.deepcopy(_get(table, hash_value, range_value))
        items.append((table, hash_value, range_value, before))
        if table.stream_shard is not None:
            shards.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
    return items, list(shards.values())


def _get(table: Any, hash_value: Any, range_value: Any) -> Any:
    rows = table.items.get(hash_value)
    if range_value is None:
        return rows
    return None if rows is None else rows.get(range_value)


def _restore(items: Backup, shards: list[tuple[Any, int]]) -> None:
    # Backed up before any write, so the first backup of a key is its state before the
    # transaction; restoring in reverse order ends on it.
    for table, hash_value, range_value, item in reversed(items):
        if range_value is None:
            if item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
            continue
        rows = table.items.get(hash_value)
        if item is not None:
            table.items[hash_value][range_value] = item
        elif rows is not None:
            rows.pop(range_value, None)
            if not rows:
                del table.items[hash_value]
    for shard, length in shards:
        del shard.items[length:]
