"""Checking links and recording what happened: the worker's logic, also used by check-now.

For each link: apply the transition rules to the new result, write the result and the new
state with one conditional update (a transaction with the event item on a confirmed
transition), record history when it is worth it, and ask for a delayed confirmation re-check
when a new broken/restricted verdict needs one.

A result that judged nothing (``not_checked``: the check could not start in time, or failed
unexpectedly) is never stored: the link keeps its state, counters, latest result and history,
and it goes back on the queue like a link the worker did not reach before its deadline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..engine.verdict import CheckResult
from ..errors import NotFound
from ..settings import Settings
from ..store._dynamo import Item
from ..store.events import EventFacts, event_item
from ..store.links import Link, LinkStore
from ..store.results import ResultStore, history_item
from .messages import CheckBatch, LinkRef
from .queue import CheckQueue
from .transitions import Outcome, apply_result, history_worthy

# Checks many URLs at once, results in input order. Not-judged results (``not_checked``: the
# worker's checks that could not start within its budget, or failed unexpectedly) are
# re-enqueued a bounded number of times; None (a caller that stopped before a URL) is
# re-enqueued as it was.
CheckMany = Callable[[Sequence[str]], Awaitable[list[CheckResult | None]]]
LEFTOVER_DELAY_SECONDS = 30  # links not reached (or not judged) go back on the queue
NOT_JUDGED_RETRIES = 3  # then a link that keeps failing to be judged waits for its next sweep
WRITE_CONCURRENCY = 16  # result writes in flight (boto3 clients are thread-safe)
SAVE_ATTEMPTS = 3  # re-read and retry when the link changed between read and write


@dataclass(slots=True)
class Recorder:
    """Applies results to links; collects history items and confirmations to flush together."""

    store: LinkStore
    results: ResultStore
    queue: CheckQueue
    settings: Settings
    history: list[Item] = field(default_factory=list)
    confirmations: list[LinkRef] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)  # event types written

    def record(
        self,
        link: Link,
        result: CheckResult,
        *,
        is_confirmation: bool,
        correlation: str | None = None,
    ) -> Outcome | None:
        """Store one result on its link; None when the link was deleted meanwhile.

        ``correlation``: the id of the sweep or request that asked for this check (written
        into the event item); defaults to the current one. A result that judged nothing is
        not stored: the outcome is the link's tracking, unchanged.
        """
        if not result.judged:
            return Outcome(tracking=link.tracking)
        for attempt in range(SAVE_ATTEMPTS):
            if attempt:
                try:
                    link = self.store.get(link.tenant, link.id)
                except NotFound:
                    return None
            previous = link.last_result
            outcome = apply_result(
                link.tracking,
                result.status,
                checked_at=result.checked_at,
                is_confirmation=is_confirmation,
                down_after=self.settings.down_after_failures,
            )
            event = self._event(link, result, outcome, correlation)
            if self.store.save_check(link, result, outcome, event_item=event):
                self._after_save(link, result, outcome, previous)
                return outcome
        raise RuntimeError(f"link {link.id} kept changing; giving up on this result")

    def _event(
        self, link: Link, result: CheckResult, outcome: Outcome, correlation: str | None
    ) -> Item | None:
        if outcome.event is None or outcome.previous is None:
            return None
        facts = EventFacts(
            tenant=link.tenant,
            link_id=link.id,
            url=link.url,
            host=link.host,
            notify=link.notify,
            tags=tuple(link.tags),
        )
        return event_item(
            facts,
            type_=outcome.event.value,
            result=result,
            previous=outcome.previous.value,
            state=outcome.tracking.state.value,
            retention_days=self.settings.history_retention_days,
            correlation=correlation,
        )

    def _after_save(
        self, link: Link, result: CheckResult, outcome: Outcome, previous: dict[str, object] | None
    ) -> None:
        if outcome.event is not None:
            self.transitions.append(outcome.event.value)
        before = (str(previous["status"]), str(previous["reason"])) if previous else None
        every = self.settings.history_every_check
        if history_worthy(before, result.status.value, result.reason.value, outcome, every=every):
            self.history.append(
                history_item(
                    link.tenant,
                    link.id,
                    result,
                    state=outcome.tracking.state.value,
                    seq=link.version,
                    retention_days=self.settings.history_retention_days,
                )
            )
        if outcome.confirm:
            self.confirmations.append(LinkRef(tenant=link.tenant, link_id=link.id))

    def flush(self) -> None:
        """Write collected history (25 per request) and send confirmation re-checks (delayed)."""
        if self.history:
            self.results.put_many(self.history)
            self.history = []
        if self.confirmations:
            self.queue.send_links(
                self.confirmations,
                confirm=True,
                delay_seconds=self.settings.confirm_delay_seconds,
            )
            self.confirmations = []


@dataclass(frozen=True, slots=True)
class BatchReport:
    checked: int
    missing: int  # links deleted since they were enqueued
    deferred: int  # not reached before the deadline, or not judged: re-enqueued
    failed_messages: list[str]
    dropped: int = 0  # not judged NOT_JUDGED_RETRIES times in a row: left to the next sweep


async def process_batches(
    batches: Sequence[tuple[str, CheckBatch]],
    recorder: Recorder,
    check_many: CheckMany,
    correlations: Mapping[str, str | None] | None = None,
) -> BatchReport:
    """Check every link of the messages at once (the engine keeps per-host politeness across the
    whole set) and record the results. Returns the ids of messages that must be retried.

    ``correlations``: message id -> correlation id, carried into the event items of its links.
    """
    correlation_of = {
        (ref.tenant, ref.link_id): (correlations or {}).get(message_id)
        for message_id, batch in batches
        for ref in batch.links
    }
    confirm_keys = {
        (ref.tenant, ref.link_id) for _, batch in batches if batch.confirm for ref in batch.links
    }
    retries_of = {
        (ref.tenant, ref.link_id): batch.retries for _, batch in batches for ref in batch.links
    }
    keys = [(ref.tenant, ref.link_id) for _, batch in batches for ref in batch.links]
    links = recorder.store.get_many(keys)  # deleted links are simply not checked
    ordered = list(links.values())
    results = await check_many([link.url for link in ordered])
    failed_keys: set[tuple[str, str]] = set()
    # (confirm, retries) -> links to put back on the queue
    leftovers: dict[tuple[bool, int], list[LinkRef]] = {}
    dropped = 0
    done: list[tuple[Link, CheckResult]] = []
    for link, result in zip(ordered, results, strict=True):
        key = (link.tenant, link.id)
        retries = retries_of.get(key, 0)
        if result is not None and result.judged:
            done.append((link, result))
            continue
        if result is not None:  # judged nothing: try again soon, a bounded number of times
            if retries >= NOT_JUDGED_RETRIES:
                dropped += 1
                continue
            retries += 1
        ref = LinkRef(tenant=link.tenant, link_id=link.id)
        leftovers.setdefault((key in confirm_keys, retries), []).append(ref)

    def record(pair: tuple[Link, CheckResult]) -> None:
        link, result = pair
        key = (link.tenant, link.id)
        try:
            recorder.record(
                link,
                result,
                is_confirmation=key in confirm_keys,
                correlation=correlation_of.get(key),
            )
        except RuntimeError:
            failed_keys.add(key)

    # Writes are independent per link: a few in flight at once keep the invocation short.
    with ThreadPoolExecutor(max_workers=WRITE_CONCURRENCY) as pool:
        list(pool.map(record, done))
    recorder.flush()
    for (confirm, retries), refs in sorted(leftovers.items()):
        recorder.queue.send_links(
            refs, confirm=confirm, delay_seconds=LEFTOVER_DELAY_SECONDS, retries=retries
        )
    deferred = sum(len(refs) for refs in leftovers.values())
    failed = [
        message_id
        for message_id, batch in batches
        if any((ref.tenant, ref.link_id) in failed_keys for ref in batch.links)
    ]
    return BatchReport(
        checked=len(done),
        missing=len(set(keys)) - len(links),
        deferred=deferred,
        failed_messages=failed,
        dropped=dropped,
    )
