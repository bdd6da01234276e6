"""Drives unfinished operations to completion by polling their backend jobs.

Each operation has its own schedule: the wait between polls starts at
``poll_initial_interval`` and grows by ``poll_backoff`` up to
``poll_max_interval``. A transient backend error (retryable) only delays the
next poll; any other error fails the operation. On start, every operation left
unfinished by an earlier process is resumed.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator.operations import store as st
from translator.operations.notifier import Notifier

LOG = logging.getLogger(__name__)


class Hooks(Protocol):
    """What the service layer does at the end of an operation of a given verb."""

    async def finish(self, driver: base.Driver, op: st.Operation, result: object) -> bytes: ...
    async def rollback(self, driver: base.Driver, op: st.Operation) -> list[str] | None: ...
    def error_bytes(self, error: BaseException) -> bytes: ...
    def resumed(self, op: st.Operation) -> None: ...
    def ended(self, op: st.Operation) -> None: ...


Run = Callable[..., Awaitable]


class Poller:
    def __init__(self, *, conf, store: st.OperationStore, drivers: dict[str, base.Driver],
                 run_backend: Run, run_store: Run, hooks: Hooks, notifier: Notifier) -> None:
        self._opts = conf.operations
        self._store = store
        self._drivers = drivers
        self._run_backend = run_backend
        self._run_store = run_store
        self._hooks = hooks
        self._notifier = notifier
        self._heap: list[tuple[float, str]] = []
        self._wake = asyncio.Event()
        self._semaphore = asyncio.Semaphore(self._opts.max_concurrent_polls)
        self._tasks: set[asyncio.Task] = set()
        self._in_flight: set[str] = set()
        self._stopping = False

    def schedule(self, op_id: str, delay: float) -> None:
        heapq.heappush(self._heap, (time.monotonic() + delay, op_id))
        self._wake.set()

    def interval(self, poll_count: int) -> float:
        opts = self._opts
        return min(opts.poll_max_interval,
                   opts.poll_initial_interval * opts.poll_backoff ** poll_count)

    async def resume(self) -> int:
        """Pick up what an earlier process left unfinished; returns how many."""
        unfinished = await self._run_store(self._store.unfinished)
        for op in unfinished:
            if op.state == st.SUBMITTING:
                # The process stopped between recording the request and
                # recording the backend's answer: nothing to poll.
                await self._fail(op, exc.BackendError(
                    "the translator stopped before the backend acknowledged this request; "
                    "no backend resource was recorded for it",
                    "operation %s was interrupted while submitting" % op.id))
                continue
            self._hooks.resumed(op)
            self.schedule(op.id, 0)
        if unfinished:
            LOG.info("Resuming %d unfinished operation(s)", len(unfinished))
        return len(unfinished)

    async def run(self) -> None:
        while not self._stopping:
            now = time.monotonic()
            while self._heap and self._heap[0][0] <= now:
                _, op_id = heapq.heappop(self._heap)
                if op_id in self._in_flight:
                    continue
                self._in_flight.add(op_id)
                task = asyncio.create_task(self._poll(op_id))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            timeout = self._heap[0][0] - now if self._heap else None
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _poll(self, op_id: str) -> None:
        try:
            async with self._semaphore:
                await self._step(op_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep polling whatever went wrong
            LOG.exception("Polling operation %s failed; trying again later", op_id)
            self.schedule(op_id, self._opts.poll_max_interval)
        finally:
            self._in_flight.discard(op_id)

    async def _step(self, op_id: str) -> None:
        op = await self._run_store(self._store.get, op_id)
        if op is None or op.done or op.state == st.SUBMITTING:
            return
        driver = self._drivers.get(op.api)
        if driver is None:
            await self._fail(op, exc.UnsupportedOperation(
                f"the {op.api} API is no longer configured; the operation cannot be finished"))
            return
        try:
            # Work the backend finished in its submit call has no job to poll.
            status = (await self._run_backend(driver.poll_jobs, op.jobs) if op.jobs
                      else models.JobStatus(done=True))
        except exc.TranslatorError as error:
            if error.retryable:
                LOG.warning("Polling %s: backend unavailable (%s); retrying",
                            op_id, error.operator_message)
                await self._reschedule(op, message=f"waiting for the backend: {error.user_message}")
                return
            await self._fail(op, error)
            return
        if not status.done:
            await self._progress(op, driver, status)
        elif (status.next_jobs is not None and status.error is None
                and op.state != st.ROLLING_BACK):
            await self._next_step(op, status)
        elif op.state == st.ROLLING_BACK:
            await self._fail(op, _Cancelled(
                "cancelled: what the backend had created was deleted"
                if status.error is None else
                f"cancelled, but deleting what the backend created failed: {status.error}"))
        elif status.error is not None:
            await self._fail(op, status.error)
        elif op.cancel_requested:
            await self._cancel(op, driver)
        else:
            await self._finish(op, driver, status.result)

    async def _progress(self, op: st.Operation, driver, status) -> None:
        if status.progress is not None:
            progress, estimated = status.progress, False
        else:
            elapsed = time.time() - op.created_at
            expected = max(driver.expected_seconds(op.verb), 0.001)
            progress, estimated = min(95, int(100 * elapsed / expected)), True
        await self._reschedule(op, progress=max(progress, op.progress),
                               progress_estimated=estimated,
                               message=status.message or op.message)

    async def _next_step(self, op: st.Operation, status) -> None:
        """A step of a multi-step operation is done and the next one submitted."""
        updated = await self._run_store(
            self._store.update, op.id, jobs=status.next_jobs,
            target=status.resource_id or op.target, poll_count=0,
            message=status.message or "next step submitted to the backend")
        LOG.info("Operation %s (%s %s): next step, jobs %s", op.id, op.verb, updated.target,
                 ",".join(status.next_jobs) or "none")
        self._hooks.resumed(updated)
        self._notifier.notify(op.id)
        self.schedule(op.id, self.interval(0) if status.next_jobs else 0)

    async def _reschedule(self, op: st.Operation, **fields) -> None:
        updated = await self._run_store(self._store.update, op.id,
                                        poll_count=op.poll_count + 1, **fields)
        self._notifier.notify(op.id)
        self.schedule(op.id, self.interval(updated.poll_count))

    async def _finish(self, op: st.Operation, driver, result: object) -> None:
        try:
            response = await self._hooks.finish(driver, op, result)
        except exc.TranslatorError as error:
            if error.retryable:
                await self._reschedule(op)
                return
            await self._fail(op, error)
            return
        await self._run_store(self._store.update, op.id, state=st.DONE, response=response,
                              progress=100, progress_estimated=False, message="done")
        LOG.info("Operation %s (%s %s) done", op.id, op.verb, op.target)
        self._hooks.ended(op)
        self._notifier.notify(op.id)

    async def _cancel(self, op: st.Operation, driver) -> None:
        jobs = await self._hooks.rollback(driver, op)
        if jobs:
            await self._run_store(self._store.update, op.id, state=st.ROLLING_BACK, jobs=jobs,
                                  message="cancelling: deleting what the backend created")
            self._notifier.notify(op.id)
            self.schedule(op.id, self.interval(0))
        else:
            await self._fail(op, _Cancelled("cancelled"))

    async def _fail(self, op: st.Operation, error: BaseException) -> None:
        await self._run_store(self._store.update, op.id, state=st.DONE,
                              error=self._hooks.error_bytes(error),
                              message=getattr(error, "user_message", "failed"))
        LOG.info("Operation %s (%s %s) failed: %s", op.id, op.verb, op.target,
                 getattr(error, "operator_message", error))
        self._hooks.ended(op)
        self._notifier.notify(op.id)


class _Cancelled(exc.TranslatorError):
    code = "CANCELLED"
    reason = "CANCELLED"
