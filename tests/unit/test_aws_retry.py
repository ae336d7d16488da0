"""The retry policy for AWS calls (pure) and the hop counter of check messages."""

from __future__ import annotations

import pydantic
import pytest

from linkcheck.awsretry import backoff, is_retryable
from linkcheck.sweeps.messages import CheckBatch


def test_backoff_doubles_with_full_jitter_and_is_capped() -> None:
    top = [backoff(n, base=0.05, cap=2.0, rand=lambda: 1.0) for n in range(8)]
    assert top == [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]
    assert backoff(3, base=0.05, cap=2.0, rand=lambda: 0.0) == 0.0  # jitter spans [0, top]
    assert backoff(10_000, base=1.0, cap=20.0, rand=lambda: 1.0) == 20.0  # no overflow


@pytest.mark.parametrize(
    ("code", "status", "retry"),
    [
        ("ProvisionedThroughputExceededException", 400, True),
        ("ThrottlingException", 400, True),
        ("RequestLimitExceeded", 400, True),
        ("http_error", 503, True),
        ("InternalServerError", 500, True),
        ("ValidationException", 400, False),
        ("ConditionalCheckFailedException", 400, False),
        ("AccessDeniedException", 403, False),
        ("ResourceNotFoundException", 400, False),
    ],
)
def test_only_throttling_and_transient_errors_are_retried(
    code: str, status: int, retry: bool
) -> None:
    assert is_retryable(code, status) is retry


def test_messages_without_a_hop_count_are_hop_zero_and_negative_counts_are_refused() -> None:
    old = CheckBatch.model_validate_json('{"links": [{"tenant": "acme", "link_id": "a1"}]}')
    assert old.hops == 0
    with pytest.raises(pydantic.ValidationError):
        CheckBatch.model_validate_json(
            '{"links": [{"tenant": "acme", "link_id": "a1"}], "hops": -1}'
        )
