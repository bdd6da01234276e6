"""Wakes RPCs that wait on an operation (WaitOperation, WatchOperation)."""

from __future__ import annotations

import asyncio
from collections import defaultdict


class Notifier:
    """In-process change signal per operation id; waiters also time out and re-read."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Future]] = defaultdict(set)

    def notify(self, op_id: str) -> None:
        for future in self._waiters.pop(op_id, ()):
            if not future.done():
                future.set_result(None)

    async def wait(self, op_id: str, timeout: float) -> None:
        """Return after the next change of ``op_id`` or after ``timeout`` seconds."""
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
