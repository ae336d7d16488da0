"""From an event item to what subscribers receive. Pure: no I/O.

Every kind of event (``EventMessage``: a link's confirmed transition here, ``LinkEvent``; a
completed audit, ``notify.audit_messages.AuditEvent``) becomes:

- ``event_body``: the JSON document sent to SNS (``default``) and to webhooks, the same shape
  for both (for a link event: the event, the link and the result);
- ``subject`` and ``email_text``: for e-mail subscribers (SNS ``email`` variant);
- ``message_attributes``: what SNS filter policies match on.

``notify.events.read_event`` reads an item as the right kind.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from ..domain.events import LINK_EVENT_TYPES as _LINK_TYPES
from ..domain.events import EventType  # the one definition of the event types

EVENT_TYPES: tuple[str, ...] = tuple(t.value for t in EventType)
LINK_EVENT_TYPES: tuple[str, ...] = tuple(t.value for t in EventType if t in _LINK_TYPES)

# What happened, as the end of "A link you monitor ..." and in subjects.
_HEADLINES: dict[str, str] = {
    EventType.BROKEN: "is broken",
    EventType.RESTRICTED: "is restricted",
    EventType.DOWN: "is down",
    EventType.RECOVERED: "has recovered",
}
_SUBJECT_WORDS: dict[str, str] = {
    EventType.BROKEN: "Broken",
    EventType.RESTRICTED: "Restricted",
    EventType.DOWN: "Down",
    EventType.RECOVERED: "Recovered",
}

SUBJECT_MAX = 100  # SNS limit for e-mail subjects
NO_PLATFORM = "none"  # SNS attribute values cannot be empty: a generic link has this platform


class MalformedEvent(ValueError):
    """An event item lacks what a notification needs (a permanent error: never retried)."""


def plain(value: Any) -> Any:
    """DynamoDB numbers (``Decimal``) back to ``int``/``float``, recursively, for JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


