"""The chaos run of benchmarks/chaos.py, short: 120 links under injected faults.

5% of DynamoDB, SQS and SNS calls fail (refused, throttled, lost races, answers lost after the
fact), 2% of worker, notifier and webhook invocations are killed mid-batch, clocks are skewed,
webhook receivers fail now and then and one is down for longer than the retry schedule (its
deliveries are parked, then replayed). Seeded, so a failure replays with the same seed. The
invariants asserted do not depend on the machine's speed: nothing lost, nothing invented, no
duplicate with a different id, history consistent, every link ending in its page's state
(the run waits, bounded, for the system to settle). Lateness against the slack is timing and
is reported by the benchmark, not asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # a script folder

import chaos

SEED = 20261127


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_no_fault_loses_invents_or_duplicates_a_transition(moto_endpoint: str) -> None:
    config = chaos.Config(**{**chaos.QUICK, "seed": SEED})
    observed = chaos.run(config, log=lambda message: None)
    found = chaos.evaluate(observed, config)
    numbers = found.numbers

    assert sum(observed.faults.values()) > 0, "no fault was injected"
    assert numbers["events"] > 0, "no page flip was confirmed: nothing was tested"
    for invariant in (
        "lost",
        "invented",
        "duplicates_with_different_ids",
        "inconsistent_history",
        "wrong_final_state",
        "bad_signatures",
    ):
        assert numbers[invariant] == 0, (invariant, found.problems)

    result = chaos.report(config, observed, found, "python benchmarks/chaos.py --quick")
    assert set(result) >= {"name", "title", "date", "commit", "command", "summary", "rows"}
    assert result["invariants"]["lost"] == 0
    assert all(len(row) == 2 for row in result["rows"])
