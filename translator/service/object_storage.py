"""The ObjectStorage servicer: validate → driver, with data streamed both ways.

Object stores answer at once, so no RPC here is a long-running operation.
Data moves through bounded channels (translator.service.streams) between
gRPC and a driver running in the transfer thread pool, so a transfer holds
at most ``[object_storage] buffered_chunks`` chunks in memory and a slow
side slows the other through gRPC flow control.
"""

from __future__ import annotations

import asyncio
import logging

from google.protobuf import empty_pb2

from translator.api.v1 import object_storage_pb2 as pb
from translator.api.v1 import object_storage_pb2_grpc
from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator.service import convert_object as convert
from translator.service import object_validation as check
from translator.service.errors import handle_errors
from translator.service.runner import Runner
from translator.service.streams import CheckedReader, DownloadPump, UploadChannel
from translator.service.validation import Validator, page_size

LOG = logging.getLogger(__name__)


class ObjectStorageServicer(object_storage_pb2_grpc.ObjectStorageServicer):
    def __init__(self, driver: base.ObjectStorageDriver, *, run: Runner, transfers: Runner,
                 conf) -> None:
        self.driver = driver
        self.run = run
        self.transfers = transfers
        self.opts = conf.object_storage

    # -- containers ---------------------------------------------------------------

    @handle_errors
    async def CreateContainer(self, request, context):
        v = Validator()
        check.container_name(v, request.name, "name")
        meta = check.metadata(v, request.metadata)
        v.raise_if_invalid()
        made = await self.run(self.driver.create_container, request.name, meta)
        LOG.info("Created container %s", request.name)
        return convert.container(made)

    @handle_errors
    async def GetContainer(self, request, context):
        _container(request.name, "name")
        return convert.container(await self.run(self.driver.get_container, request.name))

    @handle_errors
    async def ListContainers(self, request, context):
        size = page_size(request)
        v = Validator()
        check.listing(v, request.prefix)
        v.raise_if_invalid()
        page = await self.run(self.driver.list_containers, size, request.page_token,
                              request.prefix)
        return pb.ListContainersResponse(containers=[convert.container(c) for c in page.items],
                                         next_page_token=page.next_token)

    @handle_errors
    async def DeleteContainer(self, request, context):
        _container(request.name, "name")
        await self.run(self.driver.delete_container, request.name)
        LOG.info("Deleted container %s", request.name)
        return empty_pb2.Empty()

    # -- objects ------------------------------------------------------------------

    @handle_errors
    async def PutObject(self, request_iterator, context):
        first = await anext(request_iterator, None)
        if first is None or first.WhichOneof("part") != "header":
            raise exc.InvalidInput("the first PutObject message must be the header",
                                   field="header")
        spec = check.object_spec(first.header)
        channel = UploadChannel(asyncio.get_running_loop(), self.opts.buffered_chunks)
        source = CheckedReader(channel.next_chunk, size=spec.size_bytes, md5=spec.md5)
        store = asyncio.ensure_future(self.transfers(self.driver.put_object, spec, source))
        store.add_done_callback(lambda _: channel.reader_stopped())
        try:
            await _feed(channel, request_iterator, context)
        except asyncio.CancelledError:
            # The caller went away: the driver's next read raises, it cleans up.
            channel.abort()
            store.add_done_callback(_log_cleanup_failure)
            raise
        except Exception:
            channel.abort()
            await asyncio.gather(store, return_exceptions=True)  # cleaned up before we answer
            raise
        stored = await store
        LOG.info("Stored object %s/%s (%d bytes)", spec.container, spec.name, stored.size_bytes)
        return convert.stored_object(stored)

    @handle_errors
    async def GetObject(self, request, context):
        check.object_ref(request.container, request.name)
        length = request.length if request.HasField("length") else None
        v = Validator()
        v.check(request.offset >= 0, "offset", "offset must not be negative")
        v.check(length is None or length >= 0, "length", "length must not be negative")
        v.raise_if_invalid()
        download = await self.run(self.driver.open_object, request.container, request.name,
                                  request.offset, length)
        pump = DownloadPump(asyncio.get_running_loop(), self.opts.buffered_chunks)
        moving = asyncio.ensure_future(self.transfers(_pump, pump, download))
        try:
            yield pb.GetObjectResponse(object=convert.stored_object(download.info))
            async for chunk in pump:
                yield pb.GetObjectResponse(data=chunk)
        finally:
            pump.stop()
            moving.add_done_callback(_log_cleanup_failure)

    @handle_errors
    async def HeadObject(self, request, context):
        check.object_ref(request.container, request.name)
        found = await self.run(self.driver.head_object, request.container, request.name)
        return convert.stored_object(found)

    @handle_errors
    async def ListObjects(self, request, context):
        size = page_size(request)
        v = Validator()
        check.container_name(v, request.container, "container")
        check.listing(v, request.prefix, request.delimiter)
        v.raise_if_invalid()
        listing = await self.run(self.driver.list_objects, request.container, request.prefix,
                                 request.delimiter, size, request.page_token)
        return pb.ListObjectsResponse(
            objects=[convert.stored_object(o) for o in listing.objects],
            common_prefixes=listing.common_prefixes, next_page_token=listing.next_token)

    @handle_errors
    async def DeleteObject(self, request, context):
        check.object_ref(request.container, request.name)
        await self.run(self.driver.delete_object, request.container, request.name)
        LOG.info("Deleted object %s/%s", request.container, request.name)
        return empty_pb2.Empty()

    @handle_errors
    async def CopyObject(self, request, context):
        v = Validator()
        check.container_name(v, request.source_container, "source_container")
        check.object_name(v, request.source_name, "source_name")
        check.container_name(v, request.destination_container, "destination_container")
        check.object_name(v, request.destination_name, "destination_name")
        meta = check.metadata(v, request.metadata)
        v.check(request.replace_metadata or not request.metadata, "metadata",
                "metadata is only used with replace_metadata")
        v.raise_if_invalid()
        spec = models.CopySpec(request.source_container, request.source_name,
                               request.destination_container, request.destination_name,
                               metadata=meta if request.replace_metadata else None)
        copied = await self.run(self.driver.copy_object, spec)
        LOG.info("Copied object %s/%s to %s/%s", spec.source_container, spec.source_name,
                 spec.destination_container, spec.destination_name)
        return convert.stored_object(copied)

    @handle_errors
    async def CreateTempUrl(self, request, context):
        check.object_ref(request.container, request.name)
        v = Validator()
        method = convert.METHODS.get(request.method)
        v.check(method is not None, "method", "method is GET or PUT")
        limit = self.opts.max_temp_url_seconds
        v.check(0 < request.expires_in_seconds <= limit, "expires_in_seconds",
                f"expires_in_seconds is 1 to {limit} ([object_storage] max_temp_url_seconds)")
        v.raise_if_invalid()
        url = await self.run(self.driver.create_temp_url, request.container, request.name,
                             method, request.expires_in_seconds)
        LOG.info("Signed a %s URL for %s/%s valid %ds", method, request.container,
                 request.name, request.expires_in_seconds)
        return convert.temp_url(url)


