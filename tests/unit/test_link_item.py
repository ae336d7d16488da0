"""The link item keeps its latest result compact (one write unit) and gives it back in full."""

from __future__ import annotations

from typing import Any

import pytest

from linkcheck.domain.transitions import LinkState, Tracking
from linkcheck.engine.verdict import CheckResult, Hop, Reason, Status
from linkcheck.handlers.routes.presenters import LinkView
from linkcheck.store.links import Link, compact_result, expanded_result, trimmed

URL = "https://example.com/pricing"


def _result(**changes: Any) -> CheckResult:
    fields: dict[str, Any] = {
        "url": URL,
        "status": Status.OK,
        "reason": Reason.HTTP_2XX,
        "detail": "200 OK",
        "final_url": URL,
        "http_status": 200,
        "elapsed_ms": 42,
        "checked_at": "2026-11-26T05:30:00.123Z",
    }
    fields.update(changes)
    return CheckResult(**fields)


def _link(url: str, last_result: dict[str, Any] | None) -> Link:
    return Link(
        tenant="t1",
        id="a" * 20,
        url=url,
        host="example.com",
        interval=86400,
        phase=1234,
        tracking=Tracking(state=LinkState.OK),
        last_result=last_result,
        last_checked_at="2026-11-26T05:30:00.123Z",
        checks=3,
        created_at="2026-11-01T00:00:00Z",
        updated_at="2026-11-01T00:00:00Z",
        version=4,
    )


def _item_bytes(value: Any) -> int:
    """Rough DynamoDB size: names and string/number payloads (enough to compare with 1 KB)."""
    if isinstance(value, dict):
        return sum(len(k) + _item_bytes(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_item_bytes(v) for v in value)
    return len(str(value))


@pytest.mark.parametrize(
    "result",
    [
        _result(),
        _result(  # http -> https: the chain starts at the link's URL
            final_url="https://www.example.com/pricing",
            redirects=(Hop(url=URL, status=301), Hop(url="https://x.example/p", status=302)),
        ),
        _result(  # nothing answered: no final URL
            status=Status.ERROR, reason=Reason.CONNECT_ERROR, final_url=None, http_status=None
        ),
        _result(url=URL + "?other"),  # a result for another URL is kept as it is
    ],
)
def test_the_stored_result_reads_back_exactly(result: CheckResult) -> None:
    # Given a result stored on its link
    full = trimmed(result)
    stored = compact_result(full, URL)
    # When it is read back, Then nothing the API shows is lost
    assert expanded_result(stored, URL) == full
    link = Link.from_item(_link(URL, full).to_item())
    assert link.last_result == full


def test_copies_of_the_link_url_are_not_stored() -> None:
    stored = compact_result(trimmed(_result()), URL)
    assert "url" not in stored and "final_url" not in stored


def test_items_written_before_compaction_still_read() -> None:
    full = trimmed(_result())
    assert expanded_result(full, URL) == full
    assert expanded_result(None, URL) is None


def test_a_long_url_still_fits_one_write_unit() -> None:
    # Given a 400-character URL checked ok (each copy of it would cost 400 bytes)
    url = "https://example.com/" + "a" * 380
    item = _link(url, trimmed(_result(url=url, final_url=url))).to_item()
    # Then the link item with its latest result stays under 1 KB
    assert _item_bytes(item) < 1024


def test_a_run_of_refusals_reads_back_and_shows_in_the_api() -> None:
    link = _link(URL, trimmed(_result(status=Status.BLOCKED, reason=Reason.BOT_CHALLENGE)))
    link.tracking = Tracking(
        state=LinkState.BROKEN, blocked_since="2026-11-26T05:30:00.123Z", blocked_checks=4
    )
    again = Link.from_item(link.to_item())
    assert again.tracking == link.tracking
    shown = LinkView.of(again, now=1_800_000_000).model_dump(mode="json")
    assert (shown["status"], shown["blocked_since"], shown["blocked_checks"]) == (
        "broken",
        "2026-11-26T05:30:00.123Z",
        4,
    )


def test_a_link_that_is_not_refused_carries_no_refusal_attributes() -> None:
    item = _link(URL, trimmed(_result())).to_item()
    assert "blocked_since" not in item and "blocked_checks" not in item
    shown = LinkView.of(Link.from_item(item), now=1_800_000_000).model_dump(mode="json")
    assert (shown["blocked_since"], shown["blocked_checks"]) == (None, 0)


def test_the_api_shows_interval_seconds_only_for_intervals_that_are_not_whole_minutes() -> None:
    link = _link(URL, trimmed(_result()))
    shown = LinkView.of(link, now=1_800_000_000).model_dump(mode="json")
    assert "interval_seconds" not in shown and shown["interval_minutes"] == 1440
    link.interval = 5
    shown = LinkView.of(link, now=1_800_000_000).model_dump(mode="json")
    assert (shown["interval_minutes"], shown["interval_seconds"]) == (0, 5)


def test_the_api_shows_the_stored_latest_result_in_full() -> None:
    link = Link.from_item(_link(URL, trimmed(_result())).to_item())
    shown = LinkView.of(link, now=1_800_000_000).model_dump(mode="json")
    assert shown["last_result"] == {**_result().to_dict()}
