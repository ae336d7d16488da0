"""An audit end to end through ``linkcheck dev``: the emulated API Gateway and authorizer, the
api function, the checks queue, the worker, the table stream, the notifier and SNS, against a
local site on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from linkcheck.local.stack import DevStack
from tests.e2e.servers import Reply, ScriptedServer, scripted_server

HTML = {"content-type": "text/html; charset=utf-8"}


def page(body: str) -> Reply:
    return Reply(200, HTML, f"<html><body>{body}</body></html>".encode())


@pytest.fixture()
def site() -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        server.route("/", page('<a href="/guide">guide</a> <a href="/gone">gone</a>'))
        server.route("/guide", page('<h2 id="setup">Setup</h2> <a href="/#nowhere">home</a>'))
        server.route("/gone", Reply(404, HTML, b"<h1>Not found</h1>"))
        server.route("/robots.txt", Reply(200, {"content-type": "text/plain"}, b""))
        yield server


@pytest.mark.slow
def test_a_site_audit_runs_to_one_completed_event(
    dev_stack: DevStack, site: ScriptedServer
) -> None:
    headers = {"Authorization": f"Bearer {dev_stack.api_key}"}
    with httpx.Client(
        base_url=dev_stack.base_url, headers=headers, trust_env=False, timeout=30
    ) as api:
        # Given an audit started through the API
        started = api.post("/audits", json={"url": site.url("/"), "mode": "site"})
        assert started.status_code == 202, started.text
        audit = started.json()
        assert started.headers["location"] == f"/audits/{audit['id']}"
        assert audit["state"] == "running"

        # When the queue, the stream and SNS are drained (bounded: a few rounds of pages)
        for _ in range(10):
            if not dev_stack.run_pumps_once():
                break

        # Then the audit completed with what it found
        done = api.get(f"/audits/{audit['id']}").json()
        assert done["state"] == "completed", done
        assert done["progress"]["pages_read"] == 3 and done["progress"]["links_checked"] == 1
        assert done["counts"]["broken"] == 2
        broken = api.get(f"/audits/{audit['id']}/links", params={"status": "broken"}).json()
        reasons = {link["url"]: link["reason"] for link in broken["links"]}
        assert reasons == {
            site.url("/gone"): "http_404",
            site.url("/#nowhere"): "missing_fragment",
        }

        # And exactly one audit.completed event, in the feed and published
        events = [e for e in api.get("/events").json()["events"] if e["type"] == "audit.completed"]
        assert len(events) == 1, events
        published = [
            n
            for n in dev_stack.notifications
            if n["MessageAttributes"]["event_type"]["Value"] == "audit.completed"
        ]
        assert len(published) == 1, dev_stack.notifications
        assert audit["id"] in json.dumps(published[0])
