"""Long-running operations: start them, render them, finish them.

A mutating RPC that the backend completes later goes through ``start``:
the operation row is written first (claiming the request_id), then the driver
submits the work, then the backend's resource id and job handles are written
(before any poll), then the poller takes over.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

from google.longrunning import operations_pb2
from google.protobuf import any_pb2, empty_pb2, timestamp_pb2

from translator.api.v1 import common_pb2
from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator.operations import store as st
from translator.operations.notifier import Notifier
from translator.operations.poller import Poller
from translator.service import errors, validation

LOG = logging.getLogger(__name__)

# (driver, operation, the resource the backend reported with its job or None) → response
Finish = Callable[[base.Driver, st.Operation, object], Awaitable[bytes]]
Rollback = Callable[[base.Driver, st.Operation], Awaitable[list[str] | None]]


@dataclasses.dataclass
class Verb:
    """How an operation of one RPC ends: its response, and how to undo it on cancel."""

    finish: Finish
    rollback: Rollback | None = None


def pack(message) -> bytes:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed.SerializeToString()


async def finish_empty(driver: base.Driver, op: st.Operation, result: object) -> bytes:
    """How an operation whose response is google.protobuf.Empty (a delete) ends."""
    return pack(empty_pb2.Empty())


def undo_by_deleting(run: Callable[..., Awaitable], delete: str) -> Rollback:
    """A Rollback that calls the driver's ``delete`` method on the operation's target.

    Already gone is nothing to undo; the delete's own jobs, if any, are returned
    for the poller to follow.
    """
    async def rollback(driver: base.Driver, op: st.Operation) -> list[str] | None:
        try:
            task = await run(getattr(driver, delete), op.target)
        except exc.NotFound:
            return None
        return task.jobs or None
    return rollback


def _timestamp(epoch: float | None) -> timestamp_pb2.Timestamp | None:
    if epoch is None:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromNanoseconds(int(epoch * 1e9))
    return ts


def to_proto(op: st.Operation) -> operations_pb2.Operation:
    metadata = common_pb2.OperationMetadata(
        verb=op.verb, api=op.api, target=op.target, create_time=_timestamp(op.created_at),
        update_time=_timestamp(op.updated_at), end_time=_timestamp(op.ended_at),
        progress_percent=op.progress, progress_estimated=op.progress_estimated,
        status_message=op.message, backend=op.backend, backend_jobs=op.jobs,
        cancel_requested=op.cancel_requested, request_id=op.request_id or "")
    result = operations_pb2.Operation(name=op.name, done=op.done)
    result.metadata.Pack(metadata)
    if op.error is not None:
        result.error.ParseFromString(op.error)
    elif op.response is not None:
        result.response.ParseFromString(op.response)
    return result


class OperationManager:
    def __init__(self, *, conf, store: st.OperationStore, drivers: dict[str, base.Driver],
                 run_backend, run_store) -> None:
        self.store = store
        self.drivers = drivers
        self.run_backend = run_backend
        self.run_store = run_store
        self.notifier = Notifier()
        self.verbs: dict[str, Verb] = {}
        # (api, target) → (operation id, verb) of unfinished operations in this
        # process, so reads can show REBOOT/RESIZE without a database query.
        self._pending: dict[tuple[str, str], tuple[str, str]] = {}
        self.poller = Poller(conf=conf, store=store, drivers=drivers, run_backend=run_backend,
                             run_store=run_store, hooks=self, notifier=self.notifier)

    def register(self, verb: str, handling: Verb) -> None:
        self.verbs[verb] = handling

    # -- Unfinished operations by target ----------------------------------------

    def pending_verbs(self, api: str, targets: list[str]) -> dict[str, str]:
        pending = self._pending
        return {t: pending[(api, t)][1] for t in targets if (api, t) in pending}

    # -- Hooks for the poller -------------------------------------------------

    def resumed(self, op: st.Operation) -> None:
        if op.target:
            self._pending[(op.api, op.target)] = (op.id, op.verb)

    def ended(self, op: st.Operation) -> None:
        key = (op.api, op.target)
        if self._pending.get(key, ("",))[0] == op.id:
            del self._pending[key]

    async def finish(self, driver: base.Driver, op: st.Operation, result: object) -> bytes:
        return await self.verbs[op.verb].finish(driver, op, result)

    async def rollback(self, driver: base.Driver, op: st.Operation) -> list[str] | None:
        handling = self.verbs[op.verb]
        return await handling.rollback(driver, op) if handling.rollback else None

    def error_bytes(self, error: BaseException) -> bytes:
        if isinstance(error, exc.TranslatorError):
            status = errors.to_status(error)
        else:
            LOG.error("Operation failed unexpectedly", exc_info=error)
            status = errors.internal_status()
        return status.SerializeToString()

    # -- Starting ---------------------------------------------------------------

    async def start(self, *, api: str, verb: str, request, target: str = "",
                    submit: Callable[[], models.BackendTask]) -> operations_pb2.Operation:
        """Record, submit and hand to the poller; a replayed request_id returns the first op."""
        driver = self.drivers[api]
        fingerprint = validation.fingerprint(request)
        try:
            op = await self.run_store(
                self.store.create, api=api, verb=verb, backend=driver.name,
                request_id=request.request_id or None, fingerprint=fingerprint,
                request=request.SerializeToString(), target=target)
        except st.DuplicateRequest as duplicate:
            return self._replay(duplicate.existing, verb, fingerprint)
        # Shielded: if the client goes away mid-call, the backend may still
        # create the resource, so its answer must still be recorded.
        work = asyncio.ensure_future(self._submit(op, driver, verb, target, submit))
        return await asyncio.shield(work)

    async def _submit(self, op: st.Operation, driver: base.Driver, verb: str, target: str,
                      submit: Callable[[], models.BackendTask]) -> operations_pb2.Operation:
        try:
            task = await self.run_backend(submit)
        except BaseException:
            # Nothing was made: forget the row so the request_id can be retried.
            await self.run_store(self.store.delete, op.id)
            raise
        target = task.resource_id or target
        if not task.jobs:
            done = await self._finished_at_submit(driver, op, target)
            if done is not None:
                return done
        op = await self.run_store(self.store.update, op.id, state=st.RUNNING,
                                  target=target, jobs=task.jobs,
                                  message="submitted to the backend")
        self.resumed(op)
        LOG.info("Operation %s: %s %s submitted to %s (jobs %s)",
                 op.id, verb, op.target, driver.name, ",".join(task.jobs) or "none")
        self.poller.schedule(op.id, self.poller.interval(0) if task.jobs else 0)
        return to_proto(op)

    async def _finished_at_submit(self, driver: base.Driver, op: st.Operation,
                                  target: str) -> operations_pb2.Operation | None:
        """Work the backend finished in its submit call: record it done in one write.

        Saves the RUNNING write, a poll and a re-read per operation (a boot
        storm of RBD clones is mostly this bookkeeping). When rendering the
        result fails, None: the poller then finishes it the usual way.
        """
        try:
            response = await self.finish(driver, dataclasses.replace(op, target=target), None)
        except Exception as error:  # noqa: BLE001 - the resource exists: record it regardless
            LOG.info("Operation %s: the result could not be rendered yet (%s); polling",
                     op.id, getattr(error, "operator_message", type(error).__name__))
            return None
        op = await self.run_store(self.store.update, op.id, state=st.DONE, target=target,
                                  jobs=[], response=response, progress=100,
                                  progress_estimated=False, message="done")
        LOG.info("Operation %s: %s %s done by %s at submit", op.id, op.verb, op.target,
                 driver.name)
        self.notifier.notify(op.id)
        return to_proto(op)

    def _replay(self, existing: st.Operation, verb: str, fingerprint: str):
        if existing.verb != verb or existing.fingerprint != fingerprint:
            raise exc.InvalidInput(
                "request_id was already used for a different request", field="request_id")
        LOG.info("Replay of request %s returns operation %s", existing.request_id, existing.id)
        return to_proto(existing)

    async def get(self, name: str) -> st.Operation:
        op_id = parse_name(name)
        op = await self.run_store(self.store.get, op_id)
        if op is None:
            raise exc.NotFound(f"operation {name!r} not found")
        return op


def parse_name(name: str) -> str:
    prefix = "operations/"
    op_id = name[len(prefix):] if name.startswith(prefix) else ""
    if not op_id or len(op_id) > 64 or not op_id.isalnum():
        raise exc.InvalidInput("name must look like operations/<id>", field="name")
    return op_id

