"""google.longrunning.Operations and translator.v1.OperationWatcher servicers."""

from __future__ import annotations

import time

from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import empty_pb2

from translator.api.v1 import operations_pb2 as watch_pb2
from translator.api.v1 import operations_pb2_grpc as watch_pb2_grpc
from translator.drivers import exceptions as exc
from translator.service import validation
from translator.service.errors import handle_errors
from translator.service.lro import OperationManager, to_proto

# Waiters re-read the store this often even without a signal (another replica
# may have changed the operation).
REREAD_SECONDS = 2.0

_FILTERS = {"": None, "done=true": True, "done=false": False,
            "done = true": True, "done = false": False}


class OperationsServicer(operations_pb2_grpc.OperationsServicer):
    def __init__(self, manager: OperationManager, conf) -> None:
        self.manager = manager
        self.max_wait = conf.operations.max_wait_timeout

    @handle_errors
    async def GetOperation(self, request, context):
        return to_proto(await self.manager.get(request.name))

    @handle_errors
    async def ListOperations(self, request, context):
        v = validation.Validator()
        size = v.page(request.page_size, request.page_token)
        if request.filter.strip() not in _FILTERS:
            v.add("filter", "filter must be empty, 'done=true' or 'done=false'")
        v.raise_if_invalid()
        offset = 0
        if request.page_token:
            offset = validation.decode_token(request.page_token).get("offset", 0)
            if not isinstance(offset, int) or offset < 0:
                raise exc.InvalidInput("page_token is not a token this server issued",
                                       field="page_token")
        done = _FILTERS[request.filter.strip()]
        records = await self.manager.run_store(self.manager.store.list, offset=offset,
                                               limit=size + 1, done=done)
        token = validation.encode_token({"offset": offset + size}) if len(records) > size else ""
        return operations_pb2.ListOperationsResponse(
            operations=[to_proto(r) for r in records[:size]], next_page_token=token)

    @handle_errors
    async def CancelOperation(self, request, context):
        op = await self.manager.get(request.name)
        if op.done:
            raise exc.Conflict(f"{op.name} is already done")
        handling = self.manager.verbs.get(op.verb)
        if handling is None or handling.rollback is None:
            raise exc.Conflict(
                f"{op.verb} cannot be cancelled: the backend job cannot be withdrawn and "
                "there is nothing to undo; the operation will complete")
        await self.manager.run_store(self.manager.store.update, op.id, cancel_requested=True,
                                     message="cancel requested")
        self.manager.notifier.notify(op.id)
        return empty_pb2.Empty()

    @handle_errors
    async def DeleteOperation(self, request, context):
        op = await self.manager.get(request.name)
        if not op.done:
            raise exc.Conflict(f"{op.name} is still running; cancel it or wait for it first")
        await self.manager.run_store(self.manager.store.delete, op.id)
        return empty_pb2.Empty()

    @handle_errors
    async def WaitOperation(self, request, context):
        notifier = self.manager.notifier
        mark = notifier.mark()
        op = await self.manager.get(request.name)
        timeout = self.max_wait
        if request.HasField("timeout"):
            requested = request.timeout.ToTimedelta().total_seconds()
            if requested < 0:
                raise exc.InvalidInput("timeout must not be negative", field="timeout")
            timeout = min(requested, timeout)
        loop_time = _Clock(timeout)
        while not op.done and loop_time.left() > 0:
            await notifier.wait(op.id, min(REREAD_SECONDS, loop_time.left()), since=mark)
            mark = notifier.mark()
            op = await self.manager.get(request.name)
        return to_proto(op)


class WatcherServicer(watch_pb2_grpc.OperationWatcherServicer):
    def __init__(self, manager: OperationManager) -> None:
        self.manager = manager

    @handle_errors
    async def WatchOperation(self, request: watch_pb2.WatchOperationRequest, context):
        notifier = self.manager.notifier
        mark = notifier.mark()
        op = await self.manager.get(request.name)
        last = None
        while True:
            current = to_proto(op)
            if current != last:
                yield current
                last = current
            if op.done:
                return
            await notifier.wait(op.id, REREAD_SECONDS, since=mark)
            mark = notifier.mark()
            op = await self.manager.get(request.name)


class _Clock:
    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        return self._end - time.monotonic()
