"""Bounded thread pools for blocking work, so the event loop never blocks."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools


class Runner:
    """Runs blocking callables in a fixed-size pool; excess calls queue."""

    def __init__(self, threads: int, name: str) -> None:
        self.threads = threads
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix=name)

    async def __call__(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
