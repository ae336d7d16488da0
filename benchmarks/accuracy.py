"""Accuracy of the verdicts on the fixture corpus: confusion table, precision and recall.

Runs the real engine (HTTPS, redirects, probes, detectors) against the local corpus server
(tests/e2e/corpus_server.py) and compares every result with tests/fixtures/pages/*/manifest.json.
"Dead" means ``broken`` or ``restricted``; precision = dead verdicts that are right / all dead
verdicts, recall = dead links found / all dead links. Exit status 1 if any verdict differs.

    .venv/bin/python benchmarks/accuracy.py [--no-get]

``--no-get`` keeps the engine's default HEAD-first path (generic soft-404 detection then only
sees pages whose HEAD was refused), to show what ``--get`` buys.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.* when run as a script

from tests.e2e.corpus_server import CorpusServer
from tests.fixtures.pages.corpus import Case

from linkcheck.engine import Checker, CheckOptions

DEAD = {"broken", "restricted"}
STATUSES = ["ok", "broken", "restricted", "blocked", "error", "invalid"]


def ratio(hits: int, total: int) -> str:
    return f"{hits / total:.3f}" if total else "n/a"


async def run(always_get: bool) -> list[tuple[Case, tuple[str, str, str | None]]]:
    with CorpusServer() as server:
        options = CheckOptions(
            connect_to=server.connect_to,
            only_connect_to=True,  # a host the corpus does not serve is refused, never looked up
            ca_bundle=server.ca_pem,
            always_get=always_get,
            timeout=5.0,
            retries=0,
        )
        cases = server.corpus.cases
        async with Checker(options) as checker:
            results = await checker.check_many([c.url for c in cases])
    return [
        (case, (r.status.value, r.reason.value, r.platform))
        for case, r in zip(cases, results, strict=True)
    ]


def report(rows: list[tuple[Case, tuple[str, str, str | None]]]) -> bool:
    confusion: Counter[tuple[str, str]] = Counter()
    by_platform: dict[str, Counter[str]] = defaultdict(Counter)
    wrong = []
    for case, got in rows:
        confusion[(case.status, got[0])] += 1
        expected_dead, got_dead = case.status in DEAD, got[0] in DEAD
        tally = by_platform[case.platform or "generic"]
        tally["tp"] += expected_dead and got_dead
        tally["fp"] += got_dead and not expected_dead
        tally["fn"] += expected_dead and not got_dead
        tally["n"] += 1
        if got != (case.status, case.reason, case.platform):
            wrong.append((case, got))

    print("Confusion table (rows: expected status, columns: verdict)\n")
    print(f"{'':>12}" + "".join(f"{s:>12}" for s in STATUSES))
    for expected in STATUSES:
        if any(confusion[(expected, s)] for s in STATUSES):
            cells = "".join(f"{confusion[(expected, s)] or '.':>12}" for s in STATUSES)
            print(f"{expected:>12}{cells}")

    print("\n'Dead' (broken or restricted): precision and recall per platform\n")
    print(f"{'platform':<12}{'links':>7}{'dead':>7}{'precision':>11}{'recall':>9}")
    total: Counter[str] = Counter()
    for name in sorted(by_platform):
        t = by_platform[name]
        total.update(t)
        dead = t["tp"] + t["fn"]
        print(
            f"{name:<12}{t['n']:>7}{dead:>7}"
            f"{ratio(t['tp'], t['tp'] + t['fp']):>11}{ratio(t['tp'], dead):>9}"
        )
    dead = total["tp"] + total["fn"]
    print(
        f"{'all':<12}{total['n']:>7}{dead:>7}"
        f"{ratio(total['tp'], total['tp'] + total['fp']):>11}{ratio(total['tp'], dead):>9}"
    )
    exact = len(rows) - len(wrong)
    print(f"\nExact verdicts (status, reason, platform): {exact}/{len(rows)}")
    for case, got in wrong:
        print(f"  {case.url}: expected {case.status}/{case.reason}/{case.platform}, got {got}")
    return not wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-get", action="store_true", help="HEAD first (the default path)")
    args = parser.parse_args()
    rows = asyncio.run(run(always_get=not args.no_get))
    return 0 if report(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
