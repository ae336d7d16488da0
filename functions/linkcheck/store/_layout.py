"""Keys shared by the repositories of the single table: prefixes and the primary key."""

from __future__ import annotations

from ..awsrequest.dynamodb_codec import Item, to_item

LINK_PREFIX = "LINK#"  # sort key of a link item (links.py); the due index yields these too
STATS_SK = "STATS"  # sort key of a tenant's link counters (stats.py), beside its links


def tenant_pk(tenant: str) -> str:
    """The partition of a tenant's links, events and hooks."""
    return f"T#{tenant}"


def item_key(pk: str, sk: str) -> Item:
    """The primary key of an item, as DynamoDB takes it (``Key=``)."""
    return to_item({"pk": pk, "sk": sk})
