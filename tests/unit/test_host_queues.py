"""The batch scheduler's host queues (pure): per-host limits, busiest host first, nothing lost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from linkcheck.engine.batch import HostQueues
from linkcheck.engine.urls import normalize_url


def jobs(host: str, count: int) -> list[tuple[str, object]]:
    return [(f"https://{host}/{n}", normalize_url(f"https://{host}/{n}")) for n in range(count)]


def test_a_full_host_yields_to_other_hosts() -> None:
    queues = HostQueues(per_host=2)
    queues.extend(jobs("busy.example", 5) + jobs("quiet.example", 1))  # type: ignore[arg-type]
    taken = [queues.take() for _ in range(3)]
    hosts = [job[1].host for job in taken if job is not None]
    # busy first (most work); with 4 queued it holds to one connection while quiet has work,
    # then takes its second slot rather than leave it idle.
    assert hosts == ["busy.example", "quiet.example", "busy.example"]
    assert queues.take() is None  # busy is full, quiet is done: nothing may start
    queues.done("busy.example")
    job = queues.take()
    assert job is not None and job[1].host == "busy.example"


def test_the_host_with_most_queued_work_goes_first() -> None:
    queues = HostQueues(per_host=1)
    queues.extend(jobs("small.example", 1) + jobs("large.example", 3))  # type: ignore[arg-type]
    first = queues.take()
    assert first is not None and first[1].host == "large.example"


def test_extend_says_how_many_could_start() -> None:
    queues = HostQueues(per_host=2)
    assert queues.extend(jobs("a.example", 5) + jobs("b.example", 1)) == 3  # type: ignore[arg-type]


@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(1, 8)), min_size=1, max_size=12),
    st.integers(1, 4),
    st.randoms(use_true_random=False),
)
def test_every_job_is_taken_once_and_no_host_exceeds_its_limit(
    spec: list[tuple[int, int]], per_host: int, rng: object
) -> None:
    queues = HostQueues(per_host=per_host)
    everything = []
    for host_number, count in spec:
        everything += jobs(f"h{host_number}.example", count)
    queues.extend(everything)  # type: ignore[arg-type]
    running: list[str] = []
    seen: list[str] = []
    while queues.pending or running:
        job = queues.take()
        if job is not None:
            host = job[1].host
            running.append(host)
            seen.append(job[0])
            assert running.count(host) <= per_host
            continue
        assert running, "jobs left but none can start and none is running"
        finished = running.pop(rng.randrange(len(running)))  # type: ignore[attr-defined]
        queues.done(finished)
    assert sorted(seen) == sorted(url for url, _ in everything)


def test_a_host_with_little_work_reuses_one_connection_while_others_have_work() -> None:
    queues = HostQueues(per_host=4)
    queues.extend(jobs("few.example", 3) + jobs("many.example", 40))  # type: ignore[arg-type]
    taken = [queues.take() for _ in range(5)]
    hosts = [job[1].host for job in taken if job is not None]
    assert hosts.count("few.example") == 1  # its other two wait for its one connection
    assert hosts.count("many.example") == 4


def test_done_says_when_a_host_has_nothing_left() -> None:
    queues = HostQueues(per_host=2)
    queues.extend(jobs("a.example", 2))  # type: ignore[arg-type]
    assert queues.take() is not None and queues.take() is not None
    assert queues.done("a.example") is False  # one still running
    assert queues.done("a.example") is True
