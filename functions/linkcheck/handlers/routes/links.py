"""Routes: ``/links``, the link registry (register, list, read, change, delete, history, check).

Registration is idempotent per tenant and normalised URL: the same link twice answers 200 with
the existing link instead of 201. Another tenant's link id is a 404.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ... import runner
from ...domain.transitions import LinkState
from ...engine import MAX_URL_LENGTH, Checker, CheckResult
from ...errors import InvalidInput, LinkcheckError, TooLarge
from ...registration import link_target
from ...settings import get_settings
from ...store.links import LinkStore, NewLink
from ...store.results import ResultStore
from ...sweeps.check_now import check_now
from ..check_options import check_options
from .link_filters import Platform, host_filter
from .openapi_links import links_by_id
from .presenters import (
    BatchItem,
    BatchResult,
    CheckedLink,
    HistoryEntry,
    HistoryPage,
    ItemError,
    LinkPage,
    LinkView,
    Verdict,
)
from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()

MAX_INTERVAL_MINUTES = 30 * 24 * 60
MIN_DEV_INTERVAL_SECONDS = 5
MAX_BATCH = 1000
CHECK_NOW_MARGIN_SECONDS = 5.0  # past the check's own deadline, the wait is a backstop only
MAX_TAGS = 20

# What a client can do next with the id of a link it was answered (OpenAPI links).
LINK_FOLLOW_UPS = links_by_id(
    "link_id",
    {
        "GetLink": ("/links/<link_id>", "GET", "Read the link."),
        "UpdateLink": ("/links/<link_id>", "PATCH", "Change its settings."),
        "DeleteLink": ("/links/<link_id>", "DELETE", "Stop checking it."),
        "CheckLink": ("/links/<link_id>/check", "POST", "Check it now."),
        "LinkHistory": ("/links/<link_id>/history", "GET", "Read its past results."),
    },
)

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class LinkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS, examples=[["docs"]])
    interval_minutes: int | None = Field(
        default=None, description="Re-check interval, 5 minutes to 30 days (default 24 h)."
    )
    interval_seconds: int | None = Field(
        default=None, description="Demo intervals in seconds; only when LINKCHECK_DEV=1."
    )
    notify: bool | None = Field(default=None, description="Send notifications (default true).")


class LinkRequest(LinkSettings):
    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH, examples=["https://example.com/page"])


class LinkBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Items are any JSON value: each is judged on its own (a number, a string or null gets its
    # own error in the results), so one bad item never refuses the whole batch.
    links: list[Any] = Field(
        min_length=1,
        description=f"Up to {MAX_BATCH} link requests, each an object of the same shape as "
        "POST /links; an item that is not gets its own error in the results.",
    )


def _interval(minutes: int | None, seconds: int | None) -> int | None:
    """Seconds between checks, validated against the deployment's bounds."""
    if seconds is not None:
        if not get_settings().local_dev:
            raise InvalidInput(
                "interval_seconds is only for local demos; use interval_minutes",
                field="interval_seconds",
            )
        if not MIN_DEV_INTERVAL_SECONDS <= seconds <= MAX_INTERVAL_MINUTES * 60:
            raise InvalidInput(
                f"interval_seconds must be between {MIN_DEV_INTERVAL_SECONDS} and "
                f"{MAX_INTERVAL_MINUTES * 60} (30 days)",
                field="interval_seconds",
            )
        return seconds
    if minutes is None:
        return None
    low = get_settings().min_interval_minutes
    if not low <= minutes <= MAX_INTERVAL_MINUTES:
        raise InvalidInput(
            f"interval_minutes must be between {low} and {MAX_INTERVAL_MINUTES} (30 days)",
            field="interval_minutes",
        )
    return minutes * 60


def _new_link(request: LinkRequest) -> NewLink:
    target = link_target(request.url, allow_private=get_settings().allow_private_networks)
    interval = _interval(request.interval_minutes, request.interval_seconds)
    return NewLink(
        url=target.url,
        host=target.host,
        interval=interval or get_settings().default_interval_minutes * 60,
        tags=tuple(request.tags or ()),
        notify=True if request.notify is None else request.notify,
    )


def _link_request(item: Any) -> LinkRequest:
    """One batch item as a link request; a value that is not a JSON object is refused."""
    if not isinstance(item, dict):
        raise InvalidInput(
            f'each link must be a JSON object such as {{"url": "https://example.com/"}}, '
            f"not {_json_type(item)}"
        )
    return LinkRequest.model_validate(item)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def _error(exc: LinkcheckError | ValidationError) -> ItemError:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        return ItemError(code="invalid_input", message=first["msg"], field=where)
    return ItemError(code=exc.code, message=exc.message, field=exc.field)


@router.route(
    *endpoint("/links", "POST"),
    summary="Register a link (idempotent per normalised URL)",
    tags=["links"],
    responses={
        201: {"description": "Registered: the new link.", "links": LINK_FOLLOW_UPS},
        200: {
            "description": "Already registered (same normalised URL): the existing link.",
            "links": LINK_FOLLOW_UPS,
        },
    },
)
def register_link(request: LinkRequest) -> Response[LinkView]:
    tenant = principal_of(router.current_event).tenant
    now = int(time.time())
    link, created = LinkStore().register(tenant, _new_link(request), now=now)
    return Response(
        status_code=201 if created else 200,
        content_type="application/json",
        body=LinkView.of(link, now),
    )


