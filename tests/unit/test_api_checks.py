"""The /check deadline: checks the engine has not answered by the budget become not_checked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from linkcheck.engine import CheckOptions, CheckResult, Reason, Status
from linkcheck.handlers.routes import checks
from linkcheck.settings import get_settings


class StuckAfterFirst:
    """A checker that finishes the first URL at once and never finishes the others."""

    closed = False

    def __init__(self, options: CheckOptions) -> None:
        self.options = options

    async def run_checks(
        self,
        urls: Sequence[str],
        on_result: Callable[[int, CheckResult], None],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (engine API)
        budget: float | None = None,
    ) -> None:
        try:
            on_result(
                0, CheckResult(url=urls[0], status=Status.OK, reason=Reason.HTTP_2XX, detail="")
            )
            await asyncio.Event().wait()  # a defect: the engine ignores its budget
        finally:
            StuckAfterFirst.closed = True


@pytest.fixture()
def stuck_checker(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(checks, "Checker", StuckAfterFirst)
    monkeypatch.setattr(checks, "_checkers", {})
    StuckAfterFirst.closed = False
    return StuckAfterFirst


def test_unfinished_checks_are_not_checked_in_input_order(stuck_checker: Any) -> None:
    results = checks.run_checks(
        ["https://a.example/", "https://b.example/"], timeout=None, budget=0.2
    )
    assert [r.url for r in results] == ["https://a.example/", "https://b.example/"]
    assert results[0].status == Status.OK
    assert (results[1].status, results[1].reason) == (Status.ERROR, Reason.NOT_CHECKED)
    assert "time budget" in results[1].detail
    assert stuck_checker.closed  # the engine's workers were stopped, not left running


def test_the_options_come_from_the_environment_only(
    stuck_checker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    checks.run_checks(["https://a.example/"], timeout=None, budget=0.1)
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()  # another execution environment: settings are read once per one
    checks.run_checks(["https://a.example/"], timeout=None, budget=0.1)
    assert sorted(o.allow_private_networks for o in checks._checkers) == [False, True]


def test_the_handler_works_from_inside_a_running_event_loop(stuck_checker: Any) -> None:
    async def caller() -> list[CheckResult]:
        return checks.run_checks(["https://a.example/"], timeout=None, budget=0.1)

    assert asyncio.run(caller())[0].status == Status.OK
