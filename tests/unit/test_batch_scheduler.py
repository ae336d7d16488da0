"""The batch scheduler with fake checks (no network): exactly one result per index, each
(URL, page flag) checked once, host limits, URLs added from inside callbacks."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest

from linkcheck.engine import CheckResult, Page, Reason, Status
from linkcheck.engine.batch import OpenBatch, Scheduler, run_batch
from linkcheck.engine.urls import Target


class FakeChecks:
    """Checks that take a few event-loop turns and record what ran, per host."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.checked: Counter[tuple[str, bool]] = Counter()
        self.running: Counter[str] = Counter()
        self.most: Counter[str] = Counter()

    async def _run(self, target: Target, page: bool) -> None:
        self.checked[target.url, page] += 1
        self.running[target.host] += 1
        self.most[target.host] = max(self.most[target.host], self.running[target.host])
        for _ in range(self.random.randint(0, 3)):
            await asyncio.sleep(0)
        self.running[target.host] -= 1

    async def check_one(self, given: str, target: Target, left: float, t: float) -> CheckResult:
        await self._run(target, False)
        return CheckResult(url=given, status=Status.OK, reason=Reason.HTTP_2XX, detail="ok")

    async def check_page(
        self, given: str, target: Target, left: float, t: float
    ) -> tuple[CheckResult, Page | None]:
        await self._run(target, True)
        result = CheckResult(url=given, status=Status.OK, reason=Reason.HTTP_2XX, detail="ok")
        return result, Page(url=target.url, content_type="text/html", body=b"", complete=True)


@pytest.mark.parametrize("seed", range(8))
async def test_an_open_batch_fed_from_its_callbacks_reports_every_index_once(seed: int) -> None:
    checks = FakeChecks(seed)
    pick = random.Random(seed)
    hosts = [f"https://h{n}.example" for n in range(4)]
    reported: Counter[int] = Counter()
    pages: Counter[int] = Counter()
    added: list[tuple[str, bool]] = []
    budget_left = [300]  # URLs the callbacks may still add: a bounded crawl

    def grow() -> None:
        for _ in range(pick.randint(0, 4)):
            if budget_left[0] <= 0:
                return
            budget_left[0] -= 1
            url = f"{pick.choice(hosts)}/p{pick.randint(0, 40)}"
            if pick.random() < 0.05:
                url = "not a url"
            page = pick.random() < 0.5
            assert batch.add(url, page=page) == len(added)
            added.append((url, page))

    def on_result(index: int, result: CheckResult) -> None:
        assert index < len(added), "a result before add() returned the index"
        reported[index] += 1
        grow()

    def on_page(index: int, page: Page) -> None:
        assert added[index][1], "a page for an index that did not want it"
        assert reported[index] == 0, "on_page after on_result"
        pages[index] += 1
        grow()

    urls: list[str] = []
    scheduler = Scheduler(
        urls,
        on_result,
        checks.check_one,
        concurrency=6,
        per_host=2,
        per_check=10.0,
        check_page=checks.check_page,
        on_page=on_page,
        growing=True,
    )
    batch = OpenBatch(urls, scheduler)
    try:
        for _ in range(5):
            grow()
        await batch.close()
    finally:
        await batch.stop()

    assert sorted(reported) == list(range(len(added)))
    assert set(reported.values()) == {1}
    assert all(count == 1 for count in checks.checked.values())  # each (URL, page) once
    assert max(checks.most.values()) <= 2  # per_host
    assert set(pages.values()) <= {1}
    with pytest.raises(RuntimeError):
        batch.add("https://h0.example/late")


async def test_run_batch_pages_are_read_for_the_wanted_indexes_only() -> None:
    checks = FakeChecks(0)
    urls = [f"https://h{n % 3}.example/p{n % 7}" for n in range(50)]
    wanted = set(range(0, 50, 3))
    reported: Counter[int] = Counter()
    pages: list[int] = []
    await run_batch(
        urls,
        lambda index, _: reported.update([index]),
        checks.check_one,
        concurrency=4,
        per_host=1,
        per_check=10.0,
        check_page=checks.check_page,
        pages=wanted,
        on_page=lambda index, _: pages.append(index),
    )
    assert sorted(reported) == list(range(50)) and set(reported.values()) == {1}
    assert set(pages) <= wanted and len(pages) == len(set(pages))
    assert {url for url, page in checks.checked if page} == {urls[i] for i in wanted}
    assert max(checks.most.values()) == 1


async def test_budget_spent_ends_queued_checks_as_not_checked() -> None:
    checks = FakeChecks(0)
    results: dict[int, CheckResult] = {}
    urls: list[str] = []
    scheduler = Scheduler(
        urls,
        results.__setitem__,
        checks.check_one,
        concurrency=2,
        per_host=1,
        per_check=10.0,
        budget=0.0,  # spent before anything starts
        check_page=checks.check_page,
        growing=True,
    )
    batch = OpenBatch(urls, scheduler)
    for n in range(5):
        batch.add(f"https://h.example/{n}", page=n % 2 == 0)
    await batch.close()
    assert [results[i].reason for i in range(5)] == [Reason.NOT_CHECKED] * 5
    assert not checks.checked
