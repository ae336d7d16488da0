"""The sweep on moto: only due links are enqueued, never twice, reads follow the due index."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest

from linkcheck.domain.schedule import SHARDS
from linkcheck.handlers import sweep as sweep_handler
from linkcheck.store import LinkStore, NewLink, SweepState
from linkcheck.sweeps.enqueue import run_sweep
from linkcheck.sweeps.messages import CheckBatch
from linkcheck.sweeps.queue import CheckQueue

EVENTS = Path(__file__).resolve().parents[2] / "events"
T0 = 1_900_000_000
DAY = 86400


def drain(queue_url: str) -> list[CheckBatch]:
    sqs = boto3.client("sqs")
    batches: list[CheckBatch] = []
    for _ in range(100):
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return batches
        for message in got:
            batches.append(CheckBatch.model_validate_json(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return batches


def enqueued_ids(batches: list[CheckBatch]) -> list[str]:
    return [ref.link_id for batch in batches for ref in batch.links]


def new(i: int, interval: int = DAY) -> NewLink:
    return NewLink(url=f"https://example.com/{i}", host="example.com", interval=interval)


@pytest.mark.slow
def test_only_due_links_are_enqueued(aws_env: dict[str, str]) -> None:
    store, state, queue = LinkStore(), SweepState(), CheckQueue()
    url = aws_env["CHECKS_QUEUE_URL"]
    old, _ = store.register("acme", new(1), now=T0 - 3000)
    run_sweep(state, queue, now=T0)  # first sweep: picks up the old link
    assert enqueued_ids(drain(url)) == [old.id]

    fresh, _ = store.register("acme", new(2), now=T0)
    hourly, _ = store.register("acme", new(3, interval=3600), now=T0)
    report = run_sweep(state, queue, now=T0 + 400)
    assert sorted(enqueued_ids(drain(url))) == sorted([fresh.id, hourly.id])
    assert report.links == 2 and report.messages == 1
    # One query per interval in use, shard and phase range: proportional to the window.
    assert report.queries == 2 * SHARDS

    # An hour later only the hourly link is due again; the daily ones wait for tomorrow.
    run_sweep(state, queue, now=T0 + 3600 + 400)
    assert enqueued_ids(drain(url)) == [hourly.id]
    run_sweep(state, queue, now=T0 + DAY + 400)
    assert sorted(enqueued_ids(drain(url))) == sorted([old.id, fresh.id, hourly.id])


def test_a_deleted_or_rescheduled_link_is_not_swept_twice(aws_env: dict[str, str]) -> None:
    store, state, queue = LinkStore(), SweepState(), CheckQueue()
    url = aws_env["CHECKS_QUEUE_URL"]
    run_sweep(state, queue, now=T0 - 10)
    gone, _ = store.register("acme", new(1), now=T0)
    moved, _ = store.register("acme", new(2), now=T0)
    store.delete("acme", gone.id)
    store.update("acme", moved.id, now=T0 + 100, interval=3600)
    run_sweep(state, queue, now=T0 + 500)
    assert enqueued_ids(drain(url)) == [moved.id]


@pytest.mark.slow
def test_two_concurrent_sweeps_never_enqueue_a_link_twice(aws_env: dict[str, str]) -> None:
    store, state, url = LinkStore(), SweepState(), aws_env["CHECKS_QUEUE_URL"]
    run_sweep(state, CheckQueue(), now=T0 - 10)
    store.register_many("acme", [new(i) for i in range(120)], now=T0)
    reports: list[Any] = []

    def sweep() -> None:
        # Separate clients, as two Lambda invocations would have.
        mine = SweepState(client=boto3.client("dynamodb"))
        reports.append(run_sweep(mine, CheckQueue(client=boto3.client("sqs")), now=T0 + 400))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    ids = enqueued_ids(drain(url))
    assert len(ids) == 120 == len(set(ids))
    # Either the second sweep lost the lease, or it ran after the first and found its window
    # already covered: never both enqueueing.
    assert len(reports) == 2 and sorted(r.links for r in reports) == [0, 120]
    # A later overlapping sweep over the same time finds the window already covered.
    assert run_sweep(state, CheckQueue(), now=T0 + 400).links == 0


def test_the_scheduled_event_runs_the_sweep(aws_env: dict[str, str]) -> None:
    event = json.loads((EVENTS / "sweep-scheduled.json").read_text())
    summary = sweep_handler.handler(event, None)
    assert summary["acquired"] is True and summary["links"] == 0
