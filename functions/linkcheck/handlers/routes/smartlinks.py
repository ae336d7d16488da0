"""Routes: ``/smartlinks``, self-healing redirects (create, list, read, delete).

A smart link is a public ``/r/<slug>`` (served by the redirect function, not here) that
redirects to its target URL, or to its fallback while the target is dead. Both URLs are
registered as links of the caller's tenant and checked like any other. Another tenant's slug
is a 404; a slug taken by anyone is a 409.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from ...domain.slugs import MAX_LENGTH, day_of
from ...engine import MAX_URL_LENGTH
from ...errors import InvalidInput
from ...registration import link_target
from ...settings import get_settings
from ...store.links import NewLink
from ...store.smartlinks import Clicks, SmartLink, SmartLinkStore
from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()

CLICK_DAYS = 30  # days of clicks GET /smartlinks/{slug} shows


class SmartLinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str | None = Field(
        default=None,
        max_length=MAX_LENGTH,
        description="3-64 characters A-Z a-z 0-9 _ - (case-sensitive); omitted: a random one.",
        examples=["spring-sale"],
    )
    target_url: str = Field(
        min_length=1, max_length=MAX_URL_LENGTH, examples=["https://www.tiktok.com/@me/video/1"]
    )
    fallback_url: str = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="Served while the target is broken, restricted or down.",
        examples=["https://example.com/"],
    )


class ClickDay(BaseModel):
    model_config = ConfigDict(defer_build=True)

    day: str = Field(description="UTC day, yyyy-mm-dd.")
    count: int


class SmartLinkView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    slug: str
    target_url: str
    fallback_url: str
    target_link_id: str = Field(description="The registered link checking target_url.")
    fallback_link_id: str = Field(description="The registered link checking fallback_url.")
    serving: Literal["target", "fallback"] = Field(
        description="Where /r/{slug} redirects now: the fallback while the target's confirmed "
        "state is broken, restricted or down."
    )
    redirect_url: str = Field(description="The public short link.")
    created_at: str
    clicks_today: int = Field(description="Redirects today (UTC).")
    clicks_total: int = Field(description="Redirects over the retained days (400).")

    @classmethod
    def of(cls, smart: SmartLink, clicks: Clicks, base: str) -> SmartLinkView:
        return cls(**_fields(smart, clicks, base))


class SmartLinkDetail(SmartLinkView):
    clicks: list[ClickDay] = Field(description=f"The last {CLICK_DAYS} days, oldest first.")

    @classmethod
    def of_detail(cls, smart: SmartLink, clicks: Clicks, base: str) -> SmartLinkDetail:
        today = day_of(time.time())
        days = [ClickDay(day=d, count=n) for d, n in clicks.last_days(today, CLICK_DAYS)]
        return cls(**_fields(smart, clicks, base), clicks=days)


class SmartLinkPage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    smartlinks: list[SmartLinkView]
    cursor: str | None = None


def _fields(smart: SmartLink, clicks: Clicks, base: str) -> dict[str, Any]:
    return {
        "slug": smart.slug,
        "target_url": smart.target_url,
        "fallback_url": smart.fallback_url,
        "target_link_id": smart.target_link_id,
        "fallback_link_id": smart.fallback_link_id,
        "serving": smart.serving.value,
        "redirect_url": f"{base}/r/{smart.slug}",
        "created_at": smart.created_at,
        "clicks_today": clicks.on(day_of(time.time())),
        "clicks_total": clicks.total,
    }


def _base_url() -> str:
    """Scheme and host the caller reached the API at (where ``/r/<slug>`` is served too)."""
    event = router.current_event
    headers = event.headers or {}
    host = event.request_context.domain_name or headers.get("host") or "localhost"
    default = "http" if get_settings().local_dev else "https"
    scheme = headers.get("x-forwarded-proto") or default
    return f"{scheme}://{host}"


def _new_link(url: str, field: str) -> NewLink:
    try:
        target = link_target(url, allow_private=get_settings().allow_private_networks)
    except InvalidInput as exc:
        raise InvalidInput(exc.message.replace("url ", f"{field} ", 1), field=field) from exc
    return NewLink(
        url=target.url,
        host=target.host,
        interval=get_settings().default_interval_minutes * 60,
    )


@router.route(
    *endpoint("/smartlinks", "POST"),
    summary="Create a smart link (a redirect that falls back when its target dies)",
    tags=["smartlinks"],
    responses={
        201: {"description": "Created: the smart link, its two registered links, its URL."},
        409: {"description": "The slug is taken, or the target has too many smart links."},
    },
)
def create_smartlink(request: SmartLinkRequest) -> Response[SmartLinkView]:
    tenant = principal_of(router.current_event).tenant
    target = _new_link(request.target_url, "target_url")
    fallback = _new_link(request.fallback_url, "fallback_url")
    smart = SmartLinkStore().create(tenant, request.slug, target, fallback, now=int(time.time()))
    return Response(
        status_code=201,
        content_type="application/json",
        body=SmartLinkView.of(smart, Clicks(by_day={}), _base_url()),
        headers={"Location": f"/smartlinks/{smart.slug}"},
    )


@router.route(
    *endpoint("/smartlinks", "GET"),
    summary="List smart links with their clicks",
    tags=["smartlinks"],
    responses={200: {"description": "A page of smart links and the cursor of the next (or null)."}},
)
def list_smartlinks(
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> SmartLinkPage:
    tenant = principal_of(router.current_event).tenant
    store = SmartLinkStore()
    page = store.list_page(tenant, limit=limit, cursor=cursor)
    base = _base_url()
    clicks = store.clicks_of(page.smartlinks)
    views = [SmartLinkView.of(s, c, base) for s, c in zip(page.smartlinks, clicks, strict=True)]
    return SmartLinkPage(smartlinks=views, cursor=page.cursor)


@router.route(
    *endpoint("/smartlinks/<slug>", "GET"),
    summary="One smart link with its clicks per day",
    tags=["smartlinks"],
    responses={200: {"description": "The smart link and its clicks of the last 30 days."}},
)
def get_smartlink(slug: str) -> SmartLinkDetail:
    tenant = principal_of(router.current_event).tenant
    store = SmartLinkStore()
    smart = store.get(tenant, slug)
    return SmartLinkDetail.of_detail(smart, store.clicks(smart), _base_url())


@router.route(
    *endpoint("/smartlinks/<slug>", "DELETE"),
    summary="Delete a smart link (its links stay registered)",
    tags=["smartlinks"],
    responses={204: {"description": "Deleted; /r/{slug} answers 404 within a minute."}},
)
def delete_smartlink(slug: str) -> Response[str]:
    tenant = principal_of(router.current_event).tenant
    SmartLinkStore().delete(tenant, slug)
    return Response(status_code=204, body="")
