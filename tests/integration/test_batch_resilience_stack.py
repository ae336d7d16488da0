"""A hanging host never costs other URLs their results: through ``/check`` and a sweep.

A sweep's worker checks the links of every tenant together, so one tenant's links to a host
that accepts and never answers once crashed every invocation, and another tenant's healthy
link was never checked. Here both tenants are served in one sweep.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from linkcheck.handlers import api
from linkcheck.store.keys import KeyStore
from tests.e2e.servers import Reply, ScriptedServer, SilentServer

if TYPE_CHECKING:
    from .devstack import DevStackFactory

EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture()
def silent() -> Iterator[SilentServer]:
    with SilentServer() as running:
        yield running


@pytest.fixture()
def healthy() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200, body=b"<h1>fine</h1>"))
        yield running


def test_check_answers_every_url_of_a_batch_with_a_hanging_host(
    silent: SilentServer, healthy: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    urls = [silent.url(f"/{n}") for n in range(9)] + [healthy.url("/ok")]
    event = json.loads((EVENTS / "api-check-batch.json").read_text())
    event["body"] = json.dumps({"urls": urls, "timeout": 0.3})
    for _ in range(3):
        response = api.handler(event, None)
        assert response["statusCode"] == 200, response["body"]
        results = json.loads(response["body"])["results"]
        assert [r["url"] for r in results] == urls
        assert results[-1]["status"] == "ok"
        assert {(r["status"], r["reason"]) for r in results[:-1]} <= {
            ("error", "timeout"),
            ("error", "not_checked"),
        }


@pytest.mark.slow
def test_one_tenants_hanging_links_never_stop_another_tenants_checks(
    dev_stack_factory: DevStackFactory, silent: SilentServer, healthy: ScriptedServer
) -> None:
    stack = dev_stack_factory(env={"CHECK_TIMEOUT_SECONDS": "0.3"})
    other_key = KeyStore().create_key("other-tenant").secret
    first = httpx.Client(
        base_url=stack.base_url, headers={"Authorization": f"Bearer {stack.api_key}"}, timeout=30
    )
    second = httpx.Client(
        base_url=stack.base_url, headers={"Authorization": f"Bearer {other_key}"}, timeout=30
    )
    hanging = [
        first.post("/links", json={"url": silent.url(f"/{n}"), "interval_seconds": 5}).json()
        for n in range(6)
    ]
    fine = second.post("/links", json={"url": healthy.url("/ok"), "interval_seconds": 5})
    assert fine.status_code == 201, fine.text
    stack.tick()  # a first-ever sweep looks back an hour: every link above, in one sweep
    stack.run_pumps_once()

    checked = second.get(f"/links/{fine.json()['id']}").json()
    assert checked["status"] == "ok", checked
    for link in hanging:
        state = first.get(f"/links/{link['id']}").json()
        assert state["status"] == "unchecked", state  # unknown: never broken, never down
    assert first.get("/events").json()["events"] == []
    assert second.get("/events").json()["events"] == []
