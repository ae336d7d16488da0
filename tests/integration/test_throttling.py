"""Nothing is silently dropped under throttling: the sweep's processing on moto, with DynamoDB
and SQS throttling injected into the real boto3 clients (tests/integration/throttle.py).

Each case ends the same way: every due link is checked and its result and history written
(after a retry), or its message is reported failed for SQS to deliver again. The checks
themselves are given (``process_batches`` takes the function that checks a batch), so each case
sees exactly the results it names; a message is "delivered" by receiving it from the real queue.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from linkcheck import aws
from linkcheck.awsretry import MAX_ATTEMPTS
from linkcheck.engine.verdict import CheckResult, Reason, Status
from linkcheck.handlers import worker
from linkcheck.settings import get_settings
from linkcheck.store import (
    BATCH_ATTEMPTS,
    BatchIncomplete,
    Link,
    LinkStore,
    NewLink,
    ResultStore,
    SweepState,
    _table,
    history_item,
)
from linkcheck.store._table import BATCH_BACKOFF_CAP
from linkcheck.store.sweep_state import QUERY_ATTEMPTS
from linkcheck.sweeps import process
from linkcheck.sweeps.enqueue import run_sweep
from linkcheck.sweeps.messages import MAX_HOPS, CheckBatch, LinkRef
from linkcheck.sweeps.process import BatchReport, Recorder
from linkcheck.sweeps.queue import CheckQueue
from tests.e2e.servers import Reply, ScriptedServer
from tests.integration import throttle

DAY = 86400
T0 = 1_900_000_000


@pytest.fixture()
def env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # Re-enqueued links are visible at once; every check is worth a history item, so "every
    # history item written" is visible per check.
    monkeypatch.setattr(process, "LEFTOVER_DELAY_SECONDS", 0)
    monkeypatch.setattr(process, "WRITE_RETRY_DELAY_SECONDS", 0)
    monkeypatch.setenv("CONFIRM_DELAY_SECONDS", "0")
    monkeypatch.setenv("HISTORY_EVERY_CHECK", "1")
    get_settings.cache_clear()
    return aws_env


@dataclass
class World:
    """The stores and the queue on single-attempt clients that throttle on demand."""

    queue_url: str
    dynamodb: throttle.Throttle
    sqs: throttle.Throttle
    recorder: Recorder
    pauses: list[float] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # every URL checked, in order

    async def check_many(self, urls: Sequence[str]) -> list[CheckResult | None]:
        self.checked.extend(urls)
        return [ok(url) for url in urls]

    def run(
        self,
        batches: list[tuple[str, CheckBatch]],
        correlations: dict[str, str | None] | None = None,
    ) -> BatchReport:
        return asyncio.run(
            process.process_batches(batches, self.recorder, self.check_many, correlations)
        )

    def deliver(self, rounds: int = 10) -> list[str]:
        """Run the worker on the queue until it is empty; returns the failed message ids."""
        sqs = boto3.client("sqs")
        failed: list[str] = []
        for _ in range(rounds):
            got = sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
            ).get("Messages", [])
            if not got:
                return failed
            batches = [(m["MessageId"], CheckBatch.model_validate_json(m["Body"])) for m in got]
            report = self.run(batches)
            failed.extend(report.failed_messages)
            for message in got:
                if message["MessageId"] not in report.failed_messages:
                    sqs.delete_message(
                        QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
        return failed


@pytest.fixture()
def world(env: dict[str, str]) -> World:
    dynamodb, sqs = throttle.client("dynamodb"), throttle.client("sqs")
    store, results = LinkStore(client=dynamodb), ResultStore(client=dynamodb)
    recorder = Recorder(
        store=store, results=results, queue=CheckQueue(client=sqs), settings=get_settings()
    )
    made = World(
        queue_url=env["CHECKS_QUEUE_URL"],
        dynamodb=throttle.Throttle(dynamodb),
        sqs=throttle.Throttle(sqs),
        recorder=recorder,
    )
    store.sleep = results.sleep = made.pauses.append  # record the backoff, do not wait
    return made


def ok(url: str) -> CheckResult:
    return CheckResult(url=url, status=Status.OK, reason=Reason.HTTP_2XX, detail="200 OK")


def register(count: int, *, now: int | None = None, interval: int = 3600) -> list[Link]:
    store = LinkStore()
    when = int(time.time()) if now is None else now
    return [
        store.register(
            "acme",
            NewLink(url=f"https://example.com/{i}", host="example.com", interval=interval),
            now=when,
        )[0]
        for i in range(count)
    ]


def message(links: list[Link], **fields: Any) -> CheckBatch:
    return CheckBatch(links=[LinkRef(tenant=lk.tenant, link_id=lk.id) for lk in links], **fields)


def queued() -> list[dict[str, Any]]:
    got = boto3.client("sqs").receive_message(
        QueueUrl=get_settings().checks_queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def checks_of(link: Link) -> int:
    return LinkStore().get(link.tenant, link.id).checks


def history_of(link: Link) -> list[dict[str, Any]]:
    return ResultStore().history(link.tenant, link.id).results


def link_update_of(link: Link) -> Any:
    """The link's own write: an UpdateItem, or (a change of state, such as the first judged
    result of a new link) a TransactWriteItems holding it."""

    def of_link(params: dict[str, Any]) -> bool:
        return params.get("Key", {}).get("sk", {}).get("S") == f"LINK#{link.id}"

    return lambda params: (
        of_link(params)
        or any(of_link(item.get("Update", {})) for item in params.get("TransactItems", []))
    )


# ------------------------------------------------------------------ BatchGetItem


def test_unprocessed_keys_are_asked_again_after_a_growing_pause(world: World) -> None:
    links = register(4)
    world.dynamodb.leave_unprocessed("BatchGetItem", calls=2)
    found = world.recorder.store.get_many([(lk.tenant, lk.id) for lk in links])
    assert sorted(found) == sorted((lk.tenant, lk.id) for lk in links)
    assert world.dynamodb.calls["BatchGetItem"] == 3
    assert len(world.pauses) == 2 and all(0 <= p <= BATCH_BACKOFF_CAP for p in world.pauses)


def test_keys_still_unprocessed_fail_every_message_and_nothing_is_skipped(world: World) -> None:
    links = register(4)
    world.dynamodb.leave_unprocessed("BatchGetItem", calls=None)
    with pytest.raises(BatchIncomplete) as caught:
        world.recorder.store.get_many([(lk.tenant, lk.id) for lk in links])
    assert caught.value.unprocessed  # never mistaken for deleted links
    assert len(world.pauses) == BATCH_ATTEMPTS - 1

    report = world.run([("m1", message(links[:2])), ("m2", message(links[2:]))])
    assert report.failed_messages == ["m1", "m2"] and world.checked == []
    assert [checks_of(lk) for lk in links] == [0, 0, 0, 0]

    world.dynamodb.clear()  # throttling ends; SQS delivers both messages again
    report = world.run([("m1", message(links[:2])), ("m2", message(links[2:]))])
    assert report.failed_messages == [] and report.checked == 4
    assert [checks_of(lk) for lk in links] == [1, 1, 1, 1]


# ------------------------------------------------------------------ BatchWriteItem


def test_unprocessed_history_items_are_written_after_a_pause(world: World) -> None:
    link = register(1)[0]
    items = [
        history_item("acme", link.id, ok(link.url), state="ok", seq=n, retention_days=1)
        for n in range(30)  # two BatchWriteItem requests
    ]
    world.dynamodb.leave_unprocessed("BatchWriteItem", calls=3)
    world.recorder.results.put_many(items)
    assert len(ResultStore().history("acme", link.id, limit=100).results) == 30
    assert len(world.pauses) == 3


def test_history_still_unprocessed_re_enqueues_its_link_alone(world: World) -> None:
    links = register(4)
    world.dynamodb.leave_unprocessed("BatchWriteItem", calls=None)
    report = world.run([("m1", message(links))])

    # The message is done; the one link whose history could not be written stored nothing
    # and is back on the queue alone, to be checked again.
    assert report.failed_messages == [] and report.write_failed == 1 and report.checked == 3
    (again,) = queued()
    assert len(again["links"]) == 1 and again["hops"] == 1
    failed = next(lk for lk in links if lk.id == again["links"][0]["link_id"])
    assert checks_of(failed) == 0 and history_of(failed) == []

    world.dynamodb.clear()
    assert world.deliver() == []
    for link in links:  # every link checked and written once, every history item present
        assert checks_of(link) == 1 and len(history_of(link)) == 1
    assert world.checked.count(failed.url) == 2 and len(world.checked) == 5


def test_a_refused_history_request_names_exactly_the_items_not_written(world: World) -> None:
    link = register(1)[0]
    items = [
        history_item("acme", link.id, ok(link.url), state="ok", seq=n, retention_days=1)
        for n in range(30)
    ]
    world.dynamodb.refuse("BatchWriteItem", "ProvisionedThroughputExceededException", calls=1)
    with pytest.raises(BatchIncomplete) as caught:
        world.recorder.results.put_many(items)
    assert caught.value.unprocessed == items[:25]  # the refused request; the next one was made
    assert len(ResultStore().history("acme", link.id, limit=100).results) == 5


def test_refused_history_writes_re_enqueue_their_links(world: World) -> None:
    links = register(3)
    world.dynamodb.refuse("BatchWriteItem", "ThrottlingException", calls=1)
    report = world.run([("m1", message(links))])
    assert report.failed_messages == [] and report.write_failed == 3
    assert sorted(len(m["links"]) for m in queued()) == [1, 1, 1]
    assert world.deliver() == []
    assert [(checks_of(lk), len(history_of(lk))) for lk in links] == [(1, 1)] * 3


# ------------------------------------------------------------------ one link's own write


def test_a_link_whose_write_fails_is_re_enqueued_alone(world: World) -> None:
    links = register(3)
    bad = links[1]
    # A new link's first judged result changes its state: its write is a transaction.
    world.dynamodb.refuse(
        "TransactWriteItems",
        "ProvisionedThroughputExceededException",
        calls=1,
        when=link_update_of(bad),
    )
    report = world.run([("m1", message(links))], {"m1": "sweep-1"})

    assert report.failed_messages == [] and report.write_failed == 1 and report.checked == 2
    assert queued() == [{"links": [{"tenant": "acme", "link_id": bad.id}], "hops": 1}]
    assert [checks_of(lk) for lk in links] == [1, 0, 1]

    assert world.deliver() == []
    assert [checks_of(lk) for lk in links] == [1, 1, 1]
    # Only the failed link was checked twice, never its neighbours. Its first check's history
    # item was written before its link write failed: both checks are in its history.
    assert [world.checked.count(lk.url) for lk in links] == [1, 2, 1]
    assert [len(history_of(lk)) for lk in links] == [1, 2, 1]


def test_a_failed_re_enqueue_fails_the_message_for_sqs_to_retry(world: World) -> None:
    links = register(3)
    bad = links[1]
    world.dynamodb.refuse(
        "TransactWriteItems", "ProvisionedThroughputExceededException", when=link_update_of(bad)
    )
    world.sqs.refuse("SendMessageBatch", "AWS.SimpleQueueService.RequestThrottled", calls=None)
    report = world.run([("m1", message(links))])
    assert report.failed_messages == ["m1"]  # nothing lost: SQS delivers it again
    assert queued() == []

    world.dynamodb.clear()
    world.sqs.clear()
    assert world.run([("m1", message(links))]).failed_messages == []
    assert all(checks_of(lk) >= 1 for lk in links) and checks_of(bad) == 1


def test_a_throttled_confirmation_send_fails_the_message(world: World) -> None:
    link = register(1)[0]
    broken = CheckResult(url=link.url, status=Status.BROKEN, reason=Reason.HTTP_404, detail="404")

    async def check_many(urls: Sequence[str]) -> list[CheckResult | None]:
        return [broken for _ in urls]

    world.sqs.refuse("SendMessageBatch", "ThrottlingException", calls=None)
    report = asyncio.run(
        process.process_batches([("m1", message([link]))], world.recorder, check_many)
    )
    assert report.failed_messages == ["m1"]  # the confirmation re-check could not be queued


# ------------------------------------------------------------------ hop counter


def test_every_re_enqueue_adds_a_hop(world: World) -> None:
    link = register(1)[0]

    async def not_reached(urls: Sequence[str]) -> list[CheckResult | None]:
        return [None for _ in urls]

    asyncio.run(
        process.process_batches([("m1", message([link], hops=3))], world.recorder, not_reached)
    )
    assert [m["hops"] for m in queued()] == [4]
    # Messages written before the counter existed count as hop 0.
    assert (
        CheckBatch.model_validate_json(
            json.dumps({"links": [{"tenant": "acme", "link_id": link.id}]})
        ).hops
        == 0
    )


def test_past_the_hop_limit_a_link_waits_for_its_next_sweep(
    world: World, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    state, queue = SweepState(), CheckQueue()
    run_sweep(state, queue, now=T0 - 10)
    link = register(1, now=T0, interval=DAY)[0]
    world.dynamodb.refuse(
        "TransactWriteItems", "ProvisionedThroughputExceededException", when=link_update_of(link)
    )
    capsys.readouterr()

    report = world.run([("m1", message([link], hops=MAX_HOPS))], {"m1": "chain-7"})

    assert report.failed_messages == [] and report.hop_limited == 1
    assert queued() == []  # not put back ...
    (warning,) = [r for r in caplog.records if "re-enqueue refused" in r.getMessage()]
    assert warning.levelname == "WARNING"
    assert vars(warning)["link_id"] == link.id
    assert vars(warning)["chain_correlation_id"] == "chain-7"
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "{" in line]
    assert [(m["kind"], m["RequeuesRefused"]) for m in metrics if "RequeuesRefused" in m] == [
        ("write_failed", [1.0])
    ]
    # ... yet not lost: its due time is unchanged, so its next sweep enqueues it.
    run_sweep(state, queue, now=T0 + DAY + 400)
    swept = [ref["link_id"] for m in queued() for ref in m["links"]]
    assert swept == [link.id]


def test_the_worker_fails_every_message_whose_links_cannot_be_read(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_table, "BATCH_BACKOFF_BASE", 0.0)  # the worker's own store: no pauses
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    with ScriptedServer() as site:
        page = Reply(200, headers={"content-type": "text/html"}, body=b"<html>hello</html>")
        site.route("/page", page)
        link, _ = LinkStore().register(
            "acme", NewLink(url=site.url("/page"), host="127.0.0.1", interval=3600), now=T0
        )
        CheckQueue().send_links([LinkRef(tenant="acme", link_id=link.id)])
        got = boto3.client("sqs").receive_message(
            QueueUrl=env["CHECKS_QUEUE_URL"], MaxNumberOfMessages=10, VisibilityTimeout=0
        )["Messages"]
        records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in got]
        throttled = throttle.Throttle(aws.dynamodb())  # the client the worker uses
        throttled.leave_unprocessed("BatchGetItem", calls=None)

        answer = worker.handler({"Records": records}, None)
        assert answer["batchItemFailures"] == [{"itemIdentifier": records[0]["messageId"]}]
        assert site.hits("/page") == [] and checks_of(link) == 0

        throttled.clear()  # SQS delivers the message again
        assert worker.handler({"Records": records}, None) == {"batchItemFailures": []}
        assert len(site.hits("/page")) >= 1 and checks_of(link) == 1


# ------------------------------------------------------------------ client configuration


def test_every_lambda_client_retries_in_standard_mode(aws_env: dict[str, str]) -> None:
    for client in (aws.dynamodb(), aws.sqs(), aws.sns()):
        assert client.meta.config.retries == {
            "mode": "standard",
            "total_max_attempts": MAX_ATTEMPTS,
        }


def test_a_sweep_that_fails_part_way_gives_its_lease_back(env: dict[str, str]) -> None:
    """Regression: a sweep whose index read failed kept the lease for its whole 330 s, so every
    due link waited that long; now the next sweep covers the same window at once."""
    dynamodb = throttle.client("dynamodb")
    throttled = throttle.Throttle(dynamodb)
    state, queue = SweepState(client=dynamodb), CheckQueue()
    run_sweep(state, queue, now=T0 - 10)
    link = register(1, now=T0, interval=DAY)[0]
    state.sleep = lambda seconds: None
    throttled.refuse("Query", "ProvisionedThroughputExceededException", calls=QUERY_ATTEMPTS)

    with pytest.raises(Exception, match="ProvisionedThroughputExceeded"):
        run_sweep(state, queue, now=T0 + 400)

    report = run_sweep(state, queue, now=T0 + 401)  # a second later, not 330 s later
    assert report.acquired
    swept = [ref["link_id"] for m in queued() for ref in m["links"]]
    assert swept == [link.id]


def test_a_throttled_index_read_is_asked_again_and_the_sweep_completes(
    env: dict[str, str],
) -> None:
    """One page of the due index refused (after the client's retries) no longer throws the
    whole sweep away: the page is asked again, from the same start key, after a pause."""
    dynamodb = throttle.client("dynamodb")
    throttled = throttle.Throttle(dynamodb)
    state, queue = SweepState(client=dynamodb), CheckQueue()
    pauses: list[float] = []
    state.sleep = pauses.append
    run_sweep(state, queue, now=T0 - 10)
    links = register(3, now=T0, interval=DAY)
    throttled.refuse("Query", "ProvisionedThroughputExceededException", calls=QUERY_ATTEMPTS - 1)

    report = run_sweep(state, queue, now=T0 + 400)

    assert report.acquired and report.links == 3
    assert len(pauses) == QUERY_ATTEMPTS - 1
    swept = sorted(ref["link_id"] for m in queued() for ref in m["links"])
    assert swept == sorted(link.id for link in links)  # each once


def test_a_sweep_whose_lease_answer_was_lost_gives_the_lease_back(env: dict[str, str]) -> None:
    """The lease write happened but its answer was lost: the lease is released all the same."""

    class LostAnswer(SweepState):
        def acquire_sweep(self, owner: str, *, now: int, lease_seconds: int) -> int | None:
            super().acquire_sweep(owner, now=now, lease_seconds=lease_seconds)
            raise RuntimeError("the answer was lost")

    queue = CheckQueue()
    run_sweep(SweepState(), queue, now=T0 - 10)
    link = register(1, now=T0, interval=DAY)[0]
    with pytest.raises(RuntimeError):
        run_sweep(LostAnswer(), queue, now=T0 + 400)

    assert run_sweep(SweepState(), queue, now=T0 + 401).acquired
    assert [ref["link_id"] for m in queued() for ref in m["links"]] == [link.id]


def test_a_result_saved_over_a_concurrent_one_keeps_one_history_item_of_its_version(
    env: dict[str, str],
) -> None:
    """Regression (found by the chaos run): the history item was keyed with the version read
    before the save; when another check was saved meanwhile the save re-read the link and
    took the next version, leaving the link's version without a history item."""
    store, results = LinkStore(), ResultStore()
    recorder = Recorder(store=store, results=results, queue=CheckQueue(), settings=get_settings())
    link = register(1)[0]
    stale = store.get(link.tenant, link.id)  # what a second worker read
    first = stale.version
    other = store.get(link.tenant, link.id)
    recorder.record(other, ok(link.url), is_confirmation=False)  # the first worker saves

    recorder.record(stale, ok(link.url), is_confirmation=False)  # the second one, over it

    assert store.get(link.tenant, link.id).version == first + 2
    from linkcheck.store.results import history_pk

    stored = boto3.client("dynamodb").query(
        TableName=env["TABLE_NAME"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": history_pk(link.tenant, link.id)}},
    )["Items"]
    versions = sorted(item["sk"]["S"].rsplit("#", 1)[-1] for item in stored)
    # one item per version it was saved as, none under a version the link never had
    assert versions == [f"{first + 1:08d}", f"{first + 2:08d}"]
