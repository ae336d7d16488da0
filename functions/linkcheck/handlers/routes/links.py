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
from ...engine import Checker, CheckOptions
from ...engine.urls import BadUrl, normalize_url
from ...errors import InvalidInput, LinkcheckError, TooLarge
from ...observability import count_results, count_transitions
from ...registration import refused_address
from ...settings import env_flag, get_settings
from ...store.links import LinkStore, NewLink
from ...store.results import ResultStore
from ...sweeps.process import Recorder
from ...sweeps.queue import CheckQueue
from ...sweeps.transitions import LinkState
from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()

MAX_INTERVAL_MINUTES = 30 * 24 * 60
MIN_DEV_INTERVAL_SECONDS = 5
MAX_BATCH = 1000
CHECK_NOW_MARGIN_SECONDS = 5.0  # past the check's own deadline, the wait is a backstop only
MAX_TAGS = 20

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
    url: str = Field(min_length=1, max_length=8192, examples=["https://example.com/page"])


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
        if not env_flag("LINKCHECK_DEV"):
            raise InvalidInput(
                "interval_seconds is only for local demos; use interval_minutes",
                field="interval_seconds",
            )
        if not MIN_DEV_INTERVAL_SECONDS <= seconds <= MAX_INTERVAL_MINUTES * 60:
            raise InvalidInput(
                f"interval_seconds must be at least {MIN_DEV_INTERVAL_SECONDS}",
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
    try:
        target = normalize_url(request.url)
    except BadUrl as exc:
        raise InvalidInput(f"url cannot be checked: {exc.detail}", field="url") from exc
    refused = refused_address(target, allow_private=get_settings().allow_private_networks)
    if refused is not None:
        raise InvalidInput(f"url is refused: {refused}", field="url")
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


def _error(exc: LinkcheckError | ValidationError) -> dict[str, Any]:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        return {"code": "invalid_input", "message": first["msg"], "field": where}
    return {"code": exc.code, "message": exc.message, "field": exc.field}


@router.route(
    *endpoint("/links", "POST"),
    summary="Register a link (idempotent per normalised URL)",
    tags=["links"],
    responses={
        201: {"description": "Registered: the new link."},
        200: {"description": "Already registered (same normalised URL): the existing link."},
    },
)
def register_link(request: LinkRequest) -> tuple[dict[str, Any], int]:
    tenant = principal_of(router.current_event).tenant
    now = int(time.time())
    link, created = LinkStore().register(tenant, _new_link(request), now=now)
    return link.to_api(now), 201 if created else 200


@router.route(
    *endpoint("/links/batch", "POST"),
    summary="Register up to 1000 links",
    tags=["links"],
    responses={200: {"description": "One result per item, in input order, and the counts."}},
)
def register_links(request: LinkBatchRequest) -> dict[str, Any]:
    """Per-item results in input order: one bad item does not sink the others."""
    if len(request.links) > MAX_BATCH:
        raise TooLarge(f"at most {MAX_BATCH} links per batch; split the request", field="links")
    tenant = principal_of(router.current_event).tenant
    now = int(time.time())
    answers: list[dict[str, Any]] = [{} for _ in request.links]
    valid: list[tuple[int, NewLink]] = []
    for index, raw in enumerate(request.links):
        try:
            valid.append((index, _new_link(_link_request(raw))))
        except (ValidationError, LinkcheckError) as exc:
            answers[index] = {"index": index, "status": "error", "error": _error(exc)}
    saved = LinkStore().register_many(tenant, [new for _, new in valid], now=now)
    for (index, _), (link, created) in zip(valid, saved, strict=True):
        status = "created" if created else "existing"
        answers[index] = {"index": index, "status": status, "link": link.to_api(now)}
    counts = {s: sum(a["status"] == s for a in answers) for s in ("created", "existing", "error")}
    return {"results": answers, **counts}


@router.route(
    *endpoint("/links", "GET"),
    summary="List links (filters, cursor pagination)",
    tags=["links"],
    responses={200: {"description": "A page of links and the cursor of the next (or null)."}},
)
def list_links(
    status: Annotated[LinkState | None, Query(description="Only links in this state.")] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    host: Annotated[str | None, Query(max_length=253)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> dict[str, Any]:
    tenant = principal_of(router.current_event).tenant
    page = LinkStore().list_links(
        tenant,
        status=status.value if status else None,
        tag=tag,
        host=host,
        limit=limit,
        cursor=cursor,
    )
    now = int(time.time())
    return {"links": [link.to_api(now) for link in page.links], "cursor": page.cursor}


@router.route(
    *endpoint("/links/<link_id>", "GET"),
    summary="One link with its latest result",
    tags=["links"],
    responses={200: {"description": "The link."}},
)
def get_link(link_id: str) -> dict[str, Any]:
    tenant = principal_of(router.current_event).tenant
    return LinkStore().get(tenant, link_id).to_api(int(time.time()))


@router.route(
    *endpoint("/links/<link_id>", "PATCH"),
    summary="Change tags, interval or notify",
    tags=["links"],
    responses={200: {"description": "The changed link."}},
)
def update_link(link_id: str, request: LinkSettings) -> dict[str, Any]:
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
    return link.to_api(now)


@router.route(
    *endpoint("/links/<link_id>", "DELETE"),
    summary="Stop checking a link",
    tags=["links"],
    responses={204: {"description": "Deleted; no body."}},
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
) -> dict[str, Any]:
    tenant = principal_of(router.current_event).tenant
    LinkStore().get(tenant, link_id)  # 404 for an unknown or another tenant's link
    page = ResultStore().history(tenant, link_id, limit=limit, cursor=cursor)
    return {"results": page.results, "cursor": page.cursor}


@router.route(
    *endpoint("/links/<link_id>/check", "POST"),
    summary="Check now and store the result",
    tags=["links"],
    responses={200: {"description": "The link, the result and the event it caused (or null)."}},
)
def check_link_now(link_id: str) -> dict[str, Any]:
    """Same rules as a sweep: a new broken verdict is only pending until it is confirmed.

    A result that judged nothing (``not_checked``) is answered but not stored.
    """
    tenant = principal_of(router.current_event).tenant
    store = LinkStore()
    link = store.get(tenant, link_id)

    options = CheckOptions.from_env()

    async def check() -> Any:
        async with Checker(options) as checker:
            return await checker.check(link.url)

    result = runner.run(check(), options.timeout + CHECK_NOW_MARGIN_SECONDS)
    count_results([result])
    outcome = None
    if result.judged:
        recorder = Recorder(
            store=store, results=ResultStore(), queue=CheckQueue(), settings=get_settings()
        )
        outcome = recorder.record(link, result, is_confirmation=False)
        recorder.flush()
        count_transitions(recorder.transitions)
    now = int(time.time())
    current = store.get(tenant, link_id) if outcome is not None else link
    return {
        "link": current.to_api(now),
        "result": result.to_dict(),
        "event": outcome.event.value if outcome and outcome.event else None,
    }
