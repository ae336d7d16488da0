from __future__ import annotations

from linkcheck.engine.verdict import CheckResult, Hop, Reason, Status


def test_result_round_trips_through_dict() -> None:
    # Given a result with every field set
    result = CheckResult(
        url="https://example.com/a",
        status=Status.BROKEN,
        reason=Reason.HTTP_404,
        detail="The server answered 404 Not Found.",
        final_url="https://example.com/b",
        http_status=404,
        redirects=(Hop(url="https://example.com/a", status=301),),
        platform=None,
        elapsed_ms=12,
    )
    # When it is serialised and read back
    data = result.to_dict()
    # Then nothing is lost and the JSON shape is the documented one
    assert CheckResult.from_dict(data) == result
    assert data["status"] == "broken"
    assert data["redirects"] == [{"url": "https://example.com/a", "status": 301}]
    assert set(data) == {
        "url",
        "status",
        "reason",
        "detail",
        "final_url",
        "http_status",
        "redirects",
        "platform",
        "elapsed_ms",
        "checked_at",
    }


def test_unknown_statuses_are_error_and_blocked() -> None:
    assert CheckResult.invalid("x", Reason.BAD_URL, "bad").is_unknown is False
    blocked = CheckResult(url="x", status=Status.BLOCKED, reason=Reason.HTTP_999, detail="")
    assert blocked.is_unknown is True
