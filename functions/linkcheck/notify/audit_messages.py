"""From an ``audit.completed`` event item to what subscribers receive. Pure: no I/O.

An audit event says what an audit found, in numbers: links by status, pages read, links
checked. It has no ``notify`` flag (audits are asked for, not monitored): it always goes to the
tenant's subscribers. Its SNS attributes carry no ``status`` (an audit has many): a filter
policy on ``status`` never matches it, so subscriptions made for link events stay as they were;
the ``broken`` attribute (a number) selects audits that found broken links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine.verdict import Status
from .messages import MalformedEvent, fit_subject, host_of, plain

_REQUIRED = ("id", "type", "tenant", "audit_id", "url")
_STATUS_ORDER = {status.value: rank for rank, status in enumerate(Status)}


def _ordered(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts in the verdicts' order (ok, broken, restricted, ...), unknown statuses last."""
    return dict(
        sorted(counts.items(), key=lambda kv: (_STATUS_ORDER.get(kv[0], len(_STATUS_ORDER)), kv[0]))
    )


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedEvent(f"audit event has a {name} that is not a count: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """A completed audit, as the notifier reads it."""

    id: str
    type: str
    tenant: str
    audit_id: str
    url: str
    host: str
    mode: str
    occurred_at: str  # when the audit completed
    started_at: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    links: int = 0

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> AuditEvent:
        """Read an event item (plain Python values, as deserialized from DynamoDB)."""
        data = plain(item)
        missing = [k for k in _REQUIRED if not data.get(k)]
        if missing:
            raise MalformedEvent(f"audit event item lacks {', '.join(missing)}")
        counts = data.get("counts") or {}
        if not isinstance(counts, dict):
            raise MalformedEvent("audit event item has counts that are not a map")
        return cls(
            id=str(data["id"]),
            type=str(data["type"]),
            tenant=str(data["tenant"]),
            audit_id=str(data["audit_id"]),
            url=str(data["url"]),
            host=str(data.get("host") or host_of(str(data["url"]))),
            mode=str(data.get("mode") or "unknown"),
            occurred_at=str(data.get("occurred_at") or ""),
            started_at=str(data.get("started_at") or ""),
            counts=_ordered({str(k): _whole(v, f"count of {k}") for k, v in counts.items()}),
            pages=_whole(data.get("pages", 0), "pages"),
            links=_whole(data.get("links", 0), "links"),
        )

    @property
    def notify(self) -> bool:
        return True  # no per-audit switch: the tenant's subscriptions decide

    @property
    def broken(self) -> int:
        return self.counts.get(Status.BROKEN.value, 0)

    def body(self) -> dict[str, Any]:
        """The same fields as an audit item of ``GET /events``, plus the tenant."""
        return {
            "id": self.id,
            "type": self.type,
            "tenant": self.tenant,
            "audit_id": self.audit_id,
            "url": self.url,
            "host": self.host,
            "mode": self.mode,
            "counts": dict(self.counts),
            "pages": self.pages,
            "links": self.links,
            "started_at": self.started_at,
            "occurred_at": self.occurred_at,
        }

    def subject(self) -> str:
        """``[linkcheck] Audit completed: example.com/docs/ (42 links, 2 broken)``."""
        return fit_subject("Audit completed", self.url, f"{self.links} links, {self.broken} broken")

    def email_text(self) -> str:
        found = ", ".join(f"{n} {status}" for status, n in self.counts.items()) or "no links"
        lines = [
            "An audit you started has completed.",
            "",
            f"URL:        {self.url}",
            f"Mode:       {self.mode}",
            f"Links:      {self.links} ({found})",
            f"Pages:      {self.pages}",
            f"Started:    {self.started_at}",
            f"Completed:  {self.occurred_at}",
            f"Audit id:   {self.audit_id}",
            f"Event:      {self.id} ({self.type})",
            "",
            f"Every link and its verdict: GET /audits/{self.audit_id}/links",
        ]
        return "\n".join(lines) + "\n"

    def attributes(self) -> dict[str, str | int]:
        return {
            "event_type": self.type,
            "tenant": self.tenant,
            "mode": self.mode,
            "host": self.host or "unknown",
            "audit_id": self.audit_id,
            "event_id": self.id,
            "broken": self.broken,  # a Number attribute: numeric filter policies
        }
