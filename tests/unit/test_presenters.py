"""Response bodies made from stored items (handlers/routes/presenters.py)."""

from __future__ import annotations

from typing import Any

from linkcheck.handlers.routes.presenters import EventView

RESULT = {
    "url": "https://example.com/",
    "status": "broken",
    "reason": "http_404",
    "detail": "404 Not Found",
    "checked_at": "2026-11-02T10:00:00.000Z",
}


def event(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "01JBX7ZQ5J8M3W2YV0K4N6P9RT",
        "type": "link.broken",
        "link_id": "lnk_1",
        "url": "https://example.com/",
        "host": "example.com",
        "occurred_at": "2026-11-02T10:00:00.000Z",
        "previous": "ok",
        "state": "broken",
        "notify": True,
        "tags": ["docs"],
        "result": RESULT,
    }
    item.update(changes)
    return item


def test_an_event_shows_every_feed_field() -> None:
    shown = EventView.of(event()).model_dump(mode="json")
    assert shown["previous"] == "ok" and shown["state"] == "broken" and shown["tags"] == ["docs"]
    assert shown["result"]["reason"] == "http_404"


def test_an_older_event_is_read_as_leniently_as_the_notifier_reads_it() -> None:
    # Given an event written without state or tags, its previous state a map, notify unset
    item = event(state=None, tags=None, previous={"status": "ok"}, notify=None)

    shown = EventView.of(item).model_dump(mode="json")

    assert (shown["previous"], shown["state"], shown["tags"]) == ("ok", None, [])
    assert shown["notify"] is True
