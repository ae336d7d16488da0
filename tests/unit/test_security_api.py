"""Security review regressions at the API edge: hostile bodies get a clear 4xx, never a 500.

The api handler is called directly with the sample events of events/ (no AWS, no network).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkcheck.handlers import api
from linkcheck.settings import get_settings

EVENTS = Path(__file__).resolve().parents[2] / "events"
DEEP = 100_000  # far deeper than Python's recursion limit


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "0")  # the limiter would talk to DynamoDB
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _event(name: str, body: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event["body"] = body
    return event


@pytest.mark.parametrize("name", ["api-check-post", "api-links-create", "api-hooks-create"])
@pytest.mark.parametrize(
    "body",
    [
        "[" * DEEP + "]" * DEEP,
        '{"url": ' + "[" * DEEP + "]" * DEEP + "}",
        '{"a": ' * DEEP + "1" + "}" * DEEP,
    ],
    ids=["arrays", "inside-a-field", "objects"],
)
def test_deeply_nested_json_is_a_400_not_a_500(name: str, body: str) -> None:
    response = api.handler(_event(name, body), None)
    assert response["statusCode"] == 400
    error = json.loads(response["body"])["error"]
    assert (error["code"], error["field"]) == ("bad_json", "body")
    assert "nested" in error["message"]


def test_other_recursion_errors_stay_internal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only a body too deep to parse is the client's fault; any other RecursionError is a bug.
    from linkcheck.handlers.routes import me

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(me, "principal_of", broken)
    response = api.handler(_event("api-me", ""), None)
    assert response["statusCode"] == 500


# An integer longer than Python's int-string conversion limit (4300 digits by default).
HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("api-links-create", HUGE),
        ("api-links-create", '{"url": ' + HUGE + "}"),  # where a string is expected
        ("api-links-create", '{"url": "https://example.com/", "tags": [[' + HUGE + "]]}"),
        ("api-links-batch", '{"links": [{"url": "https://example.com/"}, ' + HUGE + "]}"),
        (
            "api-links-batch",
            '{"links": [{"url": "https://example.com/", "x": {"y": -' + HUGE + "}}]}",
        ),
        ("api-check-post", '{"url": "https://example.com/", "timeout": ' + HUGE + "}"),
        ("api-check-post", '{"urls": [' + HUGE + "]}"),
        ("api-hooks-create", '{"target_url": ' + HUGE + "}"),
        (
            "api-hooks-create",
            '{"target_url": "https://example.com/", "event_types": [' + HUGE + "]}",
        ),
        ("api-links-update", '{"interval_minutes": ' + HUGE + "}"),
        ("api-links-update", '{"tags": [{"a": [' + HUGE + "]}]}"),
    ],
)
def test_an_integer_too_long_to_read_is_a_400_not_a_500(name: str, body: str) -> None:
    response = api.handler(_event(name, body), None)
    assert response["statusCode"] == 400, response["body"]
    error = json.loads(response["body"])["error"]
    assert (error["code"], error["field"]) == ("bad_json", "body")
    assert "4300 digits" in error["message"]
