"""Checking links and recording what happened: the worker's logic, also used by check-now.

For each link: apply the transition rules to the new result, write its history item when it is
worth one, then the result and the new state with one conditional update (a transaction with
the event item on a confirmed transition), and ask for a delayed confirmation re-check when a
new broken/restricted verdict needs one.

A result that judged nothing (``not_checked``: the check could not start in time, or failed
unexpectedly) is never stored: the link keeps its state, counters, latest result and history,
and it goes back on the queue like a link the worker did not reach before its deadline.

Nothing is dropped under throttling. History is written before the link, so a link whose own
writes fail (after the clients' retries) has stored nothing of this check: it is re-enqueued
alone, to be checked again, and its message still counts as processed (its neighbours are not
checked twice). Only when a re-enqueue itself fails is the message reported failed, for SQS to
deliver again. Every re-enqueue adds a hop to the message; past ``MAX_HOPS`` the link is left to
its next scheduled sweep (its due time is never changed by a check).

Why one long module: recording a batch and the failure paths above (what is re-enqueued,
reported failed or left to the next sweep) are one guarantee, read in one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..domain.smartlinks import Serving, serving_for
from ..domain.transitions import Outcome, apply_result, history_worthy
from ..engine.verdict import CheckResult
from ..errors import NotFound
from ..observability import count_requeues_refused, logger
from ..settings import Settings
from ..store import (
    BatchIncomplete,
    EventFacts,
    Item,
    Link,
    LinkStore,
    ResultStore,
    event_item,
    history_item,
    serving_writes,
)
from .messages import LINKS_PER_MESSAGE, MAX_HOPS, CheckBatch, LinkRef
from .queue import CheckQueue

# Checks many URLs at once, results in input order. Not-judged results (``not_checked``: the
# worker's checks that could not start within its budget, or failed unexpectedly) are
# re-enqueued a bounded number of times; None (a caller that stopped before a URL) is
# re-enqueued as it was.
CheckMany = Callable[[Sequence[str]], Awaitable[list[CheckResult | None]]]
LEFTOVER_DELAY_SECONDS = 30  # links not reached (or not judged) go back on the queue
NOT_JUDGED_RETRIES = 3  # then a link that keeps failing to be judged waits for its next sweep
WRITE_CONCURRENCY = 16  # result writes in flight (boto3 clients are thread-safe)
SAVE_ATTEMPTS = 3  # re-read and retry when the link changed between read and write
WRITE_RETRY_DELAY_SECONDS = 30  # a link whose write failed is checked again after this

Key = tuple[str, str]  # (tenant, link id)


def requeue_delay(settings: Settings, default: int) -> int:
    """Seconds before a link put back on the queue is checked again (shorter only under
    ``linkcheck dev --faults``, so retries happen within a local run; the worker handler
    keeps that setting only where ``devmode`` is on)."""
    dev = settings.dev_requeue_delay_seconds
    return dev if dev is not None else default


@dataclass(slots=True)
class Recorder:
    """Applies results to links; collects confirmations to send together."""

    store: LinkStore
    results: ResultStore
    queue: CheckQueue
    settings: Settings
    confirmations: list[LinkRef] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)  # event types written

    def history_for(self, link: Link, result: CheckResult, *, is_confirmation: bool) -> Item | None:
        """The history item this result gets, or None (not judged, or not worth one).

        Computed from the link as read, before anything is written; its key carries the
        version the link will have once this result is saved.
        """
        if not result.judged:
            return None
        outcome = self._outcome(link, result, is_confirmation)
        before = link.last_result
        previous = (str(before["status"]), str(before["reason"])) if before else None
        every = self.settings.history_every_check
        if not history_worthy(
            previous, result.status.value, result.reason.value, outcome, every=every
        ):
            return None
        return history_item(
            link.tenant,
            link.id,
            result,
            state=outcome.tracking.state.value,
            seq=link.version + 1,
            retention_days=self.settings.history_retention_days,
        )

    def record(
        self,
        link: Link,
        result: CheckResult,
        *,
        is_confirmation: bool,
        correlation: str | None = None,
    ) -> Outcome | None:
        """Store one result: its history item first (when worth one), then the link.

        Returns None when the link was deleted meanwhile. ``correlation``: the id of the sweep
        or request that asked for this check (written into the event item); defaults to the
        current one. A result that judged nothing is not stored: the outcome is the link's
        tracking, unchanged. Raises when a write fails (``BatchIncomplete``, botocore errors).
        """
        history = self.history_for(link, result, is_confirmation=is_confirmation)
        if history is not None:
            self.results.put_many([history])
        return self.save(link, result, is_confirmation=is_confirmation, correlation=correlation)

    def save(
        self,
        link: Link,
        result: CheckResult,
        *,
        is_confirmation: bool,
        correlation: str | None = None,
    ) -> Outcome | None:
        """The link's own write (history already written): re-read and re-applied when the
        link changed between read and write; None when it was deleted meanwhile."""
        if not result.judged:
            return Outcome(tracking=link.tracking)
        first = link
        for attempt in range(SAVE_ATTEMPTS):
            if attempt:
                try:
                    link = self.store.get(link.tenant, link.id)
                except NotFound:
                    return None
                self._rekey_history(first, link, result, is_confirmation)
            outcome = self._outcome(link, result, is_confirmation)
            serving = self._serving(link, outcome)
            event = self._event(link, result, outcome, correlation, serving)
            # The smart links this link is the target of switch in the same transaction as
            # its state: never one without the other, never twice.
            also = serving_writes(self.store.table, link, serving) if serving else []
            if self.store.save_check(link, result, outcome, event_item=event, also=also):
                if outcome.event is not None:
                    self.transitions.append(outcome.event.value)
                if outcome.confirm:
                    self.confirmations.append(LinkRef(tenant=link.tenant, link_id=link.id))
                return outcome
        raise RuntimeError(f"link {link.id} kept changing; giving up on this result")

    def _rekey_history(
        self, first: Link, current: Link, result: CheckResult, is_confirmation: bool
    ) -> None:
        """The link changed under this result (another check was saved meanwhile): its history
        item, written under the version it would have had, moves to the version it will."""
        if current.version == first.version:
            return
        stale = self.history_for(first, result, is_confirmation=is_confirmation)
        fresh = self.history_for(current, result, is_confirmation=is_confirmation)
        self.results.replace(stale, fresh)

    def _outcome(self, link: Link, result: CheckResult, is_confirmation: bool) -> Outcome:
        return apply_result(
            link.tracking,
            result.status,
            checked_at=result.checked_at,
            is_confirmation=is_confirmation,
            down_after=self.settings.down_after_failures,
        )

    @staticmethod
    def _serving(link: Link, outcome: Outcome) -> Serving | None:
        """What the link's smart links serve after a confirmed transition (None: no
        transition, or no smart link has this link as its target)."""
        if outcome.event is None or not link.smart_targets:
            return None
        return serving_for(outcome.tracking.state)

    def _event(
        self,
        link: Link,
        result: CheckResult,
        outcome: Outcome,
        correlation: str | None,
        serving: Serving | None = None,
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
            smartlinks=[(slug, serving.value) for slug in link.smart_targets] if serving else (),
        )

    def flush(self, hops: int = 0) -> None:
        """Send the collected confirmation re-checks (delayed), as messages of ``hops``."""
        if self.confirmations:
            self.queue.send_links(
                self.confirmations,
                confirm=True,
                delay_seconds=self.settings.confirm_delay_seconds,
                hops=hops,
            )
            self.confirmations = []


@dataclass(frozen=True, slots=True)
class BatchReport:
    checked: int
    missing: int  # links deleted since they were enqueued
    deferred: int  # not reached before the deadline, or not judged: re-enqueued
    failed_messages: list[str]
    dropped: int = 0  # not judged NOT_JUDGED_RETRIES times in a row: left to the next sweep
    write_failed: int = 0  # their write failed: re-enqueued alone, to be checked again
    hop_limited: int = 0  # not re-enqueued (MAX_HOPS reached): left to the next sweep


@dataclass(frozen=True, slots=True, order=True)
class _Requeue:
    """One group of links going back on the queue as messages of one kind."""

    kind: str  # confirm | deferred | write_failed (logs and metrics)
    confirm: bool
    retries: int
    hops: int
    delay: int
    per_message: int


@dataclass(slots=True)
class _Requeues:
    """Links to put back on the queue, grouped by message kind; refused past MAX_HOPS."""

    hops_of: Mapping[Key, int]
    correlation_of: Mapping[Key, str | None]
    groups: dict[_Requeue, list[LinkRef]] = field(default_factory=dict)
    refused: Counter[str] = field(default_factory=Counter)

    def add(
        self,
        ref: LinkRef,
        kind: str,
        *,
        confirm: bool,
        retries: int = 0,
        delay: int,
        alone: bool = False,
    ) -> None:
        key = (ref.tenant, ref.link_id)
        hops = self.hops_of.get(key, 0) + 1
        if hops > MAX_HOPS:
            # The link is not lost: its due time is unchanged, so its next sweep enqueues it.
            logger.warning(
                "re-enqueue refused: too many hops; the link waits for its next sweep",
                extra={
                    "link_id": ref.link_id,
                    "chain_correlation_id": self.correlation_of.get(key),
                    "hops": hops - 1,
                    "kind": kind,
                },
            )
            self.refused[kind] += 1
            return
        group = _Requeue(kind, confirm, retries, hops, delay, 1 if alone else LINKS_PER_MESSAGE)
        self.groups.setdefault(group, []).append(ref)

    def send(self, queue: CheckQueue) -> set[Key]:
        """Send every group; returns the links whose message could not be sent."""
        unsent: set[Key] = set()
        for group, refs in sorted(self.groups.items()):
            try:
                queue.send_links(
                    refs,
                    confirm=group.confirm,
                    delay_seconds=group.delay,
                    retries=group.retries,
                    hops=group.hops,
                    per_message=group.per_message,
                )
            except Exception as exc:  # throttled SQS (after retries), QueueError...
                logger.warning(
                    "re-enqueue failed: the messages of these links will be retried",
                    extra={"kind": group.kind, "links": len(refs), "error": repr(exc)[:300]},
                )
                unsent.update((ref.tenant, ref.link_id) for ref in refs)
        count_requeues_refused(self.refused)
        return unsent


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
    correlation_of: dict[Key, str | None] = {}
    retries_of: dict[Key, int] = {}
    hops_of: dict[Key, int] = {}
    for message_id, batch in batches:
        for ref in batch.links:
            key = (ref.tenant, ref.link_id)
            correlation_of[key] = (correlations or {}).get(message_id)
            retries_of[key] = batch.retries
            hops_of[key] = max(hops_of.get(key, 0), batch.hops)
    confirm_keys = {
        (ref.tenant, ref.link_id) for _, batch in batches if batch.confirm for ref in batch.links
    }
    keys = [(ref.tenant, ref.link_id) for _, batch in batches for ref in batch.links]
    try:
        links = recorder.store.get_many(keys)  # deleted links are simply not checked
    except BatchIncomplete as exc:
        # Nothing checked yet: every message goes back to SQS (never taken for deleted links).
        logger.warning(
            "links could not be read: the messages will be retried", extra={"error": str(exc)}
        )
        return BatchReport(
            checked=0, missing=0, deferred=0, failed_messages=[m for m, _ in batches]
        )
    ordered = list(links.values())
    results = await check_many([link.url for link in ordered])
    requeues = _Requeues(hops_of=hops_of, correlation_of=correlation_of)
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
        requeues.add(
            ref,
            "deferred",
            confirm=key in confirm_keys,
            retries=retries,
            delay=requeue_delay(recorder.settings, LEFTOVER_DELAY_SECONDS),
        )

    write_failed = _record_all(recorder, done, confirm_keys, correlation_of)
    for tenant, link_id in sorted(write_failed):
        requeues.add(
            LinkRef(tenant=tenant, link_id=link_id),
            "write_failed",
            confirm=(tenant, link_id) in confirm_keys,
            retries=retries_of.get((tenant, link_id), 0),
            delay=requeue_delay(recorder.settings, WRITE_RETRY_DELAY_SECONDS),
            alone=True,
        )
    for ref in recorder.confirmations:
        requeues.add(ref, "confirm", confirm=True, delay=recorder.settings.confirm_delay_seconds)
    recorder.confirmations = []
    unsent = requeues.send(recorder.queue)
    failed = [
        message_id
        for message_id, batch in batches
        if any((ref.tenant, ref.link_id) in unsent for ref in batch.links)
    ]
    return BatchReport(
        checked=len(done) - len(write_failed),
        missing=len(set(keys)) - len(links),
        deferred=sum(
            len(refs) for group, refs in requeues.groups.items() if group.kind == "deferred"
        ),
        failed_messages=failed,
        dropped=dropped,
        write_failed=len(write_failed),
        hop_limited=sum(requeues.refused.values()),
    )


def _record_all(
    recorder: Recorder,
    done: Sequence[tuple[Link, CheckResult]],
    confirm_keys: set[Key],
    correlation_of: Mapping[Key, str | None],
) -> set[Key]:
    """Write every result: history items first (25 per request), then each link; returns the
    links whose own write failed (nothing of their check is stored on the link)."""
    failed: set[Key] = set()
    history: dict[str, Key] = {}  # history pk -> its link
    items: list[Item] = []
    for link, result in done:
        item = recorder.history_for(
            link, result, is_confirmation=(link.tenant, link.id) in confirm_keys
        )
        if item is not None:
            items.append(item)
            history[item["pk"]["S"]] = (link.tenant, link.id)
    try:
        recorder.results.put_many(items)
    except BatchIncomplete as exc:
        failed.update(history[item["pk"]["S"]] for item in exc.unprocessed)
    except Exception as exc:  # throttled after the client's retries: which were written?
        logger.warning("history write failed", extra={"error": repr(exc)[:300]})
        failed.update(history.values())  # unknown: check them all again (puts are idempotent)

    def save(pair: tuple[Link, CheckResult]) -> None:
        link, result = pair
        key = (link.tenant, link.id)
        if key in failed:
            return
        try:
            recorder.save(
                link,
                result,
                is_confirmation=key in confirm_keys,
                correlation=correlation_of.get(key),
            )
        except Exception as exc:  # throttled after the client's retries, kept changing...
            logger.warning(
                "link write failed: the link will be checked again",
                extra={"link_id": link.id, "error": repr(exc)[:300]},
            )
            failed.add(key)

    # Writes are independent per link: a few in flight at once keep the invocation short.
    with ThreadPoolExecutor(max_workers=WRITE_CONCURRENCY) as pool:
        list(pool.map(save, done))
    return failed
