"""The whole corpus through the real engine: HTTPS, --connect-to, redirects, probes, detectors.

Asserts every verdict of the manifest exactly (precision and recall of 1.0 on the corpus),
then the same through the ``linkcheck check --json`` command line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from linkcheck.cli import main
from linkcheck.engine import Checker, CheckResult
from tests.e2e.corpus_server import CorpusServer
from tests.fixtures.pages.corpus import Case


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[CorpusServer]:
    with CorpusServer() as server:
        yield server


def outcome(result: CheckResult) -> tuple[str, str, str | None]:
    return result.status.value, result.reason.value, result.platform


@pytest.mark.slow
async def test_every_corpus_verdict_through_the_engine(corpus_server: CorpusServer) -> None:
    cases = corpus_server.corpus.cases
    # GET everywhere, so the generic soft-404 detector sees every page (CLI: --get).
    async with Checker(corpus_server.check_options(always_get=True)) as checker:
        results = await checker.check_many([c.url for c in cases])
    wrong = [
        (c.url, outcome(r), (c.status, c.reason, c.platform))
        for c, r in zip(cases, results, strict=True)
        if outcome(r) != (c.status, c.reason, c.platform)
    ]
    assert wrong == []


@pytest.mark.slow
async def test_platform_verdicts_need_no_always_get(corpus_server: CorpusServer) -> None:
    cases: list[Case] = [c for c in corpus_server.corpus.cases if c.platform]
    async with Checker(corpus_server.check_options()) as checker:
        results = await checker.check_many([c.url for c in cases])
    got = [outcome(r) for r in results]
    assert got == [(c.status, c.reason, c.platform) for c in cases]


def test_cli_json_reports_platform_verdicts(
    corpus_server: CorpusServer, capsys: pytest.CaptureFixture[str]
) -> None:
    wanted = {
        "https://vm.tiktok.com/ZMdead01/": ("broken", "redirect_to_home", "tiktok"),
        "https://www.youtube.com/watch?v=PPPPPPPPPPP": (
            "restricted",
            "platform_private",
            "youtube",
        ),
        "https://shop.harbour.example/products/sold-out-boots": ("broken", "soft_404", None),
    }
    code = main(["check", "--json", "--get", *corpus_server.cli_args(), *wanted])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    got = {line["url"]: (line["status"], line["reason"], line["platform"]) for line in lines}
    assert got == wanted
    assert code == 1  # broken and restricted links fail the run