@router.route(
    *endpoint("/links/batch", "POST"),
    summary="Register up to 1000 links",
    tags=["links"],
    responses={200: {"description": "One result per item, in input order, and the counts."}},
)
def register_links(request: LinkBatchRequest) -> BatchResult:
    """Per-item results in input order: one bad item does not sink the others."""
    if len(request.links) > MAX_BATCH:
        raise TooLarge(f"at most {MAX_BATCH} links per batch; split the request", field="links")
    tenant = principal_of(router.current_event).tenant
    now = int(time.time())
    answers: dict[int, BatchItem] = {}
    valid: list[tuple[int, NewLink]] = []
    for index, raw in enumerate(request.links):
        try:
            valid.append((index, _new_link(_link_request(raw))))
        except (ValidationError, LinkcheckError) as exc:
            answers[index] = BatchItem(index=index, status="error", error=_error(exc))
    saved = LinkStore().register_many(tenant, [new for _, new in valid], now=now)
    for (index, _), (link, created) in zip(valid, saved, strict=True):
        answers[index] = BatchItem(
            index=index, status="created" if created else "existing", link=LinkView.of(link, now)
        )
    results = [answers[index] for index in range(len(request.links))]
    return BatchResult(
        results=results,
        created=sum(a.status == "created" for a in results),
        existing=sum(a.status == "existing" for a in results),
        error=sum(a.status == "error" for a in results),
    )


@router.route(
    *endpoint("/links", "GET"),
    summary="List links (filters, cursor pagination)",
    tags=["links"],
    responses={200: {"description": "A page of links and the cursor of the next (or null)."}},
)
def list_links(
    status: Annotated[LinkState | None, Query(description="Only links in this state.")] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    host: Annotated[
        str | None,
        Query(
            max_length=253,
            description="Only links on this host (any case, IDN or punycode; no port).",
        ),
    ] = None,
    platform: Annotated[
        Platform | None, Query(description="Only links whose latest result this platform judged.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> LinkPage:
    tenant = principal_of(router.current_event).tenant
    page = LinkStore().list_links(
        tenant,
        status=status.value if status else None,
        tag=tag,
        host=host_filter(host) if host is not None else None,
        platform=platform.value if platform else None,
        limit=limit,
        cursor=cursor,
    )
    now = int(time.time())
    return LinkPage(links=[LinkView.of(link, now) for link in page.links], cursor=page.cursor)


@router.route(
    *endpoint("/links/<link_id>", "GET"),
    summary="One link with its latest result",
    tags=["links"],
    responses={200: {"description": "The link."}},
)
def get_link(link_id: str) -> LinkView:
    tenant = principal_of(router.current_event).tenant
    return LinkView.of(LinkStore().get(tenant, link_id), int(time.time()))


@router.route(
    *endpoint("/links/<link_id>", "PATCH"),
    summary="Change tags, interval or notify",
    tags=["links"],
    responses={200: {"description": "The changed link."}},
)
def update_link(link_id: str, request: LinkSettings) -> LinkView:
    tenant = principal_of(router.current_event).tenant
    now = int(time.time())
    link = LinkStore().update(
        tenant,
        link_id,
        now=now,
        tags=request.tags,
        interval=_interval(request.interval_minutes, request.interval_seconds),
        notify=request.notify,
    )
    return LinkView.of(link, now)


@router.route(
    *endpoint("/links/<link_id>", "DELETE"),
    summary="Stop checking a link",
    tags=["links"],
    responses={
        204: {"description": "Deleted; no body."},
        409: {"description": "A smart link uses the link (the message names it); delete it first."},
    },
)
def delete_link(link_id: str) -> Response[str]:
    tenant = principal_of(router.current_event).tenant
    LinkStore().delete(tenant, link_id)
    return Response(status_code=204, body="")


@router.route(
    *endpoint("/links/<link_id>/history", "GET"),
    summary="Past results, newest first",
    tags=["links"],
    responses={200: {"description": "A page of results and the cursor of the next (or null)."}},
)
def link_history(
    link_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> HistoryPage:
    tenant = principal_of(router.current_event).tenant
    LinkStore().get(tenant, link_id)  # 404 for an unknown or another tenant's link
    page = ResultStore().history(tenant, link_id, limit=limit, cursor=cursor)
    results = [HistoryEntry.model_validate(result) for result in page.results]
    return HistoryPage(results=results, cursor=page.cursor)


@router.route(
    *endpoint("/links/<link_id>/check", "POST"),
    summary="Check now and store the result",
    tags=["links"],
    responses={200: {"description": "The link, the result and the event it caused (or null)."}},
)
def check_link_now(link_id: str) -> CheckedLink:
    """Same rules as a sweep (sweeps/check_now.py): a new broken verdict is only pending until
    it is confirmed; a result that judged nothing (``not_checked``) is answered, not stored."""
    tenant = principal_of(router.current_event).tenant
    checked = check_now(tenant, link_id, _check_one)
    return CheckedLink(
        link=LinkView.of(checked.link, int(time.time())),
        result=Verdict.of(checked.result),
        event=checked.event,
    )


def _check_one(url: str) -> CheckResult:
    """One check with this function's options, on the environment's shared event loop."""
    options = check_options()

    async def check() -> CheckResult:
        async with Checker(options) as checker:
            return await checker.check(url)

    return runner.run(check(), options.timeout + CHECK_NOW_MARGIN_SECONDS)
