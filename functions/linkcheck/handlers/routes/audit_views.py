"""How the API shows audits: the response bodies of ``/audits`` (pydantic, built on first use).

Same rules as ``presenters.py``: each model documents a body in ``/openapi.json`` and checks
the answer before it leaves; the public shape is made here from the stored audit.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...engine import Reason, Status
from ...store.audits import Audit, AuditUrl, counts_of
from ...store.links import iso
from .presenters import DEFERRED


class AuditLimits(BaseModel):
    model_config = DEFERRED

    max_pages: int = Field(description="Pages read at most (`site` mode; 1 otherwise).")
    max_depth: int = Field(description="Clicks from the start page (`site` mode).")
    max_links: int = Field(description="Links checked at most.")


class AuditCounts(BaseModel):
    """Checked URLs (pages and links) by verdict status."""

    model_config = DEFERRED

    ok: int
    broken: int
    restricted: int
    error: int
    blocked: int
    invalid: int


class AuditProgress(BaseModel):
    model_config = DEFERRED

    pages_read: int
    pages_found: int
    links_checked: int
    links_found: int
    pending: int = Field(description="URLs found and not checked yet; 0 once completed.")


class AuditView(BaseModel):
    """An audit: what it checks, how far it got, and what it found so far."""

    # ``register`` is a name BaseModel already uses: the field is named otherwise, shown as it.
    model_config = ConfigDict(defer_build=True, populate_by_name=True)

    id: str
    url: str = Field(description="The start page (normalised).")
    mode: str = Field(description="`page`, `site` or `bio`.")
    state: str = Field(description="`running`, `completed` or `cancelled`.")
    register_links: bool = Field(
        alias="register", description="Links found are also registered as monitored links."
    )
    tags: list[str]
    limits: AuditLimits
    counts: AuditCounts
    progress: AuditProgress
    truncated: bool = Field(description="A limit was met: some pages or links were left out.")
    created_at: str
    completed_at: str | None = Field(description="When it completed or was cancelled.")
    expires_at: str = Field(description="When it and its results are deleted.")
    href: str = Field(description="This audit: `/audits/{id}`.")
    results_href: str = Field(description="Its URLs and their results: `/audits/{id}/links`.")

    @classmethod
    def of(cls, audit: Audit) -> AuditView:
        return cls(
            id=audit.id,
            url=audit.url,
            mode=audit.mode,
            state=audit.state,
            register=audit.register,
            tags=audit.tags,
            limits=AuditLimits(
                max_pages=audit.max_pages, max_depth=audit.max_depth, max_links=audit.max_links
            ),
            counts=AuditCounts.model_validate(dict(counts_of(audit))),
            progress=AuditProgress(
                pages_read=audit.pages_read,
                pages_found=audit.pages_found,
                links_checked=audit.links_checked,
                links_found=audit.links_found,
                pending=max(0, audit.pending),
            ),
            truncated=audit.truncated,
            created_at=audit.created_at,
            completed_at=audit.completed_at,
            expires_at=iso(audit.expires_at),
            href=f"/audits/{audit.id}",
            results_href=f"/audits/{audit.id}/links",
        )


class AuditList(BaseModel):
    model_config = DEFERRED

    audits: list[AuditView] = Field(description="Newest first.")
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null: no more.")


class AuditUrlView(BaseModel):
    """One URL an audit found: a page it read or a link it checked, and its result."""

    model_config = DEFERRED

    url: str = Field(description="Normalised; with its fragment when the fragment is judged.")
    kind: str = Field(description="`page` (read for its links, and checked) or `link`.")
    depth: int = Field(description="Clicks from the start page.")
    status: Status | None = Field(description="The verdict; null while not checked yet.")
    reason: Reason | None
    http_status: int | None
    detail: str | None
    final_url: str | None
    checked_at: str | None
    found_in: list[str] = Field(description="Pages it was found on (the first 10).")

    @classmethod
    def of(cls, entry: AuditUrl) -> AuditUrlView:
        result: dict[str, Any] = entry.result or {}
        return cls(
            url=entry.url,
            kind=entry.role,
            depth=entry.depth,
            status=result.get("status"),
            reason=result.get("reason"),
            http_status=result.get("http_status"),
            detail=result.get("detail"),
            final_url=result.get("final_url"),
            checked_at=result.get("checked_at"),
            found_in=entry.found_in,
        )


class AuditUrlPage(BaseModel):
    model_config = DEFERRED

    links: list[AuditUrlView]
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null: no more.")
