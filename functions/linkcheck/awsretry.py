"""The retry policy for calls to AWS, in one place (pure: no I/O, no boto3).

boto3 clients use botocore's ``standard`` retry mode with ``MAX_ATTEMPTS`` (see ``aws.py``):
throttling errors, 5xx answers and connection errors are retried with exponential backoff and
full jitter. The same rule is applied where botocore cannot: by the boto3-free client of the
``/check`` path (``awsrequest``), and to the keys and items DynamoDB's batch calls leave
unprocessed (a partial success, which botocore does not see as an error).
"""

from __future__ import annotations

import random
from collections.abc import Callable

# Attempts per boto3 call, the first included. Worst-case pauses (botocore's full jitter, 1 s
# base) add up to 1 + 2 + 4 = 7 s: within the 10 s the worker keeps back for its writes.
MAX_ATTEMPTS = 4

# Error codes that mean "slow down" (botocore's standard mode retries the same ones).
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException", "InternalServerError"})
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


def is_retryable(code: str, status: int | None) -> bool:
    """Whether an AWS error answer is worth another attempt (throttling or transient)."""
    if code in THROTTLING_CODES or code in TRANSIENT_CODES:
        return True
    return status is not None and status in TRANSIENT_STATUSES


def backoff(
    attempt: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """Pause before retry number ``attempt + 1``: full jitter over ``base * 2**attempt``,
    capped at ``cap`` (so many callers backing off at once spread out instead of colliding)."""
    return rand() * min(cap, base * float(1 << min(attempt, 30)))
