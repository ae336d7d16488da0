"""The webhook sender on the engine's transport: vetted, kept alive, never following redirects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkcheck.notify.sender import WebhookSender

from .servers import Reply, ScriptedServer, free_port


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/hook", Reply(204, content_length=False))
        running.route("/ok", Reply(200))
        running.route("/moved", Reply(302, {"Location": "/hook"}))
        running.route("/busy", Reply(429, {"Retry-After": "30"}))
        yield running


@pytest.fixture()
def sender() -> Iterator[WebhookSender]:
    running = WebhookSender(timeout=2, allow_private=True)
    yield running
    running.close()


def test_deliveries_to_one_target_reuse_a_kept_alive_connection(
    server: ScriptedServer, sender: WebhookSender
) -> None:
    results = [sender.post(server.url("/ok"), {"webhook-id": str(n)}, b"{}") for n in range(3)]
    assert [r.status for r in results] == [200] * 3
    hits = server.hits("/ok")
    assert len({hit.peer for hit in hits}) == 1  # one TCP connection for the three
    assert hits[0].headers["content-type"] == "application/json"
    assert hits[0].headers["user-agent"].startswith("linkcheck-webhooks/")
    assert hits[0].headers["webhook-id"] == "0"


def test_redirects_are_not_followed_and_retry_after_is_kept(
    server: ScriptedServer, sender: WebhookSender
) -> None:
    moved = sender.post(server.url("/moved"), {}, b"{}")
    busy = sender.post(server.url("/busy"), {}, b"{}")
    assert (moved.status, moved.delivered) == (302, False)
    assert server.hits("/hook") == []
    assert (busy.status, busy.retry_after) == (429, "30")


def test_private_targets_are_refused_unless_allowed(server: ScriptedServer) -> None:
    strict = WebhookSender(timeout=2, allow_private=False)
    try:
        by_ip = strict.post(server.url("/hook"), {}, b"{}")
        by_name = strict.post(f"http://localhost:{server.port}/hook", {}, b"{}")
    finally:
        strict.close()
    assert by_ip.status is None and "refused" in (by_ip.error or "")
    assert by_name.status is None and "refused" in (by_name.error or "")
    assert server.hits("/hook") == []


def test_an_unreachable_target_is_a_connect_error(sender: WebhookSender) -> None:
    result = sender.post(f"http://127.0.0.1:{free_port()}/hook", {}, b"{}")
    assert result.status is None and "connect error" in (result.error or "")
