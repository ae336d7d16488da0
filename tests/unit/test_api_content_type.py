"""A JSON body sent without a JSON Content-Type (``curl -d``) is still read as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcheck.handlers import api
from linkcheck.settings import get_settings

EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "0")  # no DynamoDB in a unit test
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def post_check(content_type: str | None, body: str) -> tuple[int, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "api-check-post.json").read_text())
    headers = {k: v for k, v in event["headers"].items() if k.lower() != "content-type"}
    if content_type is not None:
        headers["content-type"] = content_type
    event["headers"], event["body"] = headers, body
    response = api.handler(event, None)
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded"])
def test_json_body_without_json_content_type_is_read_as_json(content_type: str | None) -> None:
    # Given a body like `curl -d '{"url": "ftp://example.com/"}'` sends (no network needed)
    status, body = post_check(content_type, '{"url": "ftp://example.com/"}')
    # Then it is checked, not refused as a form
    assert status == 200
    assert (body["status"], body["reason"]) == ("invalid", "unsupported_scheme")


def test_a_real_form_body_is_still_refused_clearly() -> None:
    status, body = post_check("application/x-www-form-urlencoded", "url=https%3A%2F%2Fexample.com")
    assert status == 415
    assert body["error"]["code"] == "unsupported_media_type"
    assert "application/json" in body["error"]["message"]
