"""Queries on moto, read from the items they can match (``patch_queries``).

moto 5 answers every query by sorting every item of the table (by partition and sort key,
with Python comparisons of its own value type) and then keeping those of the partition or
index key asked for. With a result item per check (history) a local stack holds thousands of
items, and each read of a tenant's links, of a link's history or of the sweep's due index
(dozens per sweep) pays for the whole table: the local stack spends most of its time there.

While moto answers a query, the table's ``all_items`` here gives only the candidates: the
queried partition for a table query (DynamoDB reads the partition alone), the items whose
index key attributes hold the queried values for an index query (unsorted: moto sorts an
index's results by the index's keys itself). Everything else in moto's query is unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

_querying = threading.local()  # (table, partition key or index key conditions) while answering


def patch_queries() -> None:
    """Patch moto's DynamoDB tables in this process. Idempotent."""
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    if getattr(original_query, "reads_candidates", False):
        return
    original_all_items = Table.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto passes index_name as the eighth argument (the seventh after the hash key)
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        conditions = kwargs.get("hash_key_conditions")
        if index_name and conditions:
            _querying.narrow = (self, None, tuple(conditions))
        elif not index_name and hash_key is not None:
            _querying.narrow = (self, hash_key, ())
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _querying.narrow = None

    def all_items(self: Any) -> list[Any]:
        narrow = getattr(_querying, "narrow", None)
        if narrow is None or narrow[0] is not self:
            return list(original_all_items(self))
        _, partition, conditions = narrow
        if partition is not None:
            rows = self.items.get(partition)
            if rows is None:
                return []
            return list(rows.values()) if self.has_range_key else [rows]
        return [item for item in _every_item(self) if _matches(item, conditions)]

    query.reads_candidates = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]


def _every_item(table: Any) -> Iterator[Any]:
    for rows in table.items.values():
        if table.has_range_key:
            yield from rows.values()
        else:
            yield rows


def _matches(item: Any, conditions: tuple[tuple[str, Any], ...]) -> bool:
    for name, wanted in conditions:
        value = item.attrs.get(name)
        if value is None or value != wanted:
            return False
    return True
