"""End to end through ``linkcheck dev``: a local page flips from 200 to 404, and exactly one SNS
message and one signed webhook come out (stream -> notifier -> SNS and deliveries -> webhook)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
import pytest

from .test_webhooks_delivery import Receiver, independent_signature_ok
from .test_worker_checks import Target
from .test_worker_devstack import sweep_when_due

if TYPE_CHECKING:
    from linkcheck.local.stack import DevStack


@pytest.mark.slow
def test_a_new_404_sends_one_sns_message_and_one_signed_webhook(dev_stack: DevStack) -> None:
    site, receiver = Target(), Receiver()
    try:
        site.answer("/doc", 200)
        api = httpx.Client(
            base_url=dev_stack.base_url,
            headers={"Authorization": f"Bearer {dev_stack.api_key}"},
            timeout=30,
        )
        hook = api.post(
            "/hooks", json={"target_url": receiver.url(), "event_types": ["link.broken"]}
        )
        assert hook.status_code == 201, hook.text
        secret = hook.json()["secret"]
        link = api.post("/links", json={"url": f"{site.base}/doc", "interval_seconds": 5}).json()

        dev_stack.tick()  # a first-ever sweep looks back an hour: the new link, at once
        dev_stack.run_pumps_once()
        link = api.get(f"/links/{link['id']}").json()
        assert link["status"] == "ok", link
        assert dev_stack.notifications == []  # a first "ok" is not a transition to report

        site.answer("/doc", 404)
        sweep_when_due(link)
        dev_stack.run_pumps_once()  # check, confirmation, event, notifier, webhook delivery
        dev_stack.run_pumps_once()

        notes = dev_stack.notifications
        assert len(notes) == 1, notes
        attributes = {k: v["Value"] for k, v in notes[0]["MessageAttributes"].items()}
        assert attributes["event_type"] == "link.broken"
        assert attributes["reason"] == "http_404"
        assert attributes["host"] == "127.0.0.1"
        assert notes[0]["Subject"].startswith("[linkcheck] Broken: 127.0.0.1")
        body = json.loads(notes[0]["Message"])
        assert body["link_id"] == link["id"]

        assert len(receiver.received) == 1
        delivery = receiver.received[0]
        assert independent_signature_ok(secret, delivery.headers, delivery.body)
        assert delivery.headers["webhook-id"] == body["id"]
        assert json.loads(delivery.body) == body
        assert api.get("/hooks").json()["hooks"][0]["last_status"].startswith("delivered")
    finally:
        site.close()
        receiver.stop()
