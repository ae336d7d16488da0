"""Results that judged nothing (``not_checked``) leave no trace and come back on the queue.

The sweep's processing runs on moto with the real stores and queue; only the checks are given
(``process_batches`` takes the function that checks a batch), so each case sees exactly the
results it names. Check-now goes through the API handler with a stand-in checker.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

import boto3
import pytest

from linkcheck.engine import CheckOptions
from linkcheck.engine.verdict import CheckResult, Reason, Status
from linkcheck.handlers.routes import links as links_route
from linkcheck.settings import get_settings
from linkcheck.store.events import EventStore
from linkcheck.store.links import Link, LinkStore, NewLink
from linkcheck.store.results import ResultStore
from linkcheck.sweeps import process
from linkcheck.sweeps.messages import CheckBatch, LinkRef
from linkcheck.sweeps.process import NOT_JUDGED_RETRIES, BatchReport, Recorder
from linkcheck.sweeps.queue import CheckQueue
from tests.integration.test_links_api import request

URL = "https://example.com/wall"


@pytest.fixture()
def env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(process, "LEFTOVER_DELAY_SECONDS", 0)  # re-queued links visible at once
    get_settings.cache_clear()
    return aws_env


def _register() -> Link:
    link, _ = LinkStore().register(
        "acme", NewLink(url=URL, host="example.com", interval=3600), now=int(time.time())
    )
    return link


def _ok(url: str) -> CheckResult:
    return CheckResult(url=url, status=Status.OK, reason=Reason.HTTP_2XX, detail="200 OK")


def _run(batch: CheckBatch, answers: list[CheckResult | None]) -> BatchReport:
    async def check_many(urls: Sequence[str]) -> list[CheckResult | None]:
        assert len(urls) == len(answers)
        return answers

    recorder = Recorder(
        store=LinkStore(), results=ResultStore(), queue=CheckQueue(), settings=get_settings()
    )
    return asyncio.run(process.process_batches([("m1", batch)], recorder, check_many))


def _queued(queue_url: str) -> list[dict[str, Any]]:
    got = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def _ref(link: Link) -> LinkRef:
    return LinkRef(tenant=link.tenant, link_id=link.id)


def test_a_not_judged_result_changes_nothing_and_is_queued_again(env: dict[str, str]) -> None:
    link = _register()
    assert _run(CheckBatch(links=[_ref(link)]), [_ok(URL)]).checked == 1
    before = LinkStore().get("acme", link.id)
    history = ResultStore().history("acme", link.id).results

    report = _run(CheckBatch(links=[_ref(link)]), [CheckResult.not_checked(URL, "no slot")])

    assert (report.checked, report.deferred, report.dropped) == (0, 1, 0)
    after = LinkStore().get("acme", link.id)
    assert after == before  # state, counters, latest result, version: untouched
    assert ResultStore().history("acme", link.id).results == history
    assert EventStore().feed("acme").events == []
    assert _queued(env["CHECKS_QUEUE_URL"]) == [
        {"links": [{"tenant": "acme", "link_id": link.id}], "retries": 1, "hops": 1}
    ]


def test_not_judged_results_never_count_toward_down(env: dict[str, str]) -> None:
    link = _register()
    _run(CheckBatch(links=[_ref(link)]), [_ok(URL)])
    for _ in range(get_settings().down_after_failures + 1):
        _run(CheckBatch(links=[_ref(link)]), [CheckResult.not_checked(URL, "no slot")])
    after = LinkStore().get("acme", link.id)
    assert after.tracking.state == "ok" and after.tracking.failures == 0
    assert EventStore().feed("acme").events == []


def test_a_link_that_is_never_judged_waits_for_its_next_sweep(env: dict[str, str]) -> None:
    link = _register()
    batch = CheckBatch(links=[_ref(link)], confirm=True, retries=NOT_JUDGED_RETRIES)
    report = _run(batch, [CheckResult.not_checked(URL, "unexpected failure")])
    assert (report.deferred, report.dropped) == (0, 1)
    assert _queued(env["CHECKS_QUEUE_URL"]) == []


def test_links_not_reached_keep_their_kind_and_retries(env: dict[str, str]) -> None:
    link = _register()
    report = _run(CheckBatch(links=[_ref(link)], confirm=True, retries=2), [None])
    assert (report.checked, report.deferred) == (0, 1)
    assert _queued(env["CHECKS_QUEUE_URL"]) == [
        {
            "links": [{"tenant": "acme", "link_id": link.id}],
            "confirm": True,
            "retries": 2,
            "hops": 1,
        }
    ]


class NotChecking:
    """A checker whose every check judged nothing (the check could not start in time)."""

    def __init__(self, options: CheckOptions) -> None:
        self.options = options

    async def __aenter__(self) -> NotChecking:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def check(self, url: str) -> CheckResult:
        return CheckResult.not_checked(url, "The check could not start in time.")


def test_check_now_answers_a_not_judged_result_without_storing_it(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    link = _register()
    _run(CheckBatch(links=[_ref(link)]), [_ok(URL)])
    before = LinkStore().get("acme", link.id)
    monkeypatch.setattr(links_route, "Checker", NotChecking)

    status, body = request("api-links-check", path=f"/links/{link.id}/check")

    assert status == 200, body
    assert (body["result"]["status"], body["result"]["reason"]) == ("error", "not_checked")
    assert body["event"] is None
    assert body["link"]["last_result"]["status"] == "ok" and body["link"]["checks"] == 1
    assert LinkStore().get("acme", link.id) == before
    assert len(ResultStore().history("acme", link.id).results) == 1
