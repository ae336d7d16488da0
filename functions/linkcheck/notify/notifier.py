"""Send one event (a link's confirmed transition, a completed audit) everywhere it should go,
exactly once per channel.

Two channels, each guarded by its own published mark (``store.outbox``): ``sns`` (one publish
to the topic) and ``webhooks`` (one delivery message per matching hook of the event's tenant,
on the deliveries queue). A channel that fails raises ``NotificationPending``; the caller
reports the record as failed so the stream retries it, and the channel that already went out
is not sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ..observability import correlation_id
from ..store.hooks import HookStore
from ..store.outbox import ClaimOutcome, Outbox
from .deliveries import Delivery
from .messages import EventMessage, body_json
from .queue import DeliveryQueue
from .sns import TopicPublisher


class Channel(StrEnum):
    SNS = "sns"
    WEBHOOKS = "webhooks"


class NotificationPending(Exception):
    """A channel could not be sent now (failure, or another attempt holds it): retry later."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What one call did, per channel: ``sent``, ``already_sent`` or ``skipped``."""

    sns: str
    webhooks: str
    hooks: int = 0  # deliveries enqueued


class Notifier:
    def __init__(
        self,
        *,
        outbox: Outbox,
        publisher: TopicPublisher,
        hooks: HookStore,
        queue: DeliveryQueue,
    ) -> None:
        self._outbox = outbox
        self._publisher = publisher
        self._hooks = hooks
        self._queue = queue

    def notify(self, event: EventMessage, *, attempt: str | None = None) -> Sent:
        """``attempt``: what a retry repeats (the stream record's id), so that a retry takes the
        channels its earlier attempt had claimed without waiting for their leases."""
        if not event.notify:  # the link's owner turned notifications off (audits: never)
            return Sent(sns="skipped", webhooks="skipped")
        sns = self._once(event, Channel.SNS, lambda: self._publisher.publish(event), attempt)
        count: list[int] = [0]

        def fan_out() -> None:
            count[0] = self._fan_out(event)

        webhooks = self._once(event, Channel.WEBHOOKS, fan_out, attempt)
        return Sent(sns=sns, webhooks=webhooks, hooks=count[0])

    def _once(
        self,
        event: EventMessage,
        channel: Channel,
        send: Callable[[], object],
        attempt: str | None,
    ) -> str:
        claim = self._outbox.claim(event.tenant, event.id, channel, attempt=attempt)
        if claim.outcome is ClaimOutcome.PUBLISHED:
            return "already_sent"
        if claim.outcome is ClaimOutcome.BUSY:
            raise NotificationPending(f"{channel} of {event.id} is being sent by another attempt")
        try:
            send()
        except BaseException:
            # Whatever went wrong, give the lease back at once so the retry need not wait for
            # it to expire; the error itself propagates unchanged.
            self._outbox.release(event.tenant, event.id, channel, claim.token)
            raise
        self._outbox.mark_published(event.tenant, event.id, channel)
        return "sent"

    def _fan_out(self, event: EventMessage) -> int:
        hooks = [h for h in self._hooks.list_hooks(event.tenant) if h.wants(event.type)]
        if not hooks:
            return 0
        body = body_json(event)
        self._queue.enqueue(
            [
                Delivery(
                    tenant=event.tenant,
                    hook_id=hook.id,
                    msg_id=event.id,
                    event_type=event.type,
                    body=body,
                    correlation_id=correlation_id(),
                )
                for hook in hooks
            ]
        )
        return len(hooks)
