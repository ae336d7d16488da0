"""Routes: ``/audits``: start an audit (its work fans out over the checks queue to the
worker), read its progress and results, list audits, cancel one (docs/audits.md).

Another tenant's audit id is a 404, like any id.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from ...engine import MAX_URL_LENGTH, Status
from ...errors import InvalidInput, RateLimited
from ...observability import correlation_id
from ...registration import link_target
from ...settings import AuditSettings, get_settings
from ...store.audits import Audit, AuditStore, FoundUrl, Role, new_audit_id
from ...store.links import iso
from ...sweeps.messages import AuditPages, PageToRead
from ...sweeps.queue import CheckQueue
from .audit_views import AuditList, AuditUrlPage, AuditUrlView, AuditView
from .links import MAX_TAGS, Tag
from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()

RUNNING_RETRY_AFTER_SECONDS = 60  # a hint: audits of a few hundred pages take minutes


class AuditRequest(BaseModel):
    # ``register`` is a name BaseModel already uses: the field is named otherwise, read as it.
    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    url: str = Field(
        min_length=1, max_length=MAX_URL_LENGTH, examples=["https://example.com/docs/"]
    )
    mode: Literal["page", "site", "bio"] = Field(
        default="page",
        description="`page`: the links of this page; `site`: crawl the page's site (same "
        "host) up to `max_pages`/`max_depth`; `bio`: the links of a link-in-bio page.",
    )
    max_pages: int | None = Field(
        default=None, ge=1, description="Pages read at most (`site`; default 500, max 10,000)."
    )
    max_depth: int | None = Field(
        default=None, ge=0, description="Clicks from the start page (`site`; default 5)."
    )
    register_links: bool = Field(
        default=False,
        alias="register",
        description="Also register every link found as a monitored link (tag `audit:<id>`).",
    )
    tags: list[Tag] | None = Field(
        default=None, max_length=MAX_TAGS, description="Tags of the links registered."
    )


def _limit(value: int | None, default: int, maximum: int, field: str) -> int:
    if value is None:
        return default
    if value > maximum:
        raise InvalidInput(f"{field} is at most {maximum} for this deployment", field=field)
    return value


def _new_audit(tenant: str, request: AuditRequest, limits: AuditSettings, now: int) -> Audit:
    target = link_target(request.url, allow_private=get_settings().allow_private_networks)
    max_pages = _limit(request.max_pages, limits.default_max_pages, limits.max_pages, "max_pages")
    max_depth = _limit(request.max_depth, limits.default_max_depth, limits.max_depth, "max_depth")
    if request.mode != "site":  # only the start page is read
        max_pages, max_depth = 1, 0
    return Audit(
        tenant=tenant,
        id=new_audit_id(now * 1000),
        url=target.url,
        mode=request.mode,
        max_pages=max_pages,
        max_depth=max_depth,
        max_links=limits.max_links,
        register=request.register_links,
        tags=list(dict.fromkeys(request.tags or ())),
        created_at=iso(now),
        expires_at=now + limits.retention_days * 86400,
        correlation_id=correlation_id(),
    )


@router.route(
    *endpoint("/audits", "POST"),
    summary="Start an audit: every link of a page, a site or a bio page, checked once each",
    tags=["audits"],
    responses={
        202: {"description": "Started: the audit, `running`; `Location` is its URL."},
        429: {
            "description": "Over the rate limit of this API key (`Retry-After`), or as many "
            "audits running for this tenant as the deployment allows (3 by default)."
        },
    },
)
def create_audit(request: AuditRequest) -> Response[AuditView]:
    tenant = principal_of(router.current_event).tenant
    limits = get_settings().audits
    now = int(time.time())
    audit = _new_audit(tenant, request, limits, now)
    store = AuditStore()
    if store.running(tenant, now=now) >= limits.max_running:
        raise RateLimited(
            f"{limits.max_running} audits are already running for this account; wait for one "
            "to complete or cancel one (DELETE /audits/{id})",
            retry_after=RUNNING_RETRY_AFTER_SECONDS,
        )
    store.create(audit, FoundUrl(audit.url, Role.PAGE, 0))
    first = AuditPages(tenant=tenant, audit_id=audit.id, pages=[PageToRead(url=audit.url)])
    try:
        CheckQueue().send_audit([first])
    except Exception:
        store.abandon(audit)  # never left running with no work on its way
        raise
    return Response(
        status_code=202,
        content_type="application/json",
        body=AuditView.of(audit),
        headers={"Location": f"/audits/{audit.id}"},
    )


@router.route(
    *endpoint("/audits", "GET"),
    summary="List audits, newest first",
    tags=["audits"],
    responses={200: {"description": "A page of audits and the cursor of the next (or null)."}},
)
def list_audits(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AuditList:
    tenant = principal_of(router.current_event).tenant
    page = AuditStore().list_audits(tenant, limit=limit, cursor=cursor)
    return AuditList(audits=[AuditView.of(a) for a in page.audits], cursor=page.cursor)


@router.route(
    *endpoint("/audits/<audit_id>", "GET"),
    summary="An audit: its state, counts by status and progress",
    tags=["audits"],
    responses={200: {"description": "The audit."}},
)
def get_audit(audit_id: str) -> AuditView:
    tenant = principal_of(router.current_event).tenant
    return AuditView.of(AuditStore().get(tenant, audit_id))


@router.route(
    *endpoint("/audits/<audit_id>/links", "GET"),
    summary="An audit's pages and links, their results and where each was found",
    tags=["audits"],
    responses={200: {"description": "A page of URLs and the cursor of the next (or null)."}},
)
def audit_links(
    audit_id: str,
    status: Annotated[Status | None, Query(description="Only URLs with this verdict.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AuditUrlPage:
    tenant = principal_of(router.current_event).tenant
    store = AuditStore()
    audit = store.get(tenant, audit_id)
    page = store.list_urls(
        audit, status=status.value if status else None, limit=limit, cursor=cursor
    )
    return AuditUrlPage(links=[AuditUrlView.of(u) for u in page.urls], cursor=page.cursor)


@router.route(
    *endpoint("/audits/<audit_id>", "DELETE"),
    summary="Cancel an audit (its results stay readable until they expire)",
    tags=["audits"],
    responses={204: {"description": "Cancelled (or already finished); no body."}},
)
def cancel_audit(audit_id: str) -> Response[str]:
    tenant = principal_of(router.current_event).tenant
    AuditStore().cancel(tenant, audit_id)
    return Response(status_code=204, body="")
