"""Webhook delivery messages and the retry schedule. Pure: no I/O.

One message on the deliveries queue is one pending POST of one event to one hook. It carries
the exact body to sign (so every attempt sends the same bytes) but never the hook's secret:
the webhook function reads the hook (secret, current target URL) when it delivers.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from typing import Any

SQS_MAX_DELAY = 900  # seconds: longer waits are done in several hops
MAX_WAIT = 24 * 3600  # a Retry-After longer than a day is capped to a day


class MalformedDelivery(ValueError):
    """A queue message that is not a delivery (a permanent error: dropped, never retried)."""


@dataclass(frozen=True, slots=True)
class Delivery:
    tenant: str
    hook_id: str
    msg_id: str  # the event id: the ``webhook-id`` of every attempt
    event_type: str
    body: str  # the JSON payload, signed as is
    attempt: int = 1  # the attempt this message is for (1-based)
    not_before: int = 0  # unix seconds: do not attempt earlier (waits longer than 900 s)
    correlation_id: str | None = None  # of the check that led to the event (for the logs)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Delivery:
        try:
            data: dict[str, Any] = json.loads(raw)
            if isinstance(data.get("delivery"), dict):
                # Parked in the dead-letter queue (``{"delivery": ..., "error": ...}``) and moved
                # back as is, e.g. by an SQS redrive: the delivery it holds.
                data = data["delivery"]
            return cls(
                tenant=str(data["tenant"]),
                hook_id=str(data["hook_id"]),
                msg_id=str(data["msg_id"]),
                event_type=str(data["event_type"]),
                body=str(data["body"]),
                attempt=int(data.get("attempt", 1)),
                not_before=int(data.get("not_before", 0)),
                correlation_id=str(data["correlation_id"]) if data.get("correlation_id") else None,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedDelivery(f"not a delivery message: {exc}") from exc

    def next_attempt(self, wait: int, now: float) -> Delivery:
        return replace(self, attempt=self.attempt + 1, not_before=int(now) + wait)

    def waiting_for(self, now: float) -> int:
        """Seconds still to wait before this attempt may run (0: go)."""
        return max(0, self.not_before - int(now))


def retry_wait(
    attempt: int, delays: tuple[int, ...], retry_after: float | None = None
) -> int | None:
    """Seconds to wait after failed ``attempt``, or None when it was the last one.

    The planned delay grows with the attempt; a ``Retry-After`` from the target (seconds, as
    ``engine.retry.retry_after_seconds`` reads the header) is honoured when it asks for longer
    (rounded up, capped at a day).
    """
    if attempt > len(delays):
        return None
    wait = delays[attempt - 1]
    if retry_after is not None:
        wait = max(wait, math.ceil(min(retry_after, MAX_WAIT)))
    return min(wait, MAX_WAIT)


def sqs_delay(wait: int) -> int:
    """The ``DelaySeconds`` of one hop towards a wait (SQS allows at most 900)."""
    return max(0, min(wait, SQS_MAX_DELAY))
