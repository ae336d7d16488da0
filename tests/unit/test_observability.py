from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from linkcheck import observability
from linkcheck.observability import (
    CORRELATION_ID_FIELD,
    MetricName,
    correlation_id,
    correlation_id_from_sqs_record,
    correlation_message_attributes,
    count_checks,
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


def test_empty_batches_emit_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    count_checks([])
    count_transitions([])
    count_webhook_failures("retry", 0)
    assert _emf_lines(capsys.readouterr().out) == []


def test_importing_observability_loads_neither_xray_nor_boto3() -> None:
    # The on-demand /check cold start must not pay for the X-Ray SDK or boto3 (Powertools
    # itself imports only botocore's tiny top-level package, to tag its user agent).
    heavy = ("boto3", "botocore.session", "botocore.client", "aws_xray_sdk")
    code = (
        "import sys, linkcheck.observability\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
