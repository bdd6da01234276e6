"""Wakes RPCs that wait on an operation (WaitOperation, WatchOperation)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict


class Notifier:
    """In-process change signal per operation id; waiters also time out and re-read.

    A waiter reads the operation, then waits for its next change. A change
    signalled between the two would be lost, so a waiter takes ``mark()``
    before reading and passes it to ``wait``, which returns at once when the
    operation changed since that mark.
    """

    #: How many operations' last change is remembered (a mark is microseconds old).
    REMEMBERED = 10000

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Future]] = defaultdict(set)
        self._clock = 0
        self._changed: OrderedDict[str, int] = OrderedDict()

    def mark(self) -> int:
        """Now, for ``wait(..., since=)``: take it before reading the operation."""
        return self._clock

    def notify(self, op_id: str) -> None:
        self._clock += 1
        self._changed[op_id] = self._clock
        self._changed.move_to_end(op_id)
        while len(self._changed) > self.REMEMBERED:
            self._changed.popitem(last=False)
        for future in self._waiters.pop(op_id, ()):
            if not future.done():
                future.set_result(None)

    async def wait(self, op_id: str, timeout: float, since: int | None = None) -> None:
        """Return after the next change of ``op_id``, at once if it changed after the mark
        ``since``, or after ``timeout`` seconds."""
        if since is not None and self._changed.get(op_id, 0) > since:
            return
        future = asyncio.get_running_loop().create_future()
        self._waiters[op_id].add(future)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            pass
        finally:
            waiters = self._waiters.get(op_id)
            if waiters is not None:
                waiters.discard(future)
                if not waiters:
                    self._waiters.pop(op_id, None)
