"""Accuracy of the verdicts on the fixture corpus: confusion table, precision and recall.

Runs the real engine (HTTPS, redirects, probes, detectors) against the local corpus server
(tests/e2e/corpus_server.py) and compares every result with tests/fixtures/pages/*/manifest.json.
Per platform (the case's expected platform, or "generic"): the number of cases, precision and
recall of ``broken`` and of ``restricted`` (precision = verdicts of that status that are right /
all verdicts of that status; recall = links of that status found / all of them), refusals of the
checker (expected ``blocked``) reported as anything else, and dead links (expected ``broken`` or
``restricted``) reported ``ok``; the goal for the last two is 0. Exit status 1 if any verdict
differs from the manifest.

    .venv/bin/python benchmarks/accuracy.py [--head-first] [--markdown]

``--head-first`` asks with HEAD first, like the CLI's ``--head-first`` (generic soft-404 detection
then only sees pages whose HEAD was refused), to show what deep checks buy.
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


def _per_platform(rows: list[tuple[Case, tuple[str, str, str | None]]]) -> dict[str, Counter[str]]:
    """Tallies per platform (the case's expected platform, or "generic")."""
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    for case, got in rows:
        for tally in (tallies[case.platform or "generic"], tallies["all"]):
            tally["n"] += 1
            for status in ("broken", "restricted"):
                expected, said = case.status == status, got[0] == status
                tally[f"{status}_tp"] += expected and said
                tally[f"{status}_fp"] += said and not expected
                tally[f"{status}_fn"] += expected and not said
            # A refusal of the checker reported as anything else (goal 0).
            tally["refusal_missed"] += case.status == "blocked" and got[0] != "blocked"
            # Dead content reported as live (goal 0).
            tally["false_ok"] += case.status in DEAD and got[0] == "ok"
    return tallies


def platform_table(rows: list[tuple[Case, tuple[str, str, str | None]]]) -> list[list[str]]:
    """Header and one row per platform (then "all"): the figures docs/accuracy.md publishes."""
    tallies = _per_platform(rows)
    table = [
        [
            "platform",
            "cases",
            "broken P",
            "broken R",
            "restricted P",
            "restricted R",
            "refusals not blocked",
            "false ok on dead",
        ]
    ]
    for name in [*sorted(n for n in tallies if n != "all"), "all"]:
        t = tallies[name]
        line = [name, str(t["n"])]
        for status in ("broken", "restricted"):
            tp, fp, fn = t[f"{status}_tp"], t[f"{status}_fp"], t[f"{status}_fn"]
            line += [ratio(tp, tp + fp), ratio(tp, tp + fn)]
        line += [str(t["refusal_missed"]), str(t["false_ok"])]
        table.append(line)
    return table


def markdown(table: list[list[str]]) -> str:
    head, *body = table
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def report(rows: list[tuple[Case, tuple[str, str, str | None]]], *, as_markdown: bool) -> bool:
    confusion: Counter[tuple[str, str]] = Counter()
    wrong = []
    for case, got in rows:
        confusion[(case.status, got[0])] += 1
        if got != (case.status, case.reason, case.platform):
            wrong.append((case, got))

    print("Confusion table (rows: expected status, columns: verdict)\n")
    print(f"{'':>12}" + "".join(f"{s:>12}" for s in STATUSES))
    for expected in STATUSES:
        if any(confusion[(expected, s)] for s in STATUSES):
            cells = "".join(f"{confusion[(expected, s)] or '.':>12}" for s in STATUSES)
            print(f"{expected:>12}{cells}")

    print(
        "\nPer platform: precision (P) and recall (R) of broken and of restricted; refusals "
        "(expected blocked) reported as anything else; dead links (broken/restricted) reported "
        "ok. n/a: no such case or verdict.\n"
    )
    table = platform_table(rows)
    if as_markdown:
        print(markdown(table))
    else:
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        for row in table:
            print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    exact = len(rows) - len(wrong)
    print(f"\nExact verdicts (status, reason, platform): {exact}/{len(rows)}")
    for case, got in wrong:
        print(f"  {case.url}: expected {case.status}/{case.reason}/{case.platform}, got {got}")
    return not wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--head-first", action="store_true", help="HEAD first (the opt-in path)")
    parser.add_argument("--markdown", action="store_true", help="the table as Markdown")
    args = parser.parse_args()
    rows = asyncio.run(run(always_get=not args.head_first))
    return 0 if report(rows, as_markdown=args.markdown) else 1


if __name__ == "__main__":
    sys.exit(main())
