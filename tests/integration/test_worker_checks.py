"""The worker on moto against a real local HTTP server: transitions, events, history, DLQ."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from linkcheck.handlers import worker
from linkcheck.settings import get_settings
from linkcheck.store.events import EventStore
from linkcheck.store.links import Link, LinkStore, NewLink
from linkcheck.store.results import ResultStore
from linkcheck.sweeps.messages import LinkRef
from linkcheck.sweeps.queue import CheckQueue
from tests.e2e.servers import Reply, ScriptedServer

EVENTS = Path(__file__).resolve().parents[2] / "events"


class Target:
    """A local site whose answer per path the test changes (status codes only)."""

    def __init__(self) -> None:
        self.server = ScriptedServer().start()
        self.base = self.server.url("")

    def close(self) -> None:
        self.server.stop()

    def answer(self, path: str, status: int) -> None:
        body = f"<html><body>page {path} {status}</body></html>".encode()
        self.server.route(path, Reply(status, headers={"content-type": "text/html"}, body=body))

    def hits(self, path: str) -> int:
        return len(self.server.hits(path))


@pytest.fixture()
def target() -> Iterator[Target]:
    site = Target()
    yield site
    site.close()


@pytest.fixture()
def env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("CONFIRM_DELAY_SECONDS", "1")
    get_settings.cache_clear()
    return aws_env


def records(queue_url: str) -> list[dict[str, Any]]:
    """Visible messages as the SQS event source hands them to Lambda."""
    got = boto3.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [
        {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"]}
        for m in got.get("Messages", [])
    ]


def pump(queue_url: str, rounds: int = 10) -> list[dict[str, Any]]:
    """Run the worker on the queue until it is empty; returns the batch failures."""
    sqs = boto3.client("sqs")
    failures: list[dict[str, Any]] = []
    for _ in range(rounds):
        batch = records(queue_url)
        if not batch:
            break
        answer = worker.handler({"Records": batch}, None)
        failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        failures.extend(answer["batchItemFailures"])
        for record in batch:
            if record["messageId"] not in failed:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"])
    return failures


def check(link: Link, queue_url: str) -> Link:
    """What a sweep does for a due link: enqueue it; then the worker runs."""
    CheckQueue().send_links([LinkRef(tenant=link.tenant, link_id=link.id)])
    assert pump(queue_url) == []
    return LinkStore().get(link.tenant, link.id)


def register(site: Target, path: str, status: int) -> Link:
    site.answer(path, status)
    link, _ = LinkStore().register(
        "acme",
        NewLink(url=site.base + path, host="127.0.0.1", interval=3600),
        now=int(time.time()),
    )
    return link


@pytest.mark.slow
def test_a_new_404_is_confirmed_by_a_delayed_recheck(env: dict[str, str], target: Target) -> None:
    queue_url = env["CHECKS_QUEUE_URL"]
    link = check(register(target, "/page", 200), queue_url)
    assert link.tracking.state == "ok" and link.last_result
    assert link.last_result["status"] == "ok"

    target.answer("/page", 404)
    link = check(link, queue_url)
    assert link.tracking.state == "ok" and link.tracking.pending == "broken"
    assert EventStore().feed("acme").events == []
    assert records(queue_url) == []  # the confirmation is delayed...

    time.sleep(1.2)
    confirmation = records(queue_url)
    assert len(confirmation) == 1 and json.loads(confirmation[0]["body"])["confirm"] is True
    assert pump(queue_url) == []
    link = LinkStore().get("acme", link.id)
    assert link.tracking.state == "broken" and link.tracking.pending is None

    events = EventStore().feed("acme").events
    assert [e["type"] for e in events] == ["link.broken"]
    assert events[0]["previous"] == "ok" and events[0]["result"]["reason"] == "http_404"
    assert events[0]["link_id"] == link.id and events[0]["notify"] is True

    history = ResultStore().history("acme", link.id).results
    assert [(r["status"], r["state"]) for r in history] == [
        ("broken", "broken"),
        ("broken", "ok"),
        ("ok", "ok"),
    ]

    # Recovery is one ok away, and is one more event, newest first in the feed.
    target.answer("/page", 200)
    link = check(link, queue_url)
    assert link.tracking.state == "ok"
    assert [e["type"] for e in EventStore().feed("acme").events] == [
        "link.recovered",
        "link.broken",
    ]


@pytest.mark.slow
def test_a_404_that_goes_away_before_confirmation_changes_nothing(
    env: dict[str, str], target: Target
) -> None:
    queue_url = env["CHECKS_QUEUE_URL"]
    link = check(register(target, "/blip", 200), queue_url)
    target.answer("/blip", 404)
    check(link, queue_url)
    target.answer("/blip", 200)
    time.sleep(1.2)
    assert pump(queue_url) == []
    link = LinkStore().get("acme", link.id)
    assert link.tracking.state == "ok" and link.tracking.pending is None
    assert EventStore().feed("acme").events == []


def test_errors_become_down_after_three_in_a_row(env: dict[str, str], target: Target) -> None:
    queue_url = env["CHECKS_QUEUE_URL"]
    link = check(register(target, "/flaky", 200), queue_url)
    target.answer("/flaky", 501)  # a server error the engine does not retry
    for expected_failures in (1, 2):
        link = check(link, queue_url)
        assert link.tracking.state == "ok", link.last_result
        assert link.tracking.failures == expected_failures
    link = check(link, queue_url)
    assert link.tracking.state == "down"
    link = check(link, queue_url)  # still down: no second event
    assert [e["type"] for e in EventStore().feed("acme").events] == ["link.down"]


def test_blocked_never_changes_the_state(env: dict[str, str], target: Target) -> None:
    queue_url = env["CHECKS_QUEUE_URL"]
    link = check(register(target, "/guarded", 200), queue_url)
    target.answer("/guarded", 999)
    first_refusal = None
    for refusals in (1, 2, 3):
        link = check(link, queue_url)
        assert link.last_result and link.last_result["status"] == "blocked"
        assert link.tracking.state == "ok" and link.tracking.failures == 0
        first_refusal = first_refusal or link.last_result["checked_at"]
        assert link.tracking.blocked_since == first_refusal
        assert link.tracking.blocked_checks == refusals
    assert EventStore().feed("acme").events == []
    # One judged answer ends the run, and the item no longer carries it.
    target.answer("/guarded", 200)
    link = check(link, queue_url)
    assert (link.tracking.blocked_since, link.tracking.blocked_checks) == (None, 0)
    item = boto3.client("dynamodb").get_item(TableName=env["TABLE_NAME"], Key=link.key)["Item"]
    assert "blocked_since" not in item and "blocked_checks" not in item
    assert EventStore().feed("acme").events == []


def test_a_broken_link_that_turns_blocked_stays_broken(
    env: dict[str, str], target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Confirmation re-checks wait longer than the test: only the checks it asks for run.
    monkeypatch.setenv("CONFIRM_DELAY_SECONDS", "900")
    get_settings.cache_clear()
    queue_url = env["CHECKS_QUEUE_URL"]
    link = check(register(target, "/wall", 200), queue_url)
    target.answer("/wall", 404)
    link = check(check(link, queue_url), queue_url)  # the second 404 agrees: confirmed
    assert link.tracking.state == "broken"
    assert [e["type"] for e in EventStore().feed("acme").events] == ["link.broken"]

    target.answer("/wall", 999)
    for refusals in (1, 2):
        link = check(link, queue_url)
        assert link.tracking.state == "broken" and link.tracking.pending is None
        assert link.tracking.blocked_checks == refusals and link.tracking.blocked_since
    target.answer("/wall", 404)
    link = check(link, queue_url)
    assert link.tracking.state == "broken" and link.tracking.blocked_checks == 0
    # No false recovery, nor a second broken event.
    assert [e["type"] for e in EventStore().feed("acme").events] == ["link.broken"]


def test_a_deleted_link_is_skipped(env: dict[str, str], target: Target) -> None:
    queue_url = env["CHECKS_QUEUE_URL"]
    link = register(target, "/gone", 200)
    LinkStore().delete("acme", link.id)
    CheckQueue().send_links([LinkRef(tenant="acme", link_id=link.id)])
    assert pump(queue_url) == []
    assert target.hits("/gone") == 0


def test_a_poison_message_ends_in_the_dead_letter_queue(env: dict[str, str]) -> None:
    queue_url = env["CHECKS_QUEUE_URL"]
    sqs = boto3.client("sqs")
    good_and_bad = json.loads((EVENTS / "worker-poison.json").read_text())
    answer = worker.handler(good_and_bad, None)
    assert answer["batchItemFailures"] == [
        {"itemIdentifier": good_and_bad["Records"][0]["messageId"]}
    ]

    sqs.send_message(QueueUrl=queue_url, MessageBody="this is not a check batch")
    pump(queue_url, rounds=8)  # maxReceiveCount is 5: then SQS moves it aside
    dlq_url = sqs.get_queue_url(
        QueueName=queue_url.rsplit("/", 1)[1].replace("ChecksQueue", "ChecksDeadLetterQueue")
    )["QueueUrl"]
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in dead] == ["this is not a check batch"]
    assert records(queue_url) == []


def test_check_now_shows_the_run_of_refusals(env: dict[str, str], target: Target) -> None:
    from tests.integration.test_links_api import request

    link = check(register(target, "/now", 200), env["CHECKS_QUEUE_URL"])
    target.answer("/now", 999)
    path = f"/links/{link.id}/check"
    statuses, bodies = zip(*(request("api-links-check", path=path) for _ in range(2)), strict=True)
    assert statuses == (200, 200)
    first, second = bodies
    assert first["result"]["status"] == "blocked" and first["event"] is None
    assert first["link"]["blocked_checks"] == 1
    assert first["link"]["blocked_since"] == first["result"]["checked_at"]
    assert second["link"]["blocked_checks"] == 2
    assert second["link"]["blocked_since"] == first["result"]["checked_at"]
    assert second["link"]["status"] == "ok"
    status, shown = request("api-links-get", path=f"/links/{link.id}")
    assert status == 200 and shown["blocked_checks"] == 2
    status, listed = request("api-links-list", query={})
    assert [item["blocked_checks"] for item in listed["links"]] == [2]


def test_check_now_records_with_the_workers_rules(env: dict[str, str], target: Target) -> None:
    from linkcheck.engine import CheckResult, check_urls
    from linkcheck.errors import NotFound
    from linkcheck.handlers.check_options import check_options
    from linkcheck.sweeps.check_now import check_now

    def check_one(url: str) -> CheckResult:
        return check_urls([url], check_options())[0]

    # Given a link that was ok and now answers 404
    link = check(register(target, "/gone", 200), env["CHECKS_QUEUE_URL"])
    target.answer("/gone", 404)

    # When it is checked now
    checked = check_now("acme", link.id, check_one)

    # Then the broken verdict is stored but only pending, and its confirmation is queued
    assert checked.result.status == "broken" and checked.event is None
    assert checked.link.tracking.pending == "broken" and checked.link.checks == 2
    assert LinkStore().get("acme", link.id) == checked.link
    time.sleep(1.2)  # CONFIRM_DELAY_SECONDS
    (confirmation,) = records(env["CHECKS_QUEUE_URL"])
    assert json.loads(confirmation["body"])["confirm"] is True
    # and another tenant cannot check it
    with pytest.raises(NotFound):
        check_now("globex", link.id, check_one)
