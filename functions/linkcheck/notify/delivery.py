"""One attempt of one webhook delivery, and what happens next.

- 2xx: delivered.
- 410 Gone: the subscriber is gone for good (Zapier: the zap was turned off): remove the hook.
- anything else (3xx, 4xx, 5xx, timeout, refused target): retry after a growing delay (or the
  target's ``Retry-After`` when longer); after the last attempt, the dead-letter queue.
Waits longer than SQS's 900 s are done in hops: the message carries ``not_before`` and is put
back, unattempted, until that time has come.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from ..engine.retry import retry_after_seconds
from ..store.hooks import HookStore
from .deliveries import Delivery, retry_wait
from .queue import DeliveryQueue
from .sender import WebhookSender
from .signing import signature_headers


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY_SCHEDULED = "retry_scheduled"
    DEAD_LETTERED = "dead_lettered"
    HOOK_REMOVED = "hook_removed"  # the target answered 410
    HOOK_MISSING = "hook_missing"  # unsubscribed meanwhile: nothing to deliver
    WAITING = "waiting"  # not due yet: put back for another hop


class Deliverer:
    def __init__(
        self,
        *,
        hooks: HookStore,
        queue: DeliveryQueue,
        sender: WebhookSender,
        retry_delays: tuple[int, ...],
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._hooks = hooks
        self._queue = queue
        self._sender = sender
        self._delays = retry_delays
        self._clock = clock or time.time  # looked up now: a skewed local clock applies

    def deliver(self, delivery: Delivery) -> DeliveryOutcome:
        now = self._clock()
        still = delivery.waiting_for(now)
        if still > 0:
            self._queue.schedule(delivery, still)
            return DeliveryOutcome.WAITING
        hook = self._hooks.get(delivery.tenant, delivery.hook_id)
        if hook is None:
            return DeliveryOutcome.HOOK_MISSING

        body = delivery.body.encode("utf-8")
        headers = signature_headers(hook.secret, delivery.msg_id, body, timestamp=int(now))
        result = self._sender.post(hook.target_url, headers, body)

        if result.delivered:
            self._hooks.record_delivery(hook.tenant, hook.id, f"delivered ({result.describe()})")
            return DeliveryOutcome.DELIVERED
        if result.gone:
            self._hooks.delete(hook.tenant, hook.id)
            return DeliveryOutcome.HOOK_REMOVED

        why = f"attempt {delivery.attempt} failed: {result.describe()}"
        self._hooks.record_delivery(hook.tenant, hook.id, why)
        wait = retry_wait(
            delivery.attempt, self._delays, retry_after_seconds(result.retry_after, now=now)
        )
        if wait is None:
            self._queue.dead_letter(delivery, why)
            return DeliveryOutcome.DEAD_LETTERED
        self._queue.schedule(delivery.next_attempt(wait, now), wait)
        return DeliveryOutcome.RETRY_SCHEDULED
