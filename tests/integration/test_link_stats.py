"""Per-tenant link counters (store/stats.py) on moto: kept on transitions, never drifting.

The counters are written only inside the transactions that create, delete or change the state
of a link, so after any sequence of operations (duplicates, redelivered messages, stale
writes of a concurrent worker, deletes of links still queued) they equal a full count of the
tenant's links. ``GET /stats`` reads them for the caller's tenant only.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import random
from collections.abc import Awaitable, Callable, Sequence

import pytest

from linkcheck.domain.transitions import LinkState, apply_result
from linkcheck.engine.verdict import CheckResult, Reason, Status
from linkcheck.errors import NotFound
from linkcheck.settings import get_settings
from linkcheck.store.links import LinkStore, NewLink, link_id_for
from linkcheck.store.results import ResultStore
from linkcheck.store.stats import LinkStats, StatsStore
from linkcheck.sweeps.messages import CheckBatch, LinkRef
from linkcheck.sweeps.process import Recorder, process_batches
from linkcheck.sweeps.queue import CheckQueue
from tests.integration.test_links_api import register, request

NOW = 1_790_000_000
REASON = {
    Status.OK: Reason.HTTP_2XX,
    Status.BROKEN: Reason.HTTP_404,
    Status.RESTRICTED: Reason.LOGIN_REQUIRED,
    Status.ERROR: Reason.HTTP_5XX,
    Status.BLOCKED: Reason.BOT_CHALLENGE,
}
URLS = [f"https://site{i % 3}.example/{i}" for i in range(10)]
TENANTS = ("acme", "globex")


def new(url: str) -> NewLink:
    return NewLink(url=url, host=url.split("/")[2], interval=3600)


def result(url: str, status: Status) -> CheckResult:
    return CheckResult(
        url=url, status=status, reason=REASON[status], detail="", checked_at="2026-11-27T00:00Z"
    )


def checking(status: Status) -> Callable[[Sequence[str]], Awaitable[list[CheckResult | None]]]:
    async def check_many(urls: Sequence[str]) -> list[CheckResult | None]:
        return [result(url, status) for url in urls]

    return check_many


def zero() -> dict[LinkState, int]:
    return dict.fromkeys(LinkState, 0)


def test_counters_equal_a_full_count_after_random_operations(aws_env: dict[str, str]) -> None:
    links, stats = LinkStore(), StatsStore()
    recorder = Recorder(
        store=links, results=ResultStore(), queue=CheckQueue(), settings=get_settings()
    )
    rng = random.Random(20261127)
    seen = set()
    for step in range(80):
        tenant = rng.choice(TENANTS)
        operation = rng.choice(["create", "batch", "check", "check", "check", "stale", "delete"])
        seen.add(operation)
        if operation == "create":
            links.register(tenant, new(rng.choice(URLS)), now=NOW)
        elif operation == "batch":  # duplicates within the batch and of stored links
            batch = [new(rng.choice(URLS)) for _ in range(rng.randint(1, 8))]
            links.register_many(tenant, batch, now=NOW)
        elif operation == "check":  # one message, sometimes delivered twice; deleted links too
            refs = [LinkRef(tenant=tenant, link_id=link_id_for(tenant, u)) for u in URLS[:6]]
            message = CheckBatch(links=rng.sample(refs, 3), confirm=rng.random() < 0.5)
            status = rng.choice(list(REASON))
            for _ in range(rng.choice([1, 2])):
                asyncio.run(process_batches([("m", message)], recorder, checking(status)))
        elif operation == "stale":  # a concurrent worker wrote first: the late write is refused
            try:
                link = links.get(tenant, link_id_for(tenant, rng.choice(URLS)))
            except NotFound:
                continue
            late = copy.deepcopy(link)
            status = rng.choice(list(REASON))
            recorder.save(link, result(link.url, status), is_confirmation=True)
            outcome = apply_result(
                late.tracking,
                rng.choice(list(REASON)),
                checked_at="2026-11-27T00:01Z",
                is_confirmation=True,
                down_after=1,
            )
            assert not links.save_check(late, result(late.url, Status.OK), outcome)
        else:
            with contextlib.suppress(NotFound):
                links.delete(tenant, link_id_for(tenant, rng.choice(URLS)))
        for each in TENANTS:
            assert stats.get(each) == stats.count(each), (step, operation, each)
    assert seen == {"create", "batch", "check", "stale", "delete"}
    counted = [stats.count(tenant) for tenant in TENANTS]
    # The sequence did move links through several states.
    assert sum(1 for c in counted for n in c.by_state.values() if n) >= 3, counted


def test_a_duplicate_batch_counts_each_new_link_once(aws_env: dict[str, str]) -> None:
    links, stats = LinkStore(), StatsStore()
    links.register("acme", new(URLS[0]), now=NOW)
    answers = links.register_many("acme", [new(u) for u in (URLS[0], URLS[1], URLS[1])], now=NOW)
    assert [created for _, created in answers] == [False, True, False]
    assert answers[1][0].id == answers[2][0].id
    assert stats.get("acme").by_state == zero() | {LinkState.UNCHECKED: 2}


def test_a_batch_larger_than_one_transaction(aws_env: dict[str, str]) -> None:
    links, stats = LinkStore(), StatsStore()
    urls = [f"https://example.com/{i}" for i in range(250)]
    links.register_many("acme", [new(u) for u in urls[:120]], now=NOW)
    answers = links.register_many("acme", [new(u) for u in urls], now=NOW)
    assert sum(created for _, created in answers) == 130
    assert stats.get("acme") == stats.count("acme")
    assert stats.get("acme").links == 250


def test_recount_rewrites_counters_from_the_links(aws_env: dict[str, str]) -> None:
    links, stats = LinkStore(), StatsStore()
    links.register_many("acme", [new(u) for u in URLS[:4]], now=NOW)
    links.client.delete_item(  # as if the links were stored before the counters existed
        TableName=links.table, Key={"pk": {"S": "T#acme"}, "sk": {"S": "STATS"}}
    )
    assert stats.get("acme").links == 0
    assert stats.recount("acme").links == 4
    assert stats.get("acme").by_state == zero() | {LinkState.UNCHECKED: 4}


def test_a_count_never_shows_below_zero() -> None:
    item = {"links_ok": {"N": "-2"}, "links_broken": {"N": "3"}}
    assert LinkStats.from_item(item).by_state == zero() | {LinkState.BROKEN: 3}
    assert LinkStats.from_item(None).links == 0


# ---------------------------------------------------------------- GET /stats


def test_stats_answers_the_callers_counts_only(aws_env: dict[str, str]) -> None:
    status, empty = request("api-stats")
    assert status == 200, empty
    assert empty == {
        "links": 0,
        "by_state": {"unchecked": 0, "ok": 0, "broken": 0, "restricted": 0, "down": 0},
    }
    register("https://example.com/a")
    register("https://example.com/a")  # existing: not counted again
    request(
        "api-links-batch",
        body={"links": [{"url": "https://example.com/b"}, {"url": "https://example.com/b"}]},
    )
    _, doomed = register("https://example.com/c")
    assert request("api-links-delete", path=f"/links/{doomed['id']}")[0] == 204
    register("https://example.com/z", tenant="globex")

    status, mine = request("api-stats")
    assert status == 200 and mine["links"] == 2 and mine["by_state"]["unchecked"] == 2
    _, theirs = request("api-stats", tenant="globex")
    assert theirs["links"] == 1


def test_a_checked_link_moves_between_counts(aws_env: dict[str, str]) -> None:
    links = LinkStore()
    recorder = Recorder(
        store=links, results=ResultStore(), queue=CheckQueue(), settings=get_settings()
    )
    link, _ = links.register("acme", new(URLS[0]), now=NOW)
    recorder.save(link, result(link.url, Status.OK), is_confirmation=False)
    assert request("api-stats")[1]["by_state"]["ok"] == 1
    for _ in range(2):  # the second, agreeing result confirms the transition
        recorder.save(link, result(link.url, Status.BROKEN), is_confirmation=True)
    assert request("api-stats")[1]["by_state"] | {"unchecked": 0} == {
        "unchecked": 0,
        "ok": 0,
        "broken": 1,
        "restricted": 0,
        "down": 0,
    }


@pytest.mark.parametrize("tenant", ["acme", "globex"])
def test_stats_of_a_tenant_without_links_is_zero(aws_env: dict[str, str], tenant: str) -> None:
    register("https://example.com/a", tenant="other")
    assert request("api-stats", tenant=tenant)[1]["links"] == 0


def test_the_stats_command_shows_and_recounts(
    aws_env: dict[str, str], moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from linkcheck.cli import main

    links = LinkStore()
    links.register_many("acme", [new(u) for u in URLS[:3]], now=NOW)
    links.client.delete_item(
        TableName=links.table, Key={"pk": {"S": "T#acme"}, "sk": {"S": "STATS"}}
    )
    common = ["--tenant", "acme", "--table", links.table, "--endpoint-url", moto_endpoint]
    assert main(["stats", *common, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["links"] == 0
    assert main(["stats", *common, "--recount"]) == 0
    out, err = capsys.readouterr()
    assert "3 links" in out and "unchecked   3" in out and "said 0 links" in err
    assert StatsStore().get("acme").links == 3
