"""Routes: the dashboard, ``GET /ui`` (the page) and ``GET /ui/<asset>``; ``GET /`` leads there.

Public (no API key): the page holds no data. It asks for the key and sends it with each API
call from the browser. Every answer carries the dashboard's security headers
(dashboard/assets.py); a file the client already has is a 304.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ...dashboard import assets
from .errors import not_found
from .table import endpoint

router = APIGatewayHttpRouter()

DASHBOARD_PATH = "/ui"


@router.route(*endpoint("/", "GET"), include_in_schema=False)
def home() -> Response[str]:
    return Response(
        status_code=302,
        headers={
            **assets.SECURITY_HEADERS,
            "Location": DASHBOARD_PATH,
            "Cache-Control": "no-cache",
        },
        body="",
    )


@router.route(*endpoint("/ui", "GET"), include_in_schema=False, compress=True)
def dashboard_page() -> Response[str]:
    return _serve(assets.page())


@router.route(*endpoint("/ui/<asset>", "GET"), include_in_schema=False, compress=True)
def dashboard_asset(asset: str) -> Response[str]:
    found = assets.asset(asset)
    if found is None:
        error = not_found(f"{DASHBOARD_PATH}/{asset}")
        return Response(
            status_code=error.status,
            content_type="application/json",
            body=error.to_response().body,
            headers=dict(assets.SECURITY_HEADERS),
        )
    return _serve(found)


def _serve(found: assets.Asset) -> Response[str]:
    if found.matches(router.current_event.headers.get("if-none-match")):
        # No body, and nothing to compress (an empty body would gzip to 20 bytes).
        return Response(status_code=304, headers=found.headers(), body="", compress=False)
    return Response(status_code=200, headers=found.headers(), body=found.body)
