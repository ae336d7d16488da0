"""A hanging host, or a bug in one check, never ends a batch: every URL gets its own result.

The shapes that once lost whole batches: more URLs than the per-host limit on one host that
accepts and never answers, with a check deadline at or below the read timeout (checks that
start together share their deadline, so slot holders and queued checks are cancelled in the
same turn). Repeated, because the order in which they wake decides whether the race bites.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator

import pytest

from linkcheck.cli import main
from linkcheck.engine import Checker, CheckResult, Reason, Status
from linkcheck.engine.detectors import Page, Probe
from linkcheck.engine.verdict import Verdict

from .engine_helpers import fast_options
from .servers import Reply, ScriptedServer, SilentServer

REPEATS = 10  # the race showed in 12 runs of 13; each run here takes about 0.2 s
UNKNOWN = {(Status.ERROR, Reason.TIMEOUT), (Status.ERROR, Reason.NOT_CHECKED)}


@pytest.fixture()
def silent() -> Iterator[SilentServer]:
    with SilentServer() as running:
        yield running


@pytest.fixture()
def healthy() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200, body=b"<h1>fine</h1>"))
        yield running


async def _batch(urls: list[str], **options: object) -> dict[int, list[CheckResult]]:
    got: dict[int, list[CheckResult]] = {}
    async with Checker(fast_options(**options), detectors=()) as checker:
        await checker.run_checks(
            urls, lambda index, result: got.setdefault(index, []).append(result)
        )
    return got


@pytest.mark.slow
@pytest.mark.parametrize(("hanging", "per_host"), [(5, 4), (9, 4), (6, 1)])
async def test_a_hanging_host_never_ends_the_batch(
    silent: SilentServer,
    healthy: ScriptedServer,
    hanging: int,
    per_host: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    urls = [silent.url(f"/{n}") for n in range(hanging)] + [healthy.url("/ok")]
    for _ in range(REPEATS):
        got = await _batch(urls, per_host=per_host, timeout=0.2, read_timeout=0.2, retries=0)
        assert sorted(got) == list(range(len(urls)))  # one result per URL, none lost
        assert all(len(results) == 1 for results in got.values())
        assert {(r[0].status, r[0].reason) for i, r in got.items() if i < hanging} <= UNKNOWN
        assert got[hanging][0].status is Status.OK
    # Not even turned into a result by the engine's catch-all: the pool itself is sound.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_check_that_never_got_a_connection_is_not_checked(silent: SilentServer) -> None:
    # One connection allowed and held by a slow check: the second check waits for it until
    # its own (earlier) deadline, so it never reached the host and says nothing about it
    # (never a timeout that would count toward "down").
    async with Checker(fast_options(per_host=1, retries=0), detectors=()) as checker:
        holder = asyncio.create_task(checker.check(silent.url("/a"), timeout=0.6))
        await asyncio.sleep(0.05)  # the holder has the connection
        waited = await checker.check(silent.url("/b"), timeout=0.2)
        held = await holder
    assert (held.status, held.reason) == (Status.ERROR, Reason.TIMEOUT)
    assert (waited.status, waited.reason) == (Status.ERROR, Reason.NOT_CHECKED)
    assert "could not start" in waited.detail


async def test_a_batch_budget_ends_unstarted_checks_as_not_checked(silent: SilentServer) -> None:
    urls = [silent.url(f"/{n}") for n in range(6)]
    got: dict[int, CheckResult] = {}
    # The two holders never let go before the budget (read timeout 5 s), however slow the
    # machine: the four others can only end unstarted.
    options = fast_options(per_host=2, timeout=5, read_timeout=5, retries=0)
    async with Checker(options, detectors=()) as checker:
        await checker.run_checks(urls, got.__setitem__, budget=0.3)
    assert sorted(got) == list(range(6))
    assert {(r.status, r.reason) for r in got.values()} <= UNKNOWN
    assert sum(r.reason is Reason.NOT_CHECKED for r in got.values()) >= 4


class _BuggyDetector:
    """A detector whose ``wants`` raises for one URL: a bug inside one check."""

    name = "buggy"

    def wants(self, url: str) -> bool:
        if url.endswith("/boom"):
            raise KeyError("a bug")
        return False

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        return None


async def test_an_unexpected_failure_is_that_checks_result_logged_once(
    healthy: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    urls = [healthy.url("/ok"), healthy.url("/boom"), healthy.url("/ok?again")]
    got: dict[int, CheckResult] = {}
    with caplog.at_level(logging.ERROR, logger="linkcheck.engine.flow"):
        async with Checker(fast_options(), detectors=[_BuggyDetector()]) as checker:
            await checker.run_checks(urls, got.__setitem__)
            single = await checker.check(healthy.url("/boom"))
    assert [got[i].status for i in range(3)] == [Status.OK, Status.ERROR, Status.OK]
    assert (got[1].reason, single.reason) == (Reason.NOT_CHECKED, Reason.NOT_CHECKED)
    assert "KeyError" in got[1].detail
    logged = [r for r in caplog.records if healthy.url("/boom") in r.getMessage()]
    assert len(logged) == 2  # once per failed check (the batch's and the single one)
    assert all(r.exc_info is not None for r in logged)  # with the traceback


def test_the_cli_reports_every_url_of_a_hanging_host(
    silent: SilentServer, healthy: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [silent.url(f"/{n}") for n in range(5)] + [healthy.url("/ok")]
    argv = ["check", "--allow-private-networks", "--json", "--timeout", "0.3", "--retries", "0"]
    for _ in range(5):
        code = main([*argv, *urls])
        out, err = capsys.readouterr()
        records = [json.loads(line) for line in out.splitlines()]
        assert code == 1  # not_checked and timeouts are not ok
        assert "Traceback" not in err
        assert [r["url"] for r in records] == urls
        assert records[-1]["status"] == "ok"
        assert {(r["status"], r["reason"]) for r in records[:-1]} <= {
            ("error", "timeout"),
            ("error", "not_checked"),
        }


def test_cli_workers_keep_every_shard_result(
    silent: SilentServer, healthy: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [silent.url(f"/{n}") for n in range(5)] + [healthy.url(f"/ok?{n}") for n in range(5)]
    argv = ["check", "--allow-private-networks", "--json", "--workers", "2"]
    code = main([*argv, "--timeout", "0.3", "--retries", "0", *urls])
    out, _ = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [r["url"] for r in records] == urls
    assert [r["status"] for r in records[5:]] == ["ok"] * 5


async def test_a_check_whose_page_answered_is_a_timeout_even_if_a_probe_queued(
    silent: SilentServer, healthy: ScriptedServer
) -> None:
    # The page answered; then a detector's extra request queued behind a busy host until the
    # deadline. The check did reach a host, so it is a timeout, never "could not start".
    class ProbesTheSilentHost:
        name = "prober"

        def wants(self, url: str) -> bool:
            return url.startswith(healthy.url("/"))

        async def detect(self, page: Page, probe: Probe) -> Verdict | None:
            await probe(silent.url("/probe"))
            return None

    async with Checker(
        fast_options(per_host=1, retries=0), detectors=[ProbesTheSilentHost()]
    ) as checker:
        holder = asyncio.create_task(checker.check(silent.url("/a"), timeout=0.6))
        await asyncio.sleep(0.05)  # the holder has the silent host's only connection
        probed = await checker.check(healthy.url("/ok"), timeout=0.2)
        await holder
    assert (probed.status, probed.reason, probed.http_status) == (
        Status.ERROR,
        Reason.TIMEOUT,
        200,
    )
