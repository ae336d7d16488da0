"""/check through the api handler against real HTTP servers on 127.0.0.1.

Loopback is allowed only through the deployment environment (LINKCHECK_ALLOW_PRIVATE_NETWORKS),
exactly as ``linkcheck dev --allow-private-networks`` sets it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from linkcheck.handlers import api
from tests.e2e.servers import Reply, ScriptedServer

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


def call(event: dict[str, Any], context: Any = None) -> tuple[int, Any]:
    response = api.handler(event, context)
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    with ScriptedServer() as running:
        running.route("/ok", Reply(200, body=b"<html><body>Hello, a real page.</body></html>"))
        running.route("/gone", Reply(410))
        running.route("/moved", Reply(301, headers={"Location": "/ok"}))
        running.route("/slow", Reply(200, delay=3.0))
        yield running


def test_get_checks_one_url(server: ScriptedServer) -> None:
    event = load_event("api-check-get")
    event["queryStringParameters"] = {"url": server.url("/moved")}
    status, body = call(event)
    assert status == 200
    assert (body["status"], body["reason"], body["http_status"]) == ("ok", "http_2xx", 200)
    assert body["url"] == server.url("/moved")
    assert body["final_url"] == server.url("/ok")
    assert body["redirects"] == [{"url": server.url("/moved"), "status": 301}]
    assert set(body) >= {"detail", "platform", "elapsed_ms", "checked_at"}


def test_post_with_url_answers_one_verdict(server: ScriptedServer) -> None:
    event = load_event("api-check-post")
    event["body"] = json.dumps({"url": server.url("/gone"), "timeout": 5})
    status, body = call(event)
    assert status == 200
    assert (body["status"], body["reason"]) == ("broken", "http_410")


def test_a_batch_answers_in_input_order(server: ScriptedServer) -> None:
    urls = [server.url("/gone"), "ftp://example.com/file", server.url("/ok"), server.url("/gone")]
    event = load_event("api-check-batch")
    event["body"] = json.dumps({"urls": urls})
    status, body = call(event)
    assert status == 200
    assert [r["url"] for r in body["results"]] == urls
    assert [r["status"] for r in body["results"]] == ["broken", "invalid", "ok", "broken"]


def test_what_does_not_finish_in_time_is_a_timeout_entry(server: ScriptedServer) -> None:
    # 3.5 s left in the Lambda: the request keeps a margin and answers after about 1.5 s.
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: 3500)
    event = load_event("api-check-batch")
    event["body"] = json.dumps({"urls": [server.url("/slow"), server.url("/ok")]})
    status, body = call(event, context)
    assert status == 200
    slow, ok = body["results"]
    assert (slow["status"], slow["reason"]) == ("error", "timeout")
    assert ok["status"] == "ok"


def test_loopback_is_refused_without_the_deployment_switch(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS")
    event = load_event("api-check-get")
    event["queryStringParameters"] = {"url": server.url("/ok"), "allow_private_networks": "1"}
    status, body = call(event)
    assert status == 200
    assert (body["status"], body["reason"]) == ("invalid", "forbidden_target")
    assert server.hits("/ok") == []
