"""Every sample event in events/ (the files `sam local invoke -e` takes) runs through its handler.

Given a fresh set of the template's resources in moto, when each event is handed to the function
it belongs to, then the handler answers in the shape its trigger expects, and never with a 5xx.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

EVENTS = Path(__file__).resolve().parents[2] / "events"
# File-name prefix -> handler module (the template's Handler strings).
HANDLERS = {
    "api": "linkcheck.handlers.api",
    "authorizer": "linkcheck.handlers.authorizer",
    "sweep": "linkcheck.handlers.sweep",
    "worker": "linkcheck.handlers.worker",
    "notifier": "linkcheck.handlers.notifier",
    "webhooks": "linkcheck.handlers.webhooks",
    "redirect": "linkcheck.handlers.redirect",
}
SAMPLES = sorted(EVENTS.glob("*.json"))


def test_every_function_has_a_sample_event() -> None:
    prefixes = {path.name.split("-", 1)[0] for path in SAMPLES}
    assert prefixes == set(HANDLERS)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_event_runs_through_its_handler(
    path: Path, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the sample event and the SSRF guard on, as in AWS
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    event: dict[str, Any] = json.loads(path.read_text())
    handler = importlib.import_module(HANDLERS[path.name.split("-", 1)[0]]).handler
    # When its function handles it
    response = handler(event, None)
    # Then the answer has the shape the trigger expects
    if path.name.startswith("api-"):
        assert event["version"] == "2.0" and "routeKey" in event
        assert 200 <= response["statusCode"] < 500
    elif path.name.startswith("redirect-"):
        assert event["routeKey"] == "GET /r/{slug}" and "slug" in event["pathParameters"]
        assert response["statusCode"] in {302, 404}  # 404: no such slug in a fresh table
        assert response["headers"]["Cache-Control"] == "no-store"
    elif path.name.startswith("authorizer-"):
        assert event["type"] == "REQUEST"
        assert isinstance(response["isAuthorized"], bool)
    elif path.name.startswith(("worker-", "webhooks-", "notifier-")):
        source = event["Records"][0]["eventSource"]
        assert source in {"aws:sqs", "aws:dynamodb"}
        assert isinstance(response["batchItemFailures"], list)
    else:
        assert event["detail-type"] == "Scheduled Event"
