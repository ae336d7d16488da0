"""Lambda entry point: worker (SQS ``checks``) - check links, store results and transitions;
and do the audits' work (``sweeps/audits.py``: pages to read, links to check).

Messages that cannot be parsed are reported as failures (``ReportBatchItemFailures``): SQS
retries them and then moves them to the dead-letter queue (alarmed). Links not reached before
the invocation's deadline, or whose check judged nothing (``not_checked``), are re-enqueued,
never half-done; so is, alone, a link whose own write failed. A message is reported failed
only when its links could not be read or one of them could not be put back on the queue; an
audit message, when its work could not be stored or sent (``sweeps/audits.py``).

The batch stays one unit (every link of every message goes to one scheduler, so hosts are
spread and limited across the whole batch); the records are read through Powertools'
``SQSEvent`` and the failures answered in the ``batchItemFailures`` shape of its
``BatchProcessor``. The batch runs on an event loop of its own (``runner.run_apart``): recording
its results blocks between awaits, which must not stall the environment's shared loop.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSEvent, SQSRecord
from pydantic import ValidationError

from .. import runner
from ..engine import Checker, CheckResult, Page
from ..observability import (
    correlation_id_from_sqs_record,
    count_results,
    count_transitions,
    lambda_handler,
    logger,
    set_correlation_id,
)
from ..settings import get_settings
from ..store.audits import AuditStore
from ..store.links import LinkStore
from ..store.results import ResultStore
from ..sweeps.audits import AuditReport, AuditWork, Fetched, process_audits
from ..sweeps.messages import AuditMessage, CheckBatch, parse_message
from ..sweeps.process import BatchReport, Recorder, process_batches
from ..sweeps.queue import CheckQueue
from .check_options import check_options

DEADLINE_MARGIN_SECONDS = 10.0  # time kept back for writing results before Lambda's timeout
DEFAULT_BUDGET_SECONDS = 60.0  # when there is no Lambda context (local runs, tests)


def _budget(context: Any) -> float:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return DEFAULT_BUDGET_SECONDS
    return max(1.0, float(remaining()) / 1000 - DEADLINE_MARGIN_SECONDS)


def _parse(
    records: Sequence[SQSRecord],
) -> tuple[list[tuple[str, CheckBatch]], list[tuple[str, AuditMessage]], list[str]]:
    """Messages by kind: registered links, audit work; and the ids of unreadable ones."""
    batches: list[tuple[str, CheckBatch]] = []
    audits: list[tuple[str, AuditMessage]] = []
    poison: list[str] = []
    for record in records:
        try:
            message = parse_message(record.body)
        except (ValidationError, KeyError) as exc:
            logger.warning("unreadable check message", extra={"error": str(exc)[:300]})
            poison.append(str(record.get("messageId", "")))
            continue
        if isinstance(message, CheckBatch):
            batches.append((record.message_id, message))
        else:
            audits.append((record.message_id, message))
    return batches, audits, poison


async def _run(
    batches: list[tuple[str, CheckBatch]],
    audits: list[tuple[str, AuditMessage]],
    recorder: Recorder | None,
    audit_work: AuditWork | None,
    budget: float,
    correlations: dict[str, str | None],
) -> tuple[BatchReport | None, AuditReport | None]:
    deadline = time.monotonic() + budget
    async with Checker(check_options()) as checker:

        async def check_many(urls: Sequence[str]) -> list[CheckResult | None]:
            fetched = await fetch(urls, ())
            return [f.result for f in fetched]

        async def fetch(urls: Sequence[str], pages: Collection[int]) -> list[Fetched]:
            results: list[CheckResult | None] = [None] * len(urls)
            got: dict[int, Page] = {}

            def keep(index: int, result: CheckResult) -> None:
                results[index] = result

            def keep_page(index: int, page: Page) -> None:
                got[index] = page

            # Checks not started within the budget come back not_checked: re-enqueued,
            # never half-done.
            budget = max(0.1, deadline - time.monotonic())
            await checker.run_checks(urls, keep, budget=budget, pages=pages, on_page=keep_page)
            count_results(r for r in results if r is not None)
            return [Fetched(result, got.get(i)) for i, result in enumerate(results)]

        report = None
        if batches and recorder is not None:
            report = await process_batches(batches, recorder, check_many, correlations)
        audit_report = None
        if audits and audit_work is not None:
            audit_report = await process_audits(audits, audit_work, fetch)
        return report, audit_report


@lambda_handler(traced=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = list(SQSEvent(event).records)
    # Each message keeps its own id for its event items; log lines (and re-enqueued
    # confirmations) carry the first one, usually the only one: a sweep's messages share it.
    correlations = {
        str(record.get("messageId", "")): correlation_id_from_sqs_record(record.raw_event)
        for record in records
    }
    set_correlation_id(next((c for c in correlations.values() if c), None))
    batches, audits, failures = _parse(records)
    if batches or audits:
        settings = get_settings()
        queue = CheckQueue()
        recorder = None
        if batches:
            recorder = Recorder(
                store=LinkStore(), results=ResultStore(), queue=queue, settings=settings
            )
        audit_work = None
        if audits:
            audit_work = AuditWork(
                store=AuditStore(), queue=queue, links=LinkStore(), settings=settings
            )
        report, audit_report = runner.run_apart(
            _run(batches, audits, recorder, audit_work, _budget(context), correlations)
        )
        if report is not None and recorder is not None:
            count_transitions(recorder.transitions)
            failures.extend(report.failed_messages)
            logger.info(
                "checked",
                extra={
                    "checked": report.checked,
                    "missing": report.missing,
                    "deferred": report.deferred,
                    "dropped": report.dropped,
                    "write_failed": report.write_failed,
                    "hop_limited": report.hop_limited,
                    "failed_messages": len(report.failed_messages),
                    "transitions": len(recorder.transitions),
                    "correlation_ids": sorted({c for c in correlations.values() if c}),
                },
            )
        if audit_report is not None:
            failures.extend(audit_report.failed_messages)
            logger.info(
                "audited",
                extra={
                    "pages_read": audit_report.pages_read,
                    "links_checked": audit_report.links_checked,
                    "deferred": audit_report.deferred,
                    "dropped_messages": audit_report.dropped_messages,
                    "completed": audit_report.completed,
                    "failed_messages": len(audit_report.failed_messages),
                },
            )
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failures]}
