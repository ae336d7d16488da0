"""End to end through ``linkcheck dev``: a local page flips from 200 to 404; the link's state
and its event follow, through the sweep schedule, the checks queue and the worker.

No waiting on the wall clock: the first sweep finds the new link at once (a first-ever sweep
looks back an hour), and the next one runs the sweep logic at the link's due time.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from linkcheck.store import SweepState
from linkcheck.sweeps.enqueue import SETTLE_SECONDS, run_sweep
from linkcheck.sweeps.queue import CheckQueue

from .test_worker_checks import Target

if TYPE_CHECKING:
    from linkcheck.local.stack import DevStack


def sweep_when_due(link: dict[str, Any]) -> None:
    """The sweep as it runs once the link is due (the scheduled handler reads the wall clock)."""
    due = datetime.fromisoformat(link["next_check_at"].replace("Z", "+00:00")).timestamp()
    report = run_sweep(SweepState(), CheckQueue(), now=int(due) + SETTLE_SECONDS)
    assert report.acquired and report.links, report


@pytest.mark.slow
def test_a_page_that_starts_answering_404_becomes_a_broken_link_event(
    dev_stack: DevStack,
) -> None:
    site = Target()
    try:
        site.answer("/doc", 200)
        api = httpx.Client(
            base_url=dev_stack.base_url,
            headers={"Authorization": f"Bearer {dev_stack.api_key}"},
            timeout=30,
        )
        created = api.post("/links", json={"url": f"{site.base}/doc", "interval_seconds": 5})
        assert created.status_code == 201, created.text
        link = created.json()

        # No wait: a first-ever sweep looks back an hour, so it enqueues the new link at once.
        dev_stack.tick()
        dev_stack.run_pumps_once()
        link = api.get(f"/links/{link['id']}").json()
        assert link["status"] == "ok", link

        site.answer("/doc", 404)
        sweep_when_due(link)
        dev_stack.run_pumps_once()  # the check, then its (undelayed) confirmation re-check
        link = api.get(f"/links/{link['id']}").json()
        assert link["status"] == "broken", link
        assert link["last_result"]["reason"] == "http_404"

        events = api.get("/events").json()["events"]
        assert [(e["type"], e["link_id"]) for e in events] == [("link.broken", link["id"])]
        history = api.get(f"/links/{link['id']}/history").json()["results"]
        assert [r["status"] for r in history][:2] == ["broken", "broken"]
    finally:
        site.close()