def _container(name: str, field: str) -> None:
    v = Validator()
    check.container_name(v, name, field)
    v.raise_if_invalid()


async def _feed(channel: UploadChannel, request_iterator, context) -> None:
    """Every data message into the channel, then its end; stops early if the driver did."""
    async for message in request_iterator:
        if message.WhichOneof("part") != "data":
            raise exc.InvalidInput("only the first PutObject message may be a header",
                                   field="header")
        data = message.data  # each access makes a new bytes object: once only
        if data and not await channel.put(data):
            break  # the driver stopped reading: its result (an error) says why
    # grpc.aio ends the request stream alike when the caller half-closes and when it
    # cancels (the cancellation lands a moment later): an operation on the call
    # fails on a cancelled one, so only after it is the end real.
    await context.send_initial_metadata(())
    channel.end()


def _pump(pump: DownloadPump, download: models.ObjectDownload) -> None:
    try:
        pump.run(download.chunks)
    finally:
        download.close()


def _log_cleanup_failure(task: asyncio.Future) -> None:
    """Retrieve the result of a transfer nobody awaits any more; log real failures."""
    if task.cancelled():
        return
    error = task.exception()
    if error is not None and not isinstance(error, exc.Aborted):
        LOG.warning("A transfer ended after its caller left: %s",
                    getattr(error, "operator_message", repr(error)))
