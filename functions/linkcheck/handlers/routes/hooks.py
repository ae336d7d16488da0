"""Routes: ``/hooks``, webhook subscriptions (also Zapier's REST-hook subscribe/unsubscribe).

``POST /hooks`` vets the target URL with the same SSRF rules as checked links and answers 201
with the hook and its signing secret (shown this once). Another tenant's hook id is a 404.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from ...errors import InvalidInput, NotFound
from ...notify.signing import new_secret
from ...notify.targets import MAX_TARGET_URL_LENGTH, TargetRejected, vet_target
from ...settings import get_settings
from ...store.hooks import Hook, HookStore
from .openapi_links import links_by_id
from .principal import principal_of
from .table import endpoint

router = APIGatewayHttpRouter()

# Every EventType (domain/events.py), spelled out for the schema and the 422 message
# (tests/unit/test_event_types.py keeps the two in step).
EventTypeName = Literal[
    "link.broken", "link.restricted", "link.down", "link.recovered", "audit.completed"
]


class HookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_url: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_TARGET_URL_LENGTH,
            description="Where deliveries are POSTed (http or https, publicly routable).",
            examples=["https://hooks.zapier.com/hooks/standard/123/abc/"],
        ),
    ]
    event_types: list[EventTypeName] | None = Field(
        default=None,
        description="Event types to receive; omitted or empty means every type.",
        examples=[["link.broken", "link.recovered"], ["audit.completed"]],
    )


class HookView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    target_url: str
    event_types: list[str] = Field(description="Empty: every event type.")
    created_at: str
    last_status: str | None = Field(default=None, description="How the last delivery went.")
    last_delivery_at: str | None = None


class CreatedHook(HookView):
    secret: str = Field(
        description="Signing secret (whsec_...) for verifying deliveries; shown only once."
    )


class HookList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    hooks: list[HookView]


def _store() -> HookStore:
    return HookStore(get_settings().table_name)


def _view(hook: Hook) -> HookView:
    return HookView(**hook.public())


@router.route(
    *endpoint("/hooks", "POST"),
    summary="Subscribe a webhook (REST hook)",
    tags=["hooks"],
    responses={
        201: {
            "description": "Subscribed: the hook, with its signing secret (shown only here).",
            "content": {"application/json": {"model": CreatedHook}},
            "links": links_by_id(
                "hook_id",
                {
                    "GetHook": ("/hooks/<hook_id>", "GET", "Read the hook."),
                    "DeleteHook": ("/hooks/<hook_id>", "DELETE", "Unsubscribe it."),
                },
            ),
        },
        409: {"description": "The tenant already has the most hooks allowed; delete one first."},
    },
)
def create_hook(request: HookRequest) -> Response[CreatedHook]:
    tenant = principal_of(router.current_event).tenant
    try:
        vetted = vet_target(request.target_url, allow_private=get_settings().allow_private_networks)
    except TargetRejected as exc:
        raise InvalidInput(exc.message, field="target_url") from exc
    event_types = list(dict.fromkeys(request.event_types or []))
    hook = _store().create(tenant, vetted.url, event_types, new_secret())
    created = CreatedHook(**hook.public(), secret=hook.secret)
    return Response(
        status_code=201,
        content_type="application/json",
        body=created,
        headers={"Location": f"/hooks/{hook.id}"},
    )


@router.route(
    *endpoint("/hooks", "GET"),
    summary="List webhook subscriptions",
    tags=["hooks"],
    responses={200: {"description": "Every hook of the tenant (secrets are never shown)."}},
)
def list_hooks() -> HookList:
    tenant = principal_of(router.current_event).tenant
    return HookList(hooks=[_view(h) for h in _store().list_hooks(tenant)])


@router.route(
    *endpoint("/hooks/<hook_id>", "GET"),
    summary="One webhook subscription",
    tags=["hooks"],
    responses={200: {"description": "The hook (its secret is never shown again)."}},
)
def get_hook(hook_id: str) -> HookView:
    tenant = principal_of(router.current_event).tenant
    hook = _store().get(tenant, hook_id)
    if hook is None:
        raise NotFound(f"no hook with id {hook_id}", field="id")
    return _view(hook)


@router.route(
    *endpoint("/hooks/<hook_id>", "DELETE"),
    summary="Unsubscribe a webhook",
    tags=["hooks"],
    responses={204: {"description": "Unsubscribed."}},
)
def delete_hook(hook_id: str) -> Response[str]:
    tenant = principal_of(router.current_event).tenant
    if not _store().delete(tenant, hook_id):
        raise NotFound(f"no hook with id {hook_id}", field="id")
    return Response(status_code=204, body="")
