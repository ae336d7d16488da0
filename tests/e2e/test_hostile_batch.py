"""A batch of hostile targets, every kind at once: each check ends, with the precise reason.

The hostile servers (``hostile_server.py``) run in a process of their own, as in
``benchmarks/hostile.py`` (which measures the same at 1,000 checks: deadlines overrun, memory).
Here only behaviour is asserted: one result per URL, the reason each kind must give, bodies
and redirect chains cut at their bounds. Never how long anything took.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from linkcheck.engine import Checker, CheckResult, Page, Reason, Status

from .engine_helpers import fast_options
from .hostile_server import EXPECTED, KINDS, HostileTargets, hostile_process

PER_KIND = 10  # 13 kinds: 130 checks at once
# Kinds whose body is also fetched as a page, in the same batch (one URL each more).
PAGED = ("endless", "endless_chunked", "gzip_bomb", "deflate_bomb")
MAX_REDIRECTS = 10
RETRIES = 2
# The checker reads at most its bounds; loopback socket buffers let a server write a few MiB
# more before it sees the connection close (tests/e2e/test_security_bounds.py).
SENT_BOUND = 16 * 1024 * 1024
PAGE_BYTES = 1024 * 1024


@pytest.fixture(scope="module")
def targets() -> Iterator[HostileTargets]:
    # Drips well inside the read timeout: only the check's total deadline can stop them.
    with hostile_process(drip=0.5, bomb_mib=64) as running:
        yield running


@pytest.mark.slow
@pytest.mark.timeout(60)
async def test_every_hostile_check_ends_with_its_precise_reason(targets: HostileTargets) -> None:
    urls = [targets.url(kind, n) for kind in KINDS for n in range(PER_KIND)]
    pages = {len(urls) + i for i in range(len(PAGED))}
    urls += [targets.url(kind, PER_KIND) for kind in PAGED]
    results: dict[int, list[CheckResult]] = {}
    read: dict[int, list[Page]] = {}
    options = fast_options(
        timeout=6.0,
        connect_timeout=2.0,
        read_timeout=2.0,
        retries=RETRIES,
        concurrency=len(urls),
        per_host=len(urls),
        always_get=True,  # deep checks, as deployed: every HTML body is read
        max_redirects=MAX_REDIRECTS,
        max_page_bytes=PAGE_BYTES,
    )
    async with Checker(options) as checker:
        await checker.run_checks(
            urls,
            lambda index, result: results.setdefault(index, []).append(result),
            pages=pages,
            on_page=lambda index, page: read.setdefault(index, []).append(page),
        )

    # Every check ends, exactly once.
    assert sorted(results) == list(range(len(urls)))
    assert all(len(got) == 1 for got in results.values())

    # Each kind ends with its own reason, every time.
    seen: dict[str, Counter[tuple[Status, Reason]]] = {}
    for index, url in enumerate(urls):
        (result,) = results[index]
        kind = url.split("/")[3]
        seen.setdefault(kind, Counter())[(result.status, result.reason)] += 1
    wrong = {
        kind: dict(got)
        for kind, got in seen.items()
        if set(got) != {EXPECTED[kind]}  # a kind may not end two ways
    }
    assert not wrong, f"kinds that ended otherwise than {EXPECTED}: {wrong}"

    # A redirect chain is cut at the limit: never the server's 100 hops.
    for index, url in enumerate(urls):
        (result,) = results[index]
        if "/redirects/" in url:
            assert len(result.redirects) == MAX_REDIRECTS + 1
            assert f"more than {MAX_REDIRECTS} redirects" in result.detail
    stats = targets.stats()
    assert stats["requests"]["redirects"] <= PER_KIND * (MAX_REDIRECTS + 1)

    # Bodies are cut at their bounds: a page is at most max_page_bytes (inflated), and no
    # server gets to send much more than that on one connection.
    for index in pages:
        ((page,),) = (read[index],)
        assert len(page.body) <= PAGE_BYTES
        assert not page.complete
    for kind in ("endless", "endless_chunked", "gzip_bomb", "deflate_bomb"):
        assert 0 < stats["max_sent"][kind] < SENT_BOUND, (kind, stats["max_sent"][kind])

    # A reset is retried, but a bounded number of times (a reused connection found closed
    # may be asked once more on a new one).
    assert stats["requests"]["reset"] <= PER_KIND * (RETRIES + 1) * 2
