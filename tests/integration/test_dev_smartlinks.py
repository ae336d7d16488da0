"""End to end through ``linkcheck dev``: a smart link follows its target's transition to broken
and back, through the sweep, the checks queue, the worker and the public ``/r/{slug}`` route
served by its own function (no API key), with its clicks counted.

The redirect's cache is off here (``REDIRECT_CACHE_SECONDS=0``) so each hit reads the switch at
once instead of after the cache's 30 s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from .test_worker_checks import Target
from .test_worker_devstack import sweep_when_due

if TYPE_CHECKING:
    from linkcheck.local.stack import DevStack
    from tests.integration.devstack import DevStackFactory


@pytest.mark.slow
def test_a_smart_link_follows_its_target_to_broken_and_back(
    dev_stack_factory: DevStackFactory,
) -> None:
    stack: DevStack = dev_stack_factory(env={"REDIRECT_CACHE_SECONDS": "0"})
    site = Target()
    try:
        site.answer("/video", 200)
        site.answer("/home", 200)
        api = httpx.Client(
            base_url=stack.base_url,
            headers={"Authorization": f"Bearer {stack.api_key}"},
            timeout=30,
        )
        visitor = httpx.Client(base_url=stack.base_url, timeout=30)  # no key, no redirects

        # The target registered first (checked every 5 s); the smart link reuses it
        target = api.post("/links", json={"url": f"{site.base}/video", "interval_seconds": 5})
        assert target.status_code == 201, target.text
        created = api.post(
            "/smartlinks",
            json={
                "slug": "bio",
                "target_url": f"{site.base}/video",
                "fallback_url": f"{site.base}/home",
            },
        )
        assert created.status_code == 201, created.text
        smart = created.json()
        assert smart["target_link_id"] == target.json()["id"]
        assert smart["redirect_url"] == f"{stack.base_url}/r/bio"

        def follow() -> str:
            answer = visitor.get("/r/bio")
            assert answer.status_code == 302, answer.text
            assert answer.headers["cache-control"] == "no-store"
            return answer.headers["location"]

        assert follow() == f"{site.base}/video"
        stack.tick()
        stack.run_pumps_once()
        link = api.get(f"/links/{smart['target_link_id']}").json()
        assert link["status"] == "ok", link

        site.answer("/video", 404)
        sweep_when_due(link)
        stack.run_pumps_once()  # the check, then its (undelayed) confirmation re-check
        link = api.get(f"/links/{link['id']}").json()
        assert link["status"] == "broken", link
        assert follow() == f"{site.base}/home"
        assert api.get("/smartlinks/bio").json()["serving"] == "fallback"
        broken = [n for n in stack.notifications if '"smartlinks"' in n["Message"]]
        assert broken, stack.notifications

        site.answer("/video", 200)
        # Checked now rather than by a sweep: the first sweep ran at a time ahead of the clock
        # (the link's due time), so the link's next due time may fall in a window already swept.
        assert api.post(f"/links/{link['id']}/check").status_code == 200
        stack.run_pumps_once()  # the confirmation re-check
        assert api.get(f"/links/{link['id']}").json()["status"] == "ok"
        assert follow() == f"{site.base}/video"

        detail = api.get("/smartlinks/bio").json()
        assert detail["serving"] == "target"
        assert detail["clicks_today"] == 3
        assert visitor.get("/r/nobody-has-this").status_code == 404
    finally:
        site.close()
