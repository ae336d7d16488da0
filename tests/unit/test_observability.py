from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from linkcheck import observability
from linkcheck.engine.verdict import CheckResult, Reason, Status
from linkcheck.observability import (
    CORRELATION_ID_FIELD,
    MetricName,
    correlation_id,
    correlation_id_from_sqs_record,
    correlation_message_attributes,
    count_checks,
    count_results,
    count_transitions,
    count_webhook_failures,
    new_correlation_id,
    set_correlation_id,
)


@pytest.fixture(autouse=True)
def _no_correlation_id() -> Iterator[None]:
    set_correlation_id(None)
    yield
    set_correlation_id(None)


def _emf_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def test_correlation_id_round_trips_through_sqs_message_attributes() -> None:
    # Given a request with a correlation id
    set_correlation_id("req-123")
    # When a producer builds message attributes and Lambda delivers them to a consumer
    attributes = correlation_message_attributes()
    record = {
        "messageAttributes": {
            name: {"stringValue": a["StringValue"], "dataType": a["DataType"]}
            for name, a in attributes.items()
        }
    }
    # Then the consumer reads the same id back
    assert correlation_id_from_sqs_record(record) == "req-123"
    assert CORRELATION_ID_FIELD in attributes


def test_no_correlation_id_means_no_attributes() -> None:
    assert correlation_id() is None
    assert correlation_message_attributes() == {}
    assert correlation_id_from_sqs_record({"messageAttributes": {}}) is None
    assert correlation_id_from_sqs_record({}) is None


def test_new_correlation_id_is_set_for_every_log_line() -> None:
    value = new_correlation_id()
    assert correlation_id() == value
    assert observability.logger.get_current_keys()["correlation_id"] == value
    assert new_correlation_id() != value


def test_checks_are_counted_once_per_status(capsys: pytest.CaptureFixture[str]) -> None:
    count_checks(["ok", "broken", "ok", "ok"])
    lines = _emf_lines(capsys.readouterr().out)
    by_status = {line["status"]: line[MetricName.CHECKS.value] for line in lines}
    assert by_status == {"broken": [1.0], "ok": [3.0]}
    for line in lines:
        assert line["service"] == "linkcheck"


def _result(status: Status, reason: Reason, platform: str | None) -> CheckResult:
    return CheckResult(
        url="https://example.com/", status=status, reason=reason, detail="", platform=platform
    )


def test_platform_checks_and_refusals_are_counted_per_platform(
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocked = _result(Status.BLOCKED, Reason.BOT_CHALLENGE, "tiktok")
    ok = _result(Status.OK, Reason.HTTP_2XX, "tiktok")
    results = [
        blocked,
        blocked,
        ok,
        _result(Status.BROKEN, Reason.PLATFORM_DELETED, "youtube"),
        _result(Status.OK, Reason.HTTP_2XX, None),  # no platform: no platform metrics
        CheckResult.not_checked("https://www.tiktok.com/@a", "no slot"),  # judged nothing
    ]
    count_results(results)
    lines = _emf_lines(capsys.readouterr().out)
    by_status = {line["status"]: line["Checks"] for line in lines if "status" in line}
    assert by_status == {"blocked": [2.0], "broken": [1.0], "error": [1.0], "ok": [2.0]}
    checks = {
        line["platform"]: line["PlatformChecks"] for line in lines if "PlatformChecks" in line
    }
    assert checks == {"tiktok": [3.0], "youtube": [1.0]}
    refused = {
        line["platform"]: line["PlatformBlocked"] for line in lines if "PlatformBlocked" in line
    }
    # One sample per judged check: Sum is the refusals, Average the refused share.
    assert sorted(refused["tiktok"]) == [0.0, 1.0, 1.0]
    assert refused["youtube"] == [0.0]
    for line in lines:
        assert line["service"] == "linkcheck"
        if "platform" in line:
            (directive,) = line["_aws"]["CloudWatchMetrics"]  # type: ignore[index]
            assert sorted(directive["Dimensions"][0]) == ["platform", "service"]


def test_refusal_samples_are_packed_a_hundred_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    observability.count_platform_checks([("instagram", i % 2 == 0) for i in range(250)])
    lines = _emf_lines(capsys.readouterr().out)
    samples = [
        line[MetricName.PLATFORM_BLOCKED.value] for line in lines if "PlatformBlocked" in line
    ]
    assert [len(values) for values in samples] == [100, 100, 50]  # type: ignore[arg-type]
    assert sum(sum(values) for values in samples) == 125  # type: ignore[arg-type]


def test_empty_batches_emit_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    count_checks([])
    count_results([])
    count_transitions([])
    count_webhook_failures("retry", 0)
    assert _emf_lines(capsys.readouterr().out) == []
