"""The workload of benchmarks/real_web.py: seeded, the documented shape, an exact mix.

The benchmark's figures (docs/engine.md) are only comparable between runs and machines when
the same seed gives the same list, so the generator's promises are checked here.
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # a script folder

import real_web
from real_web import BROKEN, OK, REDIRECTED, TIMEOUT, Link


def test_the_same_seed_gives_the_same_list_and_another_seed_another() -> None:
    first = real_web.generate(2000, 100, seed=7)
    assert real_web.generate(2000, 100, seed=7) == first
    assert real_web.generate(2000, 100, seed=8) != first


def test_the_status_mix_is_exact() -> None:
    kinds = Counter(link.kind for link in real_web.generate(10000, 500, seed=1))
    assert kinds == {OK: 8500, BROKEN: 1000, REDIRECTED: 300, TIMEOUT: 200}


def test_host_popularity_has_the_documented_shape() -> None:
    counts = real_web.host_counts(10000, 500)
    assert sum(counts) == 10000
    assert min(counts) >= 1  # every host is in the list
    assert counts == sorted(counts, reverse=True)
    assert 250 <= counts[0] <= 300 and counts[3] >= 250  # the busiest few
    assert 160 <= sum(1 for count in counts if count <= 2) <= 200  # the long tail


def test_every_host_gets_its_urls_and_the_latencies_stay_in_range() -> None:
    links = real_web.generate(10000, 500, seed=1)
    assert sorted(Counter(link.host for link in links).values(), reverse=True) == (
        real_web.host_counts(10000, 500)
    )
    latencies = [link.latency_ms for link in links]
    assert min(latencies) >= 10 and max(latencies) <= 2000
    assert 70 <= statistics.median(latencies) <= 90
    assert len({link.ident for link in links}) == len(links)  # every URL unique


def test_the_path_says_what_the_server_does() -> None:
    assert Link(0, OK, 80, 5).path() == "/200/80/5"
    assert Link(0, BROKEN, 12, 6).path() == "/404/12/6"
    assert Link(0, REDIRECTED, 30, 7).path() == "/301/30/7"
    assert Link(0, TIMEOUT, 500, 8).path() == "/hang/0/8"


def test_the_lower_bound_is_the_busiest_host_or_all_the_work() -> None:
    links = [
        Link(0, OK, 1000, 1),
        Link(0, REDIRECTED, 500, 2),  # the redirect and its target: 1 s
        Link(0, TIMEOUT, 0, 3),  # held until the 5 s timeout
        Link(1, OK, 100, 4),
    ]
    bound = real_web.lower_bound(links, per_host=2, concurrency=3, timeout_s=5.0)
    assert bound.busiest_host_s == 3.5  # (1 + 1 + 5) / 2
    assert bound.busiest_urls == 3
    assert round(bound.all_work_s, 3) == 2.367  # 7.1 / 3
    assert bound.seconds == 3.5
    assert real_web.lower_bound(links, 4, 1, 5.0).seconds == 7.1  # one slot: all the work


def test_each_host_has_its_own_loopback_address() -> None:
    hosts = real_web.addresses(500)
    assert len(set(hosts)) == 500
    assert all(host.startswith("127.1.") and not host.endswith((".0", ".255")) for host in hosts)
