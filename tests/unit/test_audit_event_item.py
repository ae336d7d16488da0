"""The ``audit.completed`` event item: a plain item the completing transaction puts."""

from __future__ import annotations

import pytest

from linkcheck.awsrequest.dynamodb_codec import from_item
from linkcheck.domain.events import EventType
from linkcheck.observability import set_correlation_id
from linkcheck.settings import get_settings
from linkcheck.store.events import EVENT_PREFIX, audit_completed_item
from linkcheck.store.results import epoch_of

COMPLETED = "2024-05-02T10:15:00Z"


def _item(**overrides: object) -> dict[str, object]:
    args: dict[str, object] = {
        "tenant": "acme",
        "audit_id": "aud-1",
        "url": "https://Docs.Example.com/guide/",
        "mode": "site",
        "counts": {"ok": 40, "broken": 2},
        "pages": 7,
        "links": 42,
        "started_at": "2024-05-02T10:00:00Z",
        "completed_at": COMPLETED,
        "retention_days": 30,
    }
    args.update(overrides)
    return from_item(audit_completed_item(**args))  # type: ignore[arg-type]


def test_the_item_has_the_event_keys_and_the_audit_facts() -> None:
    data = _item(correlation_id="corr-9")
    assert data["pk"] == "T#acme"
    assert data["sk"] == EVENT_PREFIX + data["id"]
    assert len(str(data["id"])) == 26
    assert data["kind"] == "event"
    assert data["type"] == EventType.AUDIT_COMPLETED == "audit.completed"
    assert data["tenant"] == "acme"
    assert data["audit_id"] == "aud-1"
    assert data["url"] == "https://Docs.Example.com/guide/"
    assert data["host"] == "docs.example.com"
    assert data["mode"] == "site"
    assert data["counts"] == {"ok": 40, "broken": 2}
    assert (data["pages"], data["links"]) == (7, 42)
    assert data["started_at"] == "2024-05-02T10:00:00Z"
    assert data["occurred_at"] == COMPLETED
    assert data["correlation_id"] == "corr-9"
    assert data["expires_at"] == epoch_of(COMPLETED) + 30 * 86400
    assert "notify" not in data  # audit events always go out


def test_the_correlation_id_defaults_to_the_work_in_progress() -> None:
    set_correlation_id("req-1")
    try:
        assert _item()["correlation_id"] == "req-1"
    finally:
        set_correlation_id(None)
    assert "correlation_id" not in _item()


def test_the_retention_defaults_to_the_history_retention(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HISTORY_RETENTION_DAYS", "12")
    get_settings.cache_clear()  # the autouse fixture clears it again afterwards
    data = _item(retention_days=None)
    assert data["expires_at"] == epoch_of(COMPLETED) + 12 * 86400


def test_each_item_is_a_new_event() -> None:
    assert _item()["id"] != _item()["id"]