class EventMessage(Protocol):
    """What the notifier needs of any event: who gets it, and its messages."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def tenant(self) -> str: ...
    @property
    def notify(self) -> bool: ...  # False: recorded, sent nowhere
    def body(self) -> dict[str, Any]: ...
    def subject(self) -> str: ...
    def email_text(self) -> str: ...
    def attributes(self) -> dict[str, str | int]: ...


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """A confirmed transition of one link, as the notifier reads it."""

    id: str
    type: str
    tenant: str
    link_id: str
    url: str
    host: str
    occurred_at: str
    result: dict[str, Any] = field(default_factory=dict)
    previous: str | None = None
    state: str | None = None
    tags: tuple[str, ...] = ()
    notify: bool = True
    # Smart links this transition switched: ({"slug", "serving"}, ...), empty for most links.
    smartlinks: tuple[dict[str, str], ...] = ()

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> LinkEvent:
        """Read an event item (plain Python values, as deserialized from DynamoDB)."""
        data = plain(item)
        missing = [k for k in ("id", "type", "tenant", "link_id", "url") if not data.get(k)]
        if missing:
            raise MalformedEvent(f"event item lacks {', '.join(missing)}")
        result = data.get("result") or {}
        if not isinstance(result, dict):
            raise MalformedEvent("event item has a result that is not a map")
        previous = data.get("previous")
        if isinstance(previous, dict):  # a whole previous state: keep its status
            previous = previous.get("status")
        return cls(
            id=str(data["id"]),
            type=str(data["type"]),
            tenant=str(data["tenant"]),
            link_id=str(data["link_id"]),
            url=str(data["url"]),
            host=str(data.get("host") or host_of(str(data["url"]))),
            occurred_at=str(data.get("occurred_at") or result.get("checked_at") or ""),
            result=result,
            previous=str(previous) if previous else None,
            state=str(data["state"]) if data.get("state") else None,
            tags=tuple(str(t) for t in data.get("tags") or ()),
            notify=data.get("notify", True) is not False,
            smartlinks=tuple(
                {"slug": str(entry.get("slug")), "serving": str(entry.get("serving"))}
                for entry in data.get("smartlinks") or ()
                if isinstance(entry, dict)
            ),
        )

    @property
    def status(self) -> str:
        return str(self.result.get("status") or "unknown")

    @property
    def reason(self) -> str:
        return str(self.result.get("reason") or "unknown")

    @property
    def platform(self) -> str | None:
        platform = self.result.get("platform")
        return str(platform) if platform else None

    def body(self) -> dict[str, Any]:
        """The same fields as an item of ``GET /events`` (so a Zapier trigger's sample and its
        live deliveries look alike), plus the tenant: the event, the link and the result; and
        ``smartlinks`` (``[{slug, serving}]``) when the transition switched smart links."""
        body: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "tenant": self.tenant,
            "link_id": self.link_id,
            "url": self.url,
            "host": self.host,
            "occurred_at": self.occurred_at,
            "previous": self.previous,
            "state": self.state,
            "tags": list(self.tags),
            "result": self.result,
        }
        if self.smartlinks:
            body["smartlinks"] = [dict(entry) for entry in self.smartlinks]
        return body

    def subject(self) -> str:
        """``[linkcheck] Broken: example.com/page (http_404)``."""
        return fit_subject(_SUBJECT_WORDS.get(self.type, self.type), self.url, self.reason)

    def email_text(self) -> str:
        headline = _HEADLINES.get(self.type, f"changed ({self.type})")
        lines = [
            f"A link you monitor {headline}.",
            "",
            f"URL:        {self.url}",
            f"Status:     {self.status} ({self.reason})",
        ]
        if self.result.get("detail"):
            lines.append(f"Detail:     {self.result['detail']}")
        if self.result.get("http_status") is not None:
            lines.append(f"HTTP:       {self.result['http_status']}")
        final_url = self.result.get("final_url")
        if final_url and final_url != self.url:
            lines.append(f"Ended at:   {final_url}")
        if self.platform:
            lines.append(f"Platform:   {self.platform}")
        if self.previous:
            lines.append(f"Before:     {self.previous}")
        for entry in self.smartlinks:
            serves = "its fallback" if entry["serving"] == "fallback" else "this link again"
            lines.append(f"Smart link: /r/{entry['slug']} now redirects to {serves}")
        lines += [
            f"When:       {self.occurred_at}",
            f"Link id:    {self.link_id}",
            f"Event:      {self.id} ({self.type})",
        ]
        return "\n".join(lines) + "\n"

    def attributes(self) -> dict[str, str | int]:
        return {
            "event_type": self.type,
            "status": self.status,
            "reason": self.reason,
            "platform": self.platform or NO_PLATFORM,
            "host": self.host or "unknown",
            "tenant": self.tenant,
            "event_id": self.id,
        }


def host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").lower()


def event_body(event: EventMessage) -> dict[str, Any]:
    """The JSON document of a notification (SNS body, webhook payload)."""
    return event.body()


def body_json(event: EventMessage) -> str:
    """``event_body`` serialized once, compactly: webhooks sign exactly these bytes."""
    return json.dumps(event.body(), separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _ascii(text: str) -> str:
    """Printable ASCII only (SNS subjects): accents folded, anything else replaced."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in folded)


def _short_url(url: str) -> str:
    return url.split("://", 1)[-1]


def fit_subject(word: str, url: str, note: str) -> str:
    """``[linkcheck] <word>: <url without scheme> (<note>)``: ASCII, at most 100 characters
    (the URL is the part shortened)."""
    head = f"[linkcheck] {word}: "
    tail = f" ({note})"
    room = SUBJECT_MAX - len(head) - len(tail)
    target = _ascii(_short_url(url))
    if len(target) > room:
        target = target[: max(room - 3, 0)] + "..."
    text = _ascii(head + target + tail)
    return text[:SUBJECT_MAX]


def subject(event: EventMessage) -> str:
    """The e-mail subject, e.g. ``[linkcheck] Broken: example.com/page (http_404)``."""
    return event.subject()


def email_text(event: EventMessage) -> str:
    """A short plain-text summary for e-mail subscribers."""
    return event.email_text()


def message_attributes(event: EventMessage) -> dict[str, str | int]:
    """Attributes subscribers filter on: strings (never empty) and whole numbers."""
    return event.attributes()


def sns_message(event: EventMessage) -> str:
    """The ``MessageStructure=json`` message: JSON for machines, a summary for e-mail."""
    return json.dumps({"default": body_json(event), "email": event.email_text()})
