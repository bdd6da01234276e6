"""The per-operation change signal that WaitOperation and WatchOperation wait on."""

from __future__ import annotations

import asyncio
import time

from translator.operations.notifier import Notifier


async def _timed(awaitable) -> float:
    began = time.monotonic()
    await awaitable
    return time.monotonic() - began


def test_a_change_between_reading_and_waiting_is_not_lost():
    async def scenario():
        notifier = Notifier()
        mark = notifier.mark()          # the waiter's mark, taken before it reads
        notifier.notify("op1")          # the change lands while it reads
        return await _timed(notifier.wait("op1", 5.0, since=mark))
    assert asyncio.run(scenario()) < 0.5


def test_other_operations_changes_do_not_wake_a_waiter():
    async def scenario():
        notifier = Notifier()
        mark = notifier.mark()
        notifier.notify("op2")
        return await _timed(notifier.wait("op1", 0.2, since=mark))
    assert asyncio.run(scenario()) >= 0.2


def test_a_waiter_wakes_on_the_next_change():
    async def scenario():
        notifier = Notifier()
        waiting = asyncio.ensure_future(_timed(notifier.wait("op1", 5.0, since=notifier.mark())))
        await asyncio.sleep(0.05)
        notifier.notify("op1")
        return await waiting
    assert asyncio.run(scenario()) < 0.5


def test_memory_is_bounded():
    notifier = Notifier()
    for i in range(Notifier.REMEMBERED + 50):
        notifier.notify(f"op{i}")
    assert len(notifier._changed) == Notifier.REMEMBERED
