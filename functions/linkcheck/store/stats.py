"""Per-tenant link counters: how many links a tenant has in each state, kept on transitions.

Item: pk=``T#<tenant>``, sk=``STATS``, kind=``stats``; one number per link state,
``links_<state>`` (``links_ok``, ``links_broken``...). No write sets them: every write that
creates a link, deletes one or changes its ``state`` adds ``+1``/``-1`` to them with an
``ADD`` in the same transaction as the change itself (links.py), so a write that does not
happen (its condition failed: a duplicate registration, a redelivered message, a link changed
or deleted meanwhile) counts nothing, and the counts cannot drift. ``ADD`` creates the item
and a missing number as 0, so no tenant needs setting up.

Reading them is one GetItem (:meth:`StatsStore.get`). :meth:`StatsStore.recount` rewrites
them from a full query of the tenant's links, for links written before the counters existed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..awsrequest.dynamodb_codec import Item, from_item, to_item, values
from ..domain.transitions import LinkState
from ._layout import LINK_PREFIX, STATS_SK, item_key, tenant_pk
from ._table import TableRepository

PREFIX = "links_"  # one attribute per state: links_unchecked, links_ok, ...


def deltas(before: LinkState | None, after: LinkState | None) -> dict[LinkState, int]:
    """What a write does to the counters: ``before`` None for a new link, ``after`` None for a
    deleted one; empty when the state does not change."""
    if before == after:
        return {}
    change: Counter[LinkState] = Counter()
    if before is not None:
        change[before] -= 1
    if after is not None:
        change[after] += 1
    return {state: n for state, n in change.items() if n}


def stats_update(table: str, tenant: str, change: Mapping[LinkState, int]) -> dict[str, Any]:
    """The transaction item (``{"Update": ...}``) adding ``change`` to the tenant's counters."""
    states = sorted(change)
    names = {f"#s{i}": PREFIX + state.value for i, state in enumerate(states)}
    adds = ", ".join(f"#s{i} :s{i}" for i in range(len(states)))
    return {
        "Update": {
            "TableName": table,
            "Key": item_key(tenant_pk(tenant), STATS_SK),
            "UpdateExpression": f"SET kind = :kind ADD {adds}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values(
                kind="stats", **{f"s{i}": change[state] for i, state in enumerate(states)}
            ),
        }
    }


@dataclass(frozen=True, slots=True)
class LinkStats:
    """A tenant's links by state (every state present, 0 when it has none)."""

    by_state: dict[LinkState, int]

    @property
    def links(self) -> int:
        return sum(self.by_state.values())

    @classmethod
    def from_item(cls, item: Item | None) -> LinkStats:
        data = from_item(item) if item else {}
        # Never below 0: links registered before the counters existed and deleted since
        # would make a count negative until a recount (docs/links-and-sweeps.md).
        return cls(by_state={s: max(0, int(data.get(PREFIX + s.value) or 0)) for s in LinkState})


class StatsStore(TableRepository):
    """The counters of every tenant; written only inside the link writes (links.py)."""

    def get(self, tenant: str) -> LinkStats:
        # Consistent: a page refreshed right after a registration or a delete shows it.
        response = self.client.get_item(
            TableName=self.table, Key=item_key(tenant_pk(tenant), STATS_SK), ConsistentRead=True
        )
        return LinkStats.from_item(response.get("Item"))

    def count(self, tenant: str) -> LinkStats:
        """The counts from a full query of the tenant's links (the state attribute only)."""
        counts: Counter[LinkState] = Counter()
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": values(pk=tenant_pk(tenant), prefix=LINK_PREFIX),
            "ProjectionExpression": "#state",
            "ExpressionAttributeNames": {"#state": "state"},
            "ConsistentRead": True,
        }
        while True:
            response = self.client.query(**kwargs)
            for item in response.get("Items", []):
                counts[LinkState(from_item(item).get("state", LinkState.UNCHECKED))] += 1
            start = response.get("LastEvaluatedKey")
            if not start:
                break
            kwargs["ExclusiveStartKey"] = start
        return LinkStats(by_state={state: counts[state] for state in LinkState})

    def recount(self, tenant: str) -> LinkStats:
        """Overwrite the counters with a full count. Transitions written while the query runs
        can be missed: run it when the tenant is quiet (or twice)."""
        counted = self.count(tenant)
        self.client.put_item(
            TableName=self.table,
            Item=to_item(
                {
                    "pk": tenant_pk(tenant),
                    "sk": STATS_SK,
                    "kind": "stats",
                    **{PREFIX + s.value: n for s, n in counted.by_state.items()},
                }
            ),
        )
        return counted
