"""``LoopTurns``: CPU-heavy steps (judging large pages) begin one per turn of the event loop."""

from __future__ import annotations

import asyncio
import itertools

from linkcheck.engine.turns import LoopTurns


class Ticker:
    """Counts turns of the event loop: a callback that schedules itself again each turn."""

    def __init__(self) -> None:
        self.turn = 0
        self._handle: asyncio.Handle | None = None

    def start(self) -> None:
        self.turn += 1
        self._handle = asyncio.get_running_loop().call_soon(self.start)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()


async def test_callers_pass_one_per_turn_first_come_first() -> None:
    turns = LoopTurns()
    ticker = Ticker()
    ticker.start()
    passed: list[tuple[int, int]] = []

    async def heavy(name: int) -> None:
        await turns.take()
        passed.append((name, ticker.turn))

    await asyncio.gather(*(heavy(n) for n in range(6)))
    ticker.stop()
    assert [name for name, _ in passed] == list(range(6))
    moments = [turn for _, turn in passed]
    assert all(later > earlier for earlier, later in itertools.pairwise(moments))


async def test_a_cancelled_waiter_never_blocks_the_others() -> None:
    turns = LoopTurns()
    tasks = [asyncio.create_task(turns.take()) for _ in range(4)]
    await asyncio.sleep(0)  # the first passed, the three others wait
    tasks[1].cancel()  # cancelled while waiting (its deadline): skipped
    await asyncio.wait_for(asyncio.gather(tasks[0], *tasks[2:]), timeout=5)
    assert tasks[1].cancelled()


async def test_a_waiter_cancelled_after_its_turn_came_passes_it_on() -> None:
    turns = LoopTurns()
    await turns.take()
    await asyncio.sleep(0)  # the turn has moved on: nobody was waiting
    turns._busy = True  # a step is under way, with no hand-over scheduled (as after _next)
    first = asyncio.create_task(turns.take())
    second = asyncio.create_task(turns.take())
    await asyncio.sleep(0)  # both wait
    turns._next()  # the turn is handed to ``first``...
    first.cancel()  # ...which its deadline cancels before it runs: it must pass the turn on
    await asyncio.wait_for(second, timeout=5)
    assert first.cancelled()


def test_a_new_event_loop_starts_afresh() -> None:
    turns = LoopTurns()

    async def hold() -> None:
        await turns.take()
        await turns.take()

    asyncio.run(hold())  # leaves its loop with the turns busy
    asyncio.run(asyncio.wait_for(turns.take(), timeout=5))
