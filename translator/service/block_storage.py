"""The BlockStorage servicer: validate → translate → driver (in the thread pool)."""

from __future__ import annotations

import logging

from translator.api.v1 import block_storage_pb2 as pb
from translator.api.v1 import block_storage_pb2_grpc
from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator.operations import store as st
from translator.service import convert_block as convert
from translator.service.errors import handle_errors
from translator.service.lro import OperationManager, Verb, finish_empty, pack, undo_by_deleting
from translator.service.validation import (
    MAX_ID,
    Validator,
    page_size,
    require_id,
    validate_target,
)

LOG = logging.getLogger(__name__)

API = "block_storage"
VOLUME_VERBS = ("CreateVolume", "ExtendVolume", "AttachVolume", "DetachVolume")


class BlockStorageServicer(block_storage_pb2_grpc.BlockStorageServicer):
    def __init__(self, driver: base.BlockStorageDriver, operations: OperationManager, *,
                 conf, compute: base.ComputeDriver | None = None) -> None:
        self.driver = driver
        self.compute = compute
        self.ops = operations
        self.run = operations.run_backend
        self.opts = conf.block_storage
        for verb in VOLUME_VERBS:
            rollback = (undo_by_deleting(self.run, "delete_volume")
                        if verb == "CreateVolume" else None)
            operations.register(verb, Verb(self._finish_volume, rollback))
        operations.register("CreateSnapshot", Verb(
            self._finish_snapshot, undo_by_deleting(self.run, "delete_snapshot")))
        operations.register("DeleteVolume", Verb(finish_empty))
        operations.register("DeleteSnapshot", Verb(finish_empty))

    # -- volume types -----------------------------------------------------------

    @handle_errors
    async def ListVolumeTypes(self, request, context):
        types = await self.run(self.driver.list_volume_types)
        return pb.ListVolumeTypesResponse(volume_types=[convert.volume_type(t) for t in types])

    # -- volumes ------------------------------------------------------------------

    @handle_errors
    async def CreateVolume(self, request, context):
        spec = self._volume_spec(request)
        return await self.ops.start(api=API, verb="CreateVolume", request=request,
                                    submit=lambda: self.driver.create_volume(spec))

    @handle_errors
    async def GetVolume(self, request, context):
        require_id(request.id)
        volume = await self.run(self.driver.get_volume, request.id)
        return convert.volume(volume, self._pending(volume.id))

    @handle_errors
    async def ListVolumes(self, request, context):
        size = page_size(request)
        page = await self.run(self.driver.list_volumes, size, request.page_token)
        pending = self.ops.pending_verbs(API, [v.id for v in page.items])
        return pb.ListVolumesResponse(
            volumes=[convert.volume(v, pending.get(v.id, "")) for v in page.items],
            next_page_token=page.next_token)

    @handle_errors
    async def ExtendVolume(self, request, context):
        v = Validator()
        v.request_id(request.request_id)
        v.text(request.id, "id", required=True, max_len=MAX_ID)
        self._size(v, request.new_size_gb, "new_size_gb", required=True)
        v.raise_if_invalid()
        return await self._volume_verb("ExtendVolume", request, self.driver.extend_volume,
                                       request.new_size_gb)

    @handle_errors
    async def DeleteVolume(self, request, context):
        validate_target(request)
        return await self._volume_verb("DeleteVolume", request, self.driver.delete_volume)

    @handle_errors
    async def AttachVolume(self, request, context):
        v = Validator()
        v.request_id(request.request_id)
        v.text(request.id, "id", required=True, max_len=MAX_ID)
        v.text(request.server_id, "server_id", required=True, max_len=MAX_ID)
        v.raise_if_invalid()
        self._check_attachable()
        return await self._volume_verb("AttachVolume", request, self.driver.attach_volume,
                                       request.server_id)

    @handle_errors
    async def DetachVolume(self, request, context):
        v = Validator()
        v.request_id(request.request_id)
        v.text(request.id, "id", required=True, max_len=MAX_ID)
        v.text(request.server_id, "server_id", max_len=MAX_ID)
        v.raise_if_invalid()
        return await self._volume_verb("DetachVolume", request, self.driver.detach_volume,
                                       request.server_id)

    async def _volume_verb(self, verb: str, request, method, *args):
        return await self.ops.start(api=API, verb=verb, request=request, target=request.id,
                                    submit=lambda: method(request.id, *args))

    def _check_attachable(self) -> None:
        """Refuse an attach the configured compute backend cannot use, before any backend call.

        Without a Compute API the caller maps the disk itself from the
        connection info, so any backend's volumes can be attached.
        """
        if self.compute is None:
            return
        kind = self.driver.connection_type
        if kind not in self.compute.volume_connections:
            raise exc.Conflict(
                f"the {self.compute.name} compute backend cannot attach {kind or 'these'} "
                f"disks of the {self.driver.name} block storage backend; attach is possible "
                "only when both APIs use compatible backends (see GetCapabilities)",
                backend=self.driver.name)

    # -- snapshots ----------------------------------------------------------------

    @handle_errors
    async def CreateSnapshot(self, request, context):
        v = Validator()
        v.request_id(request.request_id)
        v.text(request.volume_id, "volume_id", required=True, max_len=MAX_ID)
        v.text(request.name, "name")
        v.metadata(request.metadata)
        v.raise_if_invalid()
        spec = models.SnapshotSpec(volume_id=request.volume_id, name=request.name,
                                   metadata=dict(request.metadata))
        return await self.ops.start(api=API, verb="CreateSnapshot", request=request,
                                    submit=lambda: self.driver.create_snapshot(spec))

    @handle_errors
    async def GetSnapshot(self, request, context):
        require_id(request.id)
        snapshot = await self.run(self.driver.get_snapshot, request.id)
        return convert.snapshot(snapshot, self._pending(snapshot.id))

    @handle_errors
    async def ListSnapshots(self, request, context):
        size = page_size(request)
        if request.volume_id:
            require_id(request.volume_id, "volume_id")
        page = await self.run(self.driver.list_snapshots, size, request.page_token,
                              request.volume_id)
        pending = self.ops.pending_verbs(API, [s.id for s in page.items])
        return pb.ListSnapshotsResponse(
            snapshots=[convert.snapshot(s, pending.get(s.id, "")) for s in page.items],
            next_page_token=page.next_token)

    @handle_errors
    async def DeleteSnapshot(self, request, context):
        validate_target(request)
        return await self.ops.start(api=API, verb="DeleteSnapshot", request=request,
                                    target=request.id,
                                    submit=lambda: self.driver.delete_snapshot(request.id))

    # -- validation -----------------------------------------------------------------

    def _size(self, v: Validator, size: int, field: str, *, required: bool) -> None:
        limit = self.opts.max_volume_size_gb
        if size == 0 and not required:
            return
        v.check(0 < size <= limit, field, f"{field} must be between 1 and {limit} GiB")

    def _volume_spec(self, request) -> models.VolumeSpec:
        v = Validator()
        v.request_id(request.request_id)
        v.text(request.name, "name")
        source = request.WhichOneof("source")
        if source is not None:
            v.text(getattr(request, source), source, required=True, max_len=MAX_ID)
        elif request.size_gb == 0:
            v.add("size_gb", "size_gb is required unless a snapshot, image or volume gives it")
        self._size(v, request.size_gb, "size_gb", required=False)
        types = self.opts.volume_types
        # A volume made from a source keeps the source's type unless one is asked for.
        volume_type = request.volume_type or ("" if source else self.opts.default_volume_type)
        v.check(not volume_type or volume_type in types, "volume_type",
                f"volume_type must be one of {', '.join(types)}")
        v.text(request.availability_zone, "availability_zone")
        v.metadata(request.metadata)
        v.raise_if_invalid()
        return models.VolumeSpec(
            name=request.name, size_gb=request.size_gb, volume_type=volume_type,
            availability_zone=request.availability_zone, metadata=dict(request.metadata),
            snapshot_id=request.snapshot_id, image_id=request.image_id,
            source_volume_id=request.source_volume_id)

    def _pending(self, target: str) -> str:
        return self.ops.pending_verbs(API, [target]).get(target, "")

    # -- how operations end -----------------------------------------------------------

    async def _finish_volume(self, driver: base.BlockStorageDriver, op: st.Operation,
                             result: object) -> bytes:
        if not (isinstance(result, models.Volume) and result.id == op.target):
            result = (driver.peek("get_volume", op.target)
                      or await self.run(driver.get_volume, op.target))
        return pack(convert.volume(result))

    async def _finish_snapshot(self, driver: base.BlockStorageDriver, op: st.Operation,
                               result: object) -> bytes:
        if not (isinstance(result, models.Snapshot) and result.id == op.target):
            result = await self.run(driver.get_snapshot, op.target)
        return pack(convert.snapshot(result))
