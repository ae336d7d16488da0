"""Queries of one partition on moto, read from that partition (``patch_partition_queries``).

moto 5 answers a table query (no index) by walking every item of the table and keeping those
of the partition asked for. With a result item per check (history) a local stack holds tens
of thousands of items, every read of a tenant's links or a link's history becomes a walk of
all of them, and the local stack spends most of its time there. DynamoDB reads the partition
alone; so does this patch: while moto answers a table query, the table's ``all_items`` gives
only the items of the queried partition. Index queries are left as moto does them.
"""

from __future__ import annotations

import threading
from typing import Any

_querying = threading.local()  # (table, hash key) while a table query is being answered


def patch_partition_queries() -> None:
    """Patch moto's DynamoDB tables in this process. Idempotent."""
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    if getattr(original_query, "reads_partition", False):
        return
    original_all_items = Table.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto passes index_name as the eighth argument (the seventh after the hash key)
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        _querying.partition = (self, hash_key)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _querying.partition = None

    def all_items(self: Any) -> list[Any]:
        partition = getattr(_querying, "partition", None)
        if partition is None or partition[0] is not self:
            return list(original_all_items(self))
        rows = self.items.get(partition[1])
        if rows is None:
            return []
        return list(rows.values()) if self.has_range_key else [rows]

    query.reads_partition = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
