"""Messages on the ``checks`` queue (pydantic, validated on read).

Three kinds travel on the one queue: registered links to check (``CheckBatch``, the sweep's
and the worker's own; it has no ``kind`` field, and a message without one is this kind), and
an audit's work (``kind`` ``audit_pages``: pages to read, ``audit_links``: links to check).
``parse_message`` reads any of them (a discriminated union keyed by ``kind``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter

LINKS_PER_MESSAGE = 50  # 50 refs (~3 KB) per message: one SQS request unit (64 KB) each
MESSAGES_PER_SEND = 10  # SendMessageBatch maximum
# The worker puts links back on its own queue (confirmations, links not reached, not judged,
# or whose write failed); each time the message's hop count grows by one. Past this, the link is
# not put back: it waits for its next scheduled sweep, so no chain of re-enqueues runs forever.
MAX_HOPS = 10


class LinkRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant: str = Field(min_length=1)
    link_id: str = Field(min_length=1)


class CheckBatch(BaseModel):
    """One SQS message: links to check; ``confirm`` marks delayed confirmation re-checks."""

    model_config = ConfigDict(frozen=True)

    links: list[LinkRef] = Field(min_length=1, max_length=LINKS_PER_MESSAGE)
    confirm: bool = False
    swept_at: int | None = None  # epoch seconds of the sweep window's end (diagnostics)
    # How often these links were put back because their check judged nothing (bounded, so a
    # link whose check keeps failing unexpectedly waits for its next scheduled sweep instead).
    retries: int = Field(default=0, ge=0)
    # How many times the worker re-enqueued its way to this message (absent: 0, a sweep's or
    # the API's own message). Bounded by MAX_HOPS.
    hops: int = Field(default=0, ge=0)


def chunked(refs: list[LinkRef], size: int = LINKS_PER_MESSAGE) -> list[list[LinkRef]]:
    return [refs[i : i + size] for i in range(0, len(refs), size)]


# An audit's messages: a handful of pages (each read whole, up to a few MB) or a few dozen links
# per message, and never more than SQS's 256 KB (URLs are at most 8192 characters).
PAGES_PER_MESSAGE = 5
AUDIT_LINKS_PER_MESSAGE = 25
MAX_AUDIT_MESSAGE_BYTES = 200_000


class PageToRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str = Field(min_length=1)
    depth: int = Field(default=0, ge=0)


class AuditPages(BaseModel):
    """Pages of an audit to read: check each, record its result, follow its links."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["audit_pages"] = "audit_pages"
    tenant: str = Field(min_length=1)
    audit_id: str = Field(min_length=1)
    pages: list[PageToRead] = Field(min_length=1, max_length=PAGES_PER_MESSAGE)
    hops: int = Field(default=0, ge=0)  # re-enqueues of not-reached pages (MAX_HOPS)


class AuditLinks(BaseModel):
    """Links of an audit to check (a fragment is judged against the target page's anchors)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["audit_links"] = "audit_links"
    tenant: str = Field(min_length=1)
    audit_id: str = Field(min_length=1)
    links: list[str] = Field(min_length=1, max_length=AUDIT_LINKS_PER_MESSAGE)
    hops: int = Field(default=0, ge=0)


AuditMessage = AuditPages | AuditLinks
WorkMessage = CheckBatch | AuditPages | AuditLinks


def _kind_of(value: Any) -> str | None:
    """The union's tag: a message without ``kind`` is a batch of registered links."""
    if isinstance(value, dict):
        kind = value.get("kind", "links")
        return kind if isinstance(kind, str) else None
    return getattr(value, "kind", "links")


_WORK: TypeAdapter[WorkMessage] = TypeAdapter(
    Annotated[
        Annotated[CheckBatch, Tag("links")]
        | Annotated[AuditPages, Tag("audit_pages")]
        | Annotated[AuditLinks, Tag("audit_links")],
        Discriminator(
            _kind_of,
            custom_error_type="unknown_kind",
            custom_error_message="kind must be absent (links), audit_pages or audit_links",
        ),
    ]
)


def parse_message(body: str | bytes) -> WorkMessage:
    """One message body; ``pydantic.ValidationError`` when it is not one of the kinds."""
    return _WORK.validate_json(body)


def chunk_by_size(items: list[str], *, count: int, max_bytes: int) -> list[list[str]]:
    """Items in order, at most ``count`` per chunk and about ``max_bytes`` of text each."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for item in items:
        length = len(item.encode()) + 8  # quotes, comma, JSON escapes of a typical URL
        if current and (len(current) >= count or size + length > max_bytes):
            chunks.append(current)
            current, size = [], 0
        current.append(item)
        size += length
    if current:
        chunks.append(current)
    return chunks
